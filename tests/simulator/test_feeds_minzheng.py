"""民政 低保/特困: a legacy .xls with the header on row 1, read by the pipeline's reader, truth agreeing with
the rules, every member of an assisted household listed."""

from __future__ import annotations

import pandas as pd
import pytest
import xlrd
from stdnum.cn import ric

from simulator.defects import DEFAULTS
from tests.simulator import draft_feeds as df

FEEDS = ["minzheng.dibao"]


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    out, summary, contracts = df.simulate_with(tmp_path_factory.mktemp("minzheng"), FEEDS)
    return out, summary, contracts, df.truth(out), df.register(out, summary, contracts)


@pytest.fixture(scope="module")
def damaged(tmp_path_factory):
    rates = {"minzheng.dibao": {k: 0.1 for k in DEFAULTS["minzheng.dibao"].rates
                                if k not in ("address_variant", "duplicate")}}
    out, summary, contracts = df.simulate_with(tmp_path_factory.mktemp("minzheng_bad"), FEEDS, rates=rates)
    return out, summary, contracts, df.truth(out), df.register(out, summary, contracts)


def test_xls_header_on_the_first_row(city):
    out, summary, contracts, records, _ = city
    c = contracts["minzheng.dibao"]
    book = xlrd.open_workbook(str(out / "landing" / summary["feeds"][c.id]["path"]))
    sheet = book.sheet_by_name(c.delivery.sheet)
    assert sheet.row_values(0) == [col.source for col in c.columns]
    assert sheet.nrows - 1 == len(df.day_truth(records, c.id)) > 0


def test_truth_agrees_with_the_rules(city):
    out, summary, contracts, records, keys = city
    c = contracts["minzheng.dibao"]
    frame, _ = df.delivery(out, summary, c)
    assert df.assert_truth_matches_rules(frame, c, df.day_truth(records, c.id), keys) > 0


def test_every_defect_kind_is_judged_as_the_truth_says(damaged):
    out, summary, contracts, records, keys = damaged
    c = contracts["minzheng.dibao"]
    frame, _ = df.delivery(out, summary, c)
    tr = df.day_truth(records, c.id)
    df.assert_truth_matches_rules(frame, c, tr, keys)
    assert len(df.defect_counts(tr)) >= 5


def test_households_are_listed_whole(city):
    out, summary, contracts, records, _ = city
    persons = pd.read_parquet(out / "sim" / "truth" / "persons.parquet")
    frame, _ = df.delivery(out, summary, contracts["minzheng.dibao"])
    tr = df.day_truth(records, "minzheng.dibao")
    listed = persons[persons.person_key.isin(set(tr.entity_key))]
    assert (listed.population_type == "户籍").all()
    whole = persons[persons.household_id.isin(set(listed.household_id))]
    assert set(whole.person_key) == set(tr.entity_key)
    assert frame.household_id.nunique() == listed.household_id.nunique()


@pytest.fixture(scope="module")
def marriages(tmp_path_factory):
    out, summary, contracts = df.simulate_with(tmp_path_factory.mktemp("hunyin"), ["minzheng.hunyin"], persons=2000, days=1)
    return out, summary, contracts, df.truth(out)


def test_hunyin_xlsx_header_on_row_one_and_rules(marriages):
    from openpyxl import load_workbook

    out, summary, contracts, records = marriages
    c = contracts["minzheng.hunyin"]
    ws = load_workbook(out / "landing" / summary["feeds"][c.id]["days"][0]["path"])[c.delivery.sheet]
    assert [cell.value for cell in ws[1]] == [col.source for col in c.columns]
    frame, _ = df.delivery(out, summary, c)
    assert df.assert_truth_matches_rules(frame, c, df.day_truth(records, c.id), set()) > 0


