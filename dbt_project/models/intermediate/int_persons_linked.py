"""Person entity resolution: every person record of int_persons_unioned → the person it names.

A dbt Python model because probabilistic linkage is not SQL's job: Splink (DuckDB backend) scores
candidate pairs with a Fellegi–Sunter model. The stages, in order of trust:

1. ``id``: a record with a standard 公民身份号码 (check digit right, 15→18 widened) belongs to that ID.
2. ``probabilistic``: a record without one (12345 callers, petitions, babies on birth certificates,
   a mistyped check digit, a missing ID) is scored against every ID-bearing record it shares a blocking
   key with (the ID's first 17 characters, name, phone, birth date + sex); it joins the person of its
   best-scoring candidate when that match probability is ≥ LINK_THRESHOLD and no other person scores
   within AMBIGUITY_MARGIN match weight of it (so a common name alone never decides).
3. ``probabilistic_new``: the remaining records without an ID are scored among themselves; pairs at
   ≥ LINK_THRESHOLD are clustered (connected components) into persons the registers do not know.
4. ``unlinked``: a record matching nobody is a person of its own.

The model is trained on the data itself, no hand-set weights: u-probabilities by random sampling
(seeded), m-probabilities from the records that carry a standard ID (records sharing an ID are true
matches: Splink's label-column estimate), the prior from the ID-bearing records' duplicate rate.
Splink runs in its own in-memory DuckDB so the warehouse connection only sees the result.
"""

from __future__ import annotations

import hashlib

import pandas as pd

LINK_THRESHOLD = 0.99  # match probability to attach a record without ID to a person
AMBIGUITY_MARGIN = 3.0  # match weight (log2 Bayes factor) the best person must lead the runner-up by
SEED = 20261121

COMPARED = ["id_base17", "name", "birth_date", "sex", "phone", "address_key", "district_code"]
OUTPUT = ["person_record_id", "record_id", "feed_id", "role", "is_main_person", "person_id", "match_method",
          "match_probability", "match_weight"]


def _person_key(record_ids: list[str]) -> str:
    """A stable key for a person the registers do not know: not derived from personal data."""
    return "U" + hashlib.md5(min(record_ids).encode()).hexdigest()[:17].upper()


def _frame(records: pd.DataFrame) -> pd.DataFrame:
    f = records[["person_record_id", "std_id_number", "id_base17", "name", "sex", "birth_date", "phone",
                 "address_key"]].copy()
    f["birth_date"] = records["birth_date"].astype("string")
    f["district_code"] = records["division_code"].astype("string").str.slice(0, 6)
    return f.astype("object").where(f.notna(), None)


def _settings(prior: float):
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="person_record_id",
        probability_two_random_records_match=prior,
        comparisons=[cl.ExactMatch(c) for c in COMPARED],
        blocking_rules_to_generate_predictions=[
            block_on("id_base17"), block_on("name"), block_on("phone"), block_on("birth_date", "sex")],
        retain_intermediate_calculation_columns=False,
    )


def _prior(with_id: pd.DataFrame) -> float:
    n = len(with_id)
    sizes = with_id.groupby("std_id_number").size()
    matches = float((sizes * (sizes - 1) / 2).sum())
    return min(max(matches / (n * (n - 1) / 2), 1e-9), 0.5) if n > 1 else 1e-6


def _scored(pairs: pd.DataFrame) -> pd.DataFrame:
    pairs = pairs.rename(columns={"person_record_id_l": "unique_id_l", "person_record_id_r": "unique_id_r"})
    return pairs[["unique_id_l", "unique_id_r", "match_probability", "match_weight"]]


def link(records: pd.DataFrame) -> pd.DataFrame:
    out = records[["person_record_id", "record_id", "feed_id", "role", "is_main_person"]].copy()
    out["person_id"] = records["std_id_number"]
    out["match_method"] = records["std_id_number"].map(lambda v: "id" if isinstance(v, str) else None)
    out["match_probability"] = out["match_method"].map(lambda m: 1.0 if m == "id" else None)
    out["match_weight"] = None
    has_id = records["std_id_number"].notna()
    with_id, without_id = records[has_id], records[~has_id]
    if len(without_id) and len(with_id) >= 2 and with_id["std_id_number"].nunique() < len(with_id):
        _resolve(records, with_id, without_id, out)
    rest = out["person_id"].isna()
    out.loc[rest, "person_id"] = out.loc[rest, "person_record_id"].map(lambda r: _person_key([r]))
    out.loc[rest, "match_method"] = "unlinked"
    return out[OUTPUT].astype({"match_probability": "float64", "match_weight": "float64"})


