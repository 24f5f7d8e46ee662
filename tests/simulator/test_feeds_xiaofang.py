"""消防救援支队 火灾 (GBK CSV, delta) and 消防安全重点单位 (GBK CSV, full): drawn from the world, read by the
pipeline's reader, the truth agreeing with the rules record by record.

Fires are rare (0.0004 a person and year: four in a 10,000-person city), and so are key units and chemical
firms, so these tests run a *busy* world — the same generators, with the world's event and organisation
rates raised (``BUSY_WORLD``) — that gives a few hundred records in a 3,000-person city. The helpers here
are shared by the other event feeds' tests (应急, 生态环境, 信访).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pandas as pd
import pytest
from stdnum.cn import uscc as stdnum_uscc

from expectations import rules
from ingest.load import ingest_files, read_file
from tests.simulator import draft_feeds as df
from tests.simulator.conftest import AS_OF

FEEDS = ["xiaofang.huozai", "xiaofang.zhongdian_danwei"]
BUSY_EVENTS = {kind: {"per_person_year": 0.4} for kind in ("fire", "emergency", "environment", "petition")}


# The world's defaults with the rare things made common (tests only), as simulate(world_config=…) overrides.
BUSY_WORLD = {"enterprises_per_1000": 60.0, "hazardous_chemical_share": 0.3, "fire_key_unit_share": 0.3,
              "events": BUSY_EVENTS}


def busy_city(out: Path, feeds: list[str], **kw):
    return df.simulate_with(out, feeds, world_config=BUSY_WORLD, **kw)


def high_rates(cid: str, rate: float = 0.08) -> dict[str, float]:
    """Every defect kind the feed declares at ``rate`` (the writer's byte defects left out)."""
    from simulator.defects import default_config

    return {k: rate for k in default_config()[cid].rates if k not in ("truncated_last_line", "mojibake")}


# ---- judging a delivery with the validity rules ---------------------------------------------------------------


def judge(frame: pd.DataFrame, contract, as_of: dt.date) -> list[set[str]]:
    """Per row (in order): the ids of the rules it breaks, by ``expectations.rules`` as of ``as_of`` (the
    pipeline's load date: a delta day is judged on its own day)."""
    flat = frame.reset_index(drop=True)
    broken = [set() for _ in range(len(flat))]
    for rule in contract.rules:
        col = flat[rule.column].astype("string")
        if rule.rule == "unique":
            holds = rules.unique(flat.assign(source_file="f", source_row_number=flat.index), list(contract.primary_key))
        elif rule.rule == "date":
            holds = rules.date(col, rule.args["formats"], as_of)
        elif rule.rule == "gb11643_id":
            holds = rules.gb11643_id(col, as_of)
        elif rule.rule == "in_set":
            holds = rules.in_set(col, rule.args["values"])
        elif rule.rule in ("required", "gb2260_division", "mobile_phone", "gb32100_uscc"):
            holds = getattr(rules, rule.rule)(col)
        else:
            raise AssertionError(f"rule {rule.rule} not covered")
        for i in holds.index[~holds.fillna(True).astype(bool)]:
            broken[i].add(rule.rule_id)
    return broken


def delivered(city: Path, summary: dict, contract, day: int = 0):
    """The day's file read by ``ingest.load.read_file``: (frame under target names indexed by row number,
    the batch). Bad rows are the caller's business."""
    rel = summary["feeds"][contract.id]["days"][day]["path"]
    batch = read_file(contract, (city / "landing" / rel).read_bytes(), rel)
    names = {c.source: c.name for c in contract.columns}
    frame = pd.DataFrame([{names[k]: ("" if v is None else v) for k, v in r.values.items() if k in names}
                          for r in batch.rows], columns=[c.name for c in contract.columns], dtype="string")
    frame.index = [r.row_number for r in batch.rows]
    return frame.fillna(""), batch


def assert_truth_agrees(city: Path, summary: dict, contract, day: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every delivered row has its truth row; the rules it breaks are exactly the truth's; the reader
    quarantines exactly the rows the truth calls unparseable. Returns (frame, the day's truth by row)."""
    frame, batch = delivered(city, summary, contract, day)
    tr = df.day_truth(df.truth(city), contract.id, day)
    unparseable = {r for r in tr.index if "_record:unparseable" in tr.at[r, "broken_rules"]}
    assert {b.row_number for b in batch.bad_rows} == unparseable
    assert sorted(frame.index) == sorted(set(tr.index) - unparseable)
    pk = contract.primary_key[0]
    assert (tr.loc[frame.index, "record_key"].fillna("") == frame[pk]).all()
    computed = judge(frame, contract, AS_OF + dt.timedelta(days=day))
    severity = {r.rule_id: r.severity for r in contract.rules}
    mismatches = [(row, list(tr.at[row, "defects"]), sorted(tr.at[row, "broken_rules"]), sorted(got))
                  for row, got in zip(frame.index, computed) if set(tr.at[row, "broken_rules"]) != got]
    assert not mismatches, mismatches[:10]
    for row, got in zip(frame.index, computed):
        assert tr.at[row, "is_valid"] == (not any(severity[r] == "error" for r in got)), row
    return frame, tr


def assert_rates_near(tr: pd.DataFrame, rates: dict[str, float], pools: dict[str, int] | None = None) -> None:
    """A world feed is damaged in one chunk: each kind hits round(rate × n) records (± 1), or its whole pool
    when fewer records can take it."""
    copies = tr.defects.map(lambda d: "duplicate" in d)
    n = int((~copies).sum())
    # a duplicate repeats its original's defects: count each kind on the originals
    counts = df.defect_counts(tr[~copies]) | {"duplicate": int(copies.sum())}
    for kind, rate in rates.items():
        expected = min(rate * n, (pools or {}).get(kind, n))
        slack = 2 + 0.5 * rate * n if kind == "duplicate" else 1
        assert abs(counts.get(kind, 0) - expected) <= slack, (kind, counts.get(kind, 0), expected)


def updated_on(updates: pd.DataFrame, kind: str, date: dt.date) -> set[str]:
    """The world's events of ``kind`` with a step on ``date`` (truth ``event_updates`` holds every delta day's)."""
    mine = updates[updates.kind == kind]
    steps = mine[["reported_at", "dispatched_at", "closed_at", "evaluated_at"]]
    on_day = steps.apply(lambda col: col.dt.date == date).any(axis=1)
    return set(mine[on_day].event_id)


def digests(city: Path, contract_ids: list[str]) -> dict[str, str]:
    out = {}
    for cid in contract_ids:
        folder = city / "landing" / cid.replace(".", "/")
        out |= {p.relative_to(city).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in sorted(folder.rglob("*")) if p.is_file()}
    return out


# ---- fixtures --------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    """Default rates (no truncated file, judged separately), the full load and two delta days."""
    out, summary, contracts = busy_city(tmp_path_factory.mktemp("xiaofang"), FEEDS, persons=3000, days=2,
                                        rates={"xiaofang.zhongdian_danwei": {"truncated_last_line": 0.0}})
    return out, summary, contracts


@pytest.fixture(scope="module")
def damaged(tmp_path_factory):
    rates = {cid: high_rates(cid) for cid in FEEDS}
    rates["xiaofang.zhongdian_danwei"]["truncated_last_line"] = 1.0
    return busy_city(tmp_path_factory.mktemp("xiaofang_bad"), FEEDS, persons=3000, rates=rates)


# ---- the delivered form ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("cid", FEEDS)
def test_gbk_csv_with_the_departments_header(city, cid):
    out, summary, contracts = city
    c = contracts[cid]
    raw = (out / "landing" / summary["feeds"][cid]["path"]).read_bytes()
    text = raw.decode("gbk")  # strict: every byte is GBK
    assert text.split("\r\n", 1)[0] == ",".join(col.source for col in c.columns)
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    assert summary["feeds"][cid]["records"] > 100


@pytest.mark.parametrize("cid", FEEDS)
def test_truth_agrees_with_the_rules_at_default_rates(city, cid):
    out, summary, contracts = city
    frame, tr = assert_truth_agrees(out, summary, contracts[cid])
    assert len(frame) > 100 and 0.85 < tr.is_valid.mean() < 1


@pytest.mark.parametrize("cid", FEEDS)
def test_every_defect_kind_is_applied_and_judged(damaged, cid):
    out, summary, contracts = damaged
    _, tr = assert_truth_agrees(out, summary, contracts[cid])
    rates = high_rates(cid)
    assert set(rates) <= set(df.defect_counts(tr)), (set(rates), df.defect_counts(tr))
    pools = {}
    if cid == "xiaofang.huozai":  # a credit code is there to damage only for fires in an enterprise
        frame, _ = delivered(out, summary, contracts[cid])
        pools["bad_uscc"] = int((frame.unit_uscc != "").sum())
    assert_rates_near(tr, rates, pools)


# ---- the fires are the world's fires ---------------------------------------------------------------------------


def test_fires_are_the_worlds_fires_with_their_lifecycle(city):
    out, summary, contracts = city
    frame, tr = assert_truth_agrees(out, summary, contracts["xiaofang.huozai"])
    events = pd.read_parquet(out / "sim" / "truth" / "events.parquet")
    fires = events[events.kind == "fire"].set_index("event_id")
    assert set(tr.entity_key) == set(fires.index) and len(frame) == len(fires)
    clean = frame[tr.loc[frame.index, "defects"].map(len) == 0]
    assert len(clean) > 100
    e = fires.loc[clean.fire_id]
    assert (clean.alarm_at.to_numpy() == e.reported_at.dt.strftime("%Y-%m-%d %H:%M").to_numpy()).all()
    assert (clean.division_code.to_numpy() == e.district_code.to_numpy()).all()
    out_ = clean.extinguished_at.to_numpy()
    assert (out_ == e.closed_at.dt.strftime("%Y-%m-%d %H:%M").fillna("").to_numpy()).all()
    assert (pd.to_datetime(clean.extinguished_at[clean.extinguished_at != ""])
            >= pd.to_datetime(clean.alarm_at[clean.extinguished_at != ""])).all()
    # cause and losses appear with the fire out, not before
    assert ((clean.cause == "") == (clean.extinguished_at == "")).all()


def test_fires_in_enterprises_name_the_worlds_enterprise(damaged):
    out, summary, contracts = damaged
    frame, tr = assert_truth_agrees(out, summary, contracts["xiaofang.huozai"])
    orgs = pd.read_parquet(out / "sim" / "truth" / "orgs.parquet").set_index("uscc")
    events = pd.read_parquet(out / "sim" / "truth" / "events.parquet").set_index("event_id")
    named = frame[frame.unit_uscc != ""]
    hit = tr.loc[named.index, "defects"].map(lambda d: "bad_uscc" in d).to_numpy()
    valid = [stdnum_uscc.is_valid(v) for v in named.unit_uscc]
    assert [not h for h in hit] == valid and hit.sum() > 0  # python-stdnum agrees: valid exactly where undamaged
    good = named[~hit]
    assert len(good) > 20 and set(good.unit_uscc) <= set(orgs.index)
    assert (orgs.loc[good.unit_uscc, "category"] == "enterprise").all()
    # the firm is in the grid the fire broke out in, and every 企业火灾 with a firm there names one
    fire_ids = tr.loc[good.index, "record_key"]
    assert (orgs.loc[good.unit_uscc, "grid_code"].to_numpy() == events.loc[fire_ids, "grid_code"].to_numpy()).all()
    assert (events.loc[fire_ids, "category"] == "企业火灾").all()


# ---- the key units are the world's organisations ------------------------------------------------------------


def test_key_units_are_the_worlds_key_units(damaged):
    out, summary, contracts = damaged
    frame, tr = assert_truth_agrees(out, summary, contracts["xiaofang.zhongdian_danwei"])
    orgs = pd.read_parquet(out / "sim" / "truth" / "orgs.parquet")
    units = orgs[orgs.is_fire_key_unit].set_index("uscc")
    assert set(tr.entity_key) == set(units.index)
    assert {"school", "enterprise"} <= set(units.category)
    hit = tr.loc[frame.index, "defects"].map(lambda d: "bad_uscc" in d).to_numpy()
    assert [not h for h in hit] == [stdnum_uscc.is_valid(v) for v in frame.uscc] and hit.sum() > 0
    clean = frame[tr.loc[frame.index, "defects"].map(len) == 0]
    u = units.loc[clean.uscc]
    assert (clean.name.to_numpy() == u.name.to_numpy()).all()
    assert (clean.address.to_numpy() == u.address.to_numpy()).all()
    assert (clean.fire_officer.to_numpy() == u.legal_rep_name.to_numpy()).all()
    assert (clean.unit_type[u.category.to_numpy() == "school"] == "学校").all()
    assert (clean.unit_type[u.is_hazardous_chemical.to_numpy()] == "易燃易爆单位").all()


def test_a_cut_off_export_loses_its_last_record_to_quarantine(damaged, tmp_path):
    """truncated_last_line, per file: the pipeline's reader quarantines exactly that record and lands the rest."""
    out, summary, contracts = damaged
    c = contracts["xiaofang.zhongdian_danwei"]
    raw = (out / "landing" / summary["feeds"][c.id]["path"]).read_bytes()
    assert not raw.endswith(b"\r\n")
    tr = df.day_truth(df.truth(out), c.id)
    last = tr.loc[tr.index.max()]
    assert "truncated_last_line" in last.defects and not last.is_valid
    results = ingest_files(c, out / "landing", tmp_path / "lake")
    (r,) = results
    assert (r.rows_read, r.rows_written, r.rows_quarantined) == (len(tr), len(tr) - 1, 1)


# ---- delta days and reproducibility ---------------------------------------------------------------------------


def test_delta_days_send_each_days_fires_and_the_whole_register(city):
    out, summary, contracts = city
    day0, _ = delivered(out, summary, contracts["xiaofang.huozai"], 0)
    updates = pd.read_parquet(out / "sim" / "truth" / "event_updates.parquet")
    sent = 0
    for day in (1, 2):
        worked = AS_OF + dt.timedelta(days=day - 1)  # the file dated as_of + d carries the day before's work
        frame, tr = assert_truth_agrees(out, summary, contracts["xiaofang.huozai"], day=day)
        if day == 2:  # truth's event_updates holds the steps of the days after the as-of date
            assert set(tr.entity_key) == updated_on(updates, "fire", worked)
        # a fire re-sent is one reported that day, or one of the day before put out that day
        stamps = pd.to_datetime(frame[["alarm_at", "extinguished_at"]].stack().replace("", None).dropna(),
                                format="%Y-%m-%d %H:%M", errors="coerce")
        assert (stamps.groupby(level=0).max().dt.date == worked).all()
        sent += len(frame)
    assert sent > 0 and sent < len(day0) / 20
    unit0 = (out / "landing" / summary["feeds"]["xiaofang.zhongdian_danwei"]["days"][0]["path"]).read_bytes()
    unit2 = (out / "landing" / summary["feeds"]["xiaofang.zhongdian_danwei"]["days"][2]["path"]).read_bytes()
    assert unit0 == unit2  # full mode: the same register again (the world's organisations did not change)
    assert_truth_agrees(out, summary, contracts["xiaofang.zhongdian_danwei"], day=2)