def test_hunyin_couples_are_a_man_and_a_woman_of_one_household(marriages):
    out, summary, contracts, records = marriages
    persons = pd.read_parquet(out / "sim" / "truth" / "persons.parquet").set_index("id_number")
    frame, _ = df.delivery(out, summary, contracts["minzheng.hunyin"])
    checked = 0
    for r in frame.itertuples():
        if r.male_id_number in persons.index and r.female_id_number in persons.index:
            man, woman = persons.loc[r.male_id_number], persons.loc[r.female_id_number]
            assert (man.sex, woman.sex) == ("男", "女") and man.household_id == woman.household_id
            checked += 1
    assert checked > 0
    day1, _ = df.delivery(out, summary, contracts["minzheng.hunyin"], day=1)
    assert len(day1) == 0


# ---- feeds drawn with the world: a small city run day by day through the feed's own spec and sink ------


def run_feed(out, cid: str, *, persons: int, days: int, world_config: dict | None = None,
             rates: dict | None = None):
    """``simulate`` over a city of ``persons`` for days 0..``days`` with only this feed and the core feeds
    active; the world may take other rates than the default (a high death rate gives a small city enough
    cremations to judge). Returns (landing paths per day, truth records, the contract, the world, the grids)."""
    import shutil

    from ingest.contracts import load_contract
    from simulator.city import simulate
    from simulator.world import build_world, city_grids, make_population

    cdir = out / "contracts"
    for keep in (cid, "gongan.hukou", "gongan.liudong", "shuju.hotline", "zhujian.fangwu"):
        dept, feed = keep.split(".")
        (cdir / dept).mkdir(parents=True, exist_ok=True)
        shutil.copy(df.REPO / "contracts" / dept / f"{feed}.yaml", cdir / dept / f"{feed}.yaml")
    summary = simulate(out, persons=persons, seed=df.SEED, as_of=df.AS_OF, days=days, contracts_dir=cdir,
                       rates={cid: rates} if rates else None, world_config=world_config, progress=False)
    contract = load_contract(cdir / cid.split(".")[0] / f"{cid.split('.')[1]}.yaml")
    population = make_population(df.SEED, df.AS_OF)
    grids = list(city_grids(persons, df.SEED, df.AS_OF, population))
    world = build_world(grids, df.SEED, df.AS_OF, config=world_config, ids=population.ids)
    return [d["path"] for d in summary["feeds"][cid]["days"]], df.truth(out), contract, world, grids


def read(out, contract, rel: str) -> pd.DataFrame:
    from ingest.load import read_file

    batch = read_file(contract, (out / "landing" / rel).read_bytes(), rel)
    assert not batch.bad_rows, batch.bad_rows[:3]
    assert batch.header == [c.source for c in contract.columns]
    names = {c.source: c.name for c in contract.columns}
    frame = pd.DataFrame([{names[k]: ("" if v is None else v) for k, v in r.values.items()} for r in batch.rows],
                         columns=[c.name for c in contract.columns], dtype="string").fillna("")
    frame.index = [r.row_number for r in batch.rows]
    return frame


def judged(frame: pd.DataFrame, contract, as_of) -> pd.Series:
    """The rules each row breaks, judged as of its delivery day (as the pipeline's load date)."""
    from expectations import rules

    broken = pd.Series([set() for _ in range(len(frame))], index=frame.index)
    flat = frame.replace("", pd.NA)
    for rule in contract.rules:
        col = flat[rule.column]
        if rule.rule == "required":
            holds = rules.required(col)
        elif rule.rule == "unique":
            holds = rules.unique(flat.assign(source_file="f", source_row_number=flat.index), list(contract.primary_key))
        elif rule.rule == "gb11643_id":
            holds = rules.gb11643_id(col, as_of)
        elif rule.rule == "date":
            holds = rules.date(col, rule.args["formats"], as_of)
        elif rule.rule == "in_set":
            holds = rules.in_set(col, rule.args["values"])
        elif rule.rule in ("gb2260_division", "mobile_phone", "gb32100_uscc"):
            holds = getattr(rules, rule.rule)(col)
        else:
            raise AssertionError(f"rule {rule.rule} not covered")
        for row in holds.index[~holds.fillna(True).astype(bool)]:
            broken[row].add(rule.rule_id)
    return broken