def _resolve(records, with_id, without_id, out) -> None:
    import duckdb
    from splink import DuckDBAPI, Linker

    db = DuckDBAPI(duckdb.connect())
    linker = Linker(db.register(_frame(records), table_name="person_records"), _settings(_prior(with_id)),
                    log_level="WARNING")
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=SEED)
    linker.training.estimate_m_from_label_column("std_id_number")

    known = db.register(_frame(with_id), table_name="with_id")
    unknown = db.register(_frame(without_id), table_name="without_id")
    pairs = _scored(linker.inference.predict_between(
        unknown, known, threshold_match_probability=0.5).as_pandas_dataframe())
    person_of = dict(zip(with_id["person_record_id"], with_id["std_id_number"]))
    missing = set(without_id["person_record_id"])
    left_is_unknown = pairs["unique_id_l"].isin(missing)
    cand = pd.DataFrame({
        "record": pairs["unique_id_l"].where(left_is_unknown, pairs["unique_id_r"]),
        "person": pairs["unique_id_r"].where(left_is_unknown, pairs["unique_id_l"]).map(person_of),
        "p": pairs["match_probability"], "w": pairs["match_weight"]})
    best = (cand.groupby(["record", "person"], as_index=False).agg(p=("p", "max"), w=("w", "max"))
            .sort_values(["record", "w"], ascending=[True, False]))
    best["runner_up"] = best.groupby("record")["w"].shift(-1)
    top = best.groupby("record").head(1)
    accepted = top[(top["p"] >= LINK_THRESHOLD)
                   & (top["runner_up"].isna() | (top["w"] - top["runner_up"] >= AMBIGUITY_MARGIN))]
    idx = out.set_index("person_record_id").index
    rows = idx.get_indexer(accepted["record"])
    out.iloc[rows, out.columns.get_loc("person_id")] = accepted["person"].to_numpy()
    out.iloc[rows, out.columns.get_loc("match_method")] = "probabilistic"
    out.iloc[rows, out.columns.get_loc("match_probability")] = accepted["p"].to_numpy()
    out.iloc[rows, out.columns.get_loc("match_weight")] = accepted["w"].to_numpy()

    # Records nobody known matched: persons the registers do not hold, clustered among themselves.
    left = without_id[~without_id["person_record_id"].isin(set(accepted["record"]))]
    if len(left) < 2:
        return
    within = _scored(linker.inference.predict_within(
        db.register(_frame(left), table_name="unmatched"),
        threshold_match_probability=LINK_THRESHOLD).as_pandas_dataframe())
    parent: dict[str, str] = {}

    def root(x: str) -> str:
        while parent.get(x, x) != x:
            x = parent[x]
        return x

    for a, b in zip(within["unique_id_l"], within["unique_id_r"]):
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    clusters: dict[str, list[str]] = {}
    for r in set(within["unique_id_l"]) | set(within["unique_id_r"]):
        clusters.setdefault(root(r), []).append(r)
    best_p = pd.concat([within[["unique_id_l", "match_probability"]].set_axis(["r", "p"], axis=1),
                        within[["unique_id_r", "match_probability"]].set_axis(["r", "p"], axis=1)]
                       ).groupby("r")["p"].max()
    for members in clusters.values():
        rows = idx.get_indexer(members)
        out.iloc[rows, out.columns.get_loc("person_id")] = _person_key(members)
        out.iloc[rows, out.columns.get_loc("match_method")] = "probabilistic_new"
        out.iloc[rows, out.columns.get_loc("match_probability")] = best_p.reindex(members).to_numpy()


def model(dbt, session):
    dbt.config(materialized="table")
    records = dbt.ref("int_persons_unioned").df()
    return link(records)