def assert_days_match(out, paths, records, contract) -> int:
    import datetime as dt

    checked = 0
    for day, rel in enumerate(paths):
        frame = read(out, contract, rel)
        tr = records[(records.contract_id == contract.id) & (records.day == day)].set_index("row_number")
        assert sorted(tr.index) == sorted(frame.index)
        computed = judged(frame, contract, df.AS_OF + dt.timedelta(days=day))
        bad = [(r, list(tr.at[r, "defects"]), sorted(tr.at[r, "broken_rules"]), sorted(computed[r]))
               for r in frame.index if set(tr.at[r, "broken_rules"]) != computed[r]]
        assert not bad, bad[:5]
        checked += len(frame)
    return checked


BINZANG_DAYS = 6


@pytest.fixture(scope="module")
def cremations(tmp_path_factory):
    # 3,000 persons dying at 3 a year (the world default is 0.0075): ~25 deaths a day, enough to judge every kind in a few days
    out = tmp_path_factory.mktemp("binzang")
    paths, records, contract, world, grids = run_feed(out, "minzheng.binzang", persons=3000, days=BINZANG_DAYS,
                                                      world_config={"death_rate": 3.0})
    return out, paths, records, contract, world, grids


def test_binzang_xls_with_a_title_row_day_by_day(cremations):
    out, paths, records, contract, _world, _grids = cremations
    mine = records[records.contract_id == contract.id]
    assert (mine.day == 0).sum() == 0  # the as-of city is alive: the first delivery holds no cremations
    assert mine.day.nunique() >= BINZANG_DAYS - 1 and len(mine) > 60
    sheet = xlrd.open_workbook(str(out / "landing" / paths[2])).sheet_by_name(contract.delivery.sheet)
    assert sheet.cell_value(0, 0).startswith("宜春市遗体火化登记表")
    assert sheet.row_values(1) == [col.source for col in contract.columns]
    assert sheet.nrows - 2 == (mine.day == 2).sum()


def test_binzang_truth_agrees_with_the_rules_each_day(cremations):
    out, paths, records, contract, _world, _grids = cremations
    assert assert_days_match(out, paths, records, contract) > 60


def test_binzang_deceased_are_the_worlds_deaths(cremations):
    """Each cremated person was cremated the day before the delivery, died then or up to three days before by
    the world's vital
    changes, under the ID number the world has for them; nobody is cremated twice; ID numbers are valid
    (python-stdnum) exactly where no ID defect was put."""
    import datetime as dt

    from simulator.feeds.minzheng import cremation

    out, paths, records, contract, world, grids = cremations
    last = df.AS_OF + dt.timedelta(days=BINZANG_DAYS)
    vital = pd.read_parquet(out / "sim" / "truth" / "vital_changes.parquet")  # the one replay every feed shares
    deaths = {r.person_key: {"person_key": r.person_key, "date": r.date, "id_number": r.id_number}
              for r in vital[vital.change == "death"].itertuples()}
    mine = records[(records.contract_id == contract.id) & ~records.defects.map(lambda d: "duplicate" in d)]
    assert mine.entity_key.is_unique and set(mine.entity_key) <= set(deaths)
    people = {p.person_key: p for g in grids for p in g.persons}
    expected = {k for k, d in deaths.items() if k in people and (c := cremation(world, d)) is not None and c < last}
    assert set(mine.entity_key) == expected
    for day, rel in enumerate(paths[1:], 1):
        frame = read(out, contract, rel)
        tr = mine[mine.day == day].set_index("row_number")
        for row in tr.index:
            d, r = deaths[tr.at[row, "entity_key"]], frame.loc[row]
            yesterday = df.AS_OF + dt.timedelta(days=day - 1)
            assert d["date"] <= yesterday <= d["date"] + dt.timedelta(days=3)
            assert r.cremated_date == f"{yesterday:%Y/%m/%d}" or "bad_date" in tr.at[row, "defects"]
            id_hit = {"bad_check_digit", "legacy_15_digit"} & set(tr.at[row, "defects"])
            assert ric.is_valid(r.id_number) == (not id_hit)
            if not id_hit:
                assert r.id_number == d["id_number"] == people[d["person_key"]].id_number


def test_binzang_every_kind_at_high_rates(tmp_path):
    kinds = ("bad_check_digit", "legacy_15_digit", "missing_required", "bad_date", "bad_division", "bad_phone")
    paths, records, contract, _world, _grids = run_feed(tmp_path, "minzheng.binzang", persons=2000, days=5,
                                                        world_config={"death_rate": 4.0},
                                                        rates={k: 0.12 for k in kinds} | {"duplicate": 0.05})
    assert assert_days_match(tmp_path, paths, records, contract) > 40
    assert set(kinds) | {"duplicate"} <= set(df.defect_counts(records))


def test_binzang_default_rates_are_measured(cremations):
    _out, _paths, records, contract, _world, _grids = cremations
    from simulator.defects import default_config

    rates = default_config()[contract.id].rates
    mine = records[records.contract_id == contract.id]
    n = len(mine)
    for kind, rate in rates.items():
        if kind != "duplicate":
            # Planned per grid and day; a day's grid holds a cremation or none, so each is a Bernoulli draw:
            # four standard deviations of the count (+2) never flake and still catch a kind not applied.
            assert abs(df.defect_counts(mine).get(kind, 0) - rate * n) <= 4 * (rate * n) ** 0.5 + 2, kind
    assert 0.85 < mine.is_valid.mean() < 0.99


# ---- 社会组织 ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def social_orgs(tmp_path_factory):
    # 40 social organisations per 1,000 persons instead of 0.6, so a small city has enough to judge
    out = tmp_path_factory.mktemp("shehui")
    kinds = ("bad_uscc", "bad_division", "bad_date", "missing_required", "wrong_code")
    return (out, *run_feed(out, "minzheng.shehui_zuzhi", persons=2000, days=0,
                           world_config={"social_orgs_per_1000": 40.0},
                           rates={k: 0.08 for k in kinds} | {"duplicate": 0.03}))


def test_shehui_zuzhi_lists_the_worlds_social_organisations(social_orgs):
    from openpyxl import load_workbook

    out, paths, records, contract, world, _grids = social_orgs
    ws = load_workbook(out / "landing" / paths[0])[contract.delivery.sheet]
    assert [cell.value for cell in ws[1]] == [col.source for col in contract.columns]
    orgs = [o for o in world.orgs() if o["category"] == "social_org"]
    mine = records[records.contract_id == contract.id]
    assert set(mine.entity_key) == {o["uscc"] for o in orgs} and len(orgs) > 50
    assert all(o["uscc"][0] == "5" and o["org_type"] in ("社会团体", "民办非企业单位", "基金会") for o in orgs)


def test_shehui_zuzhi_truth_agrees_and_codes_valid_exactly_where_clean(social_orgs):
    from stdnum.cn import uscc

    out, paths, records, contract, _world, _grids = social_orgs
    assert assert_days_match(out, paths, records, contract) > 50
    frame = read(out, contract, paths[0])
    tr = records[records.contract_id == contract.id].set_index("row_number")
    hit = tr.loc[frame.index, "defects"].map(lambda d: "bad_uscc" in d)
    assert [uscc.is_valid(v) for v in frame.uscc] == [not h for h in hit] and hit.sum() > 0
    assert {"bad_uscc", "bad_division", "bad_date", "missing_required", "wrong_code", "duplicate"} <= set(
        df.defect_counts(tr))
