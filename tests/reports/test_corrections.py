"""问题数据清单: every department's invalid records, read back from the xlsx and CSV files it receives."""

from __future__ import annotations

import csv
import json
from collections import defaultdict

import duckdb
import pytest
from openpyxl import load_workbook

from expectations.runner import validate
from reports.corrections import HEADER, SHEET, CorrectionListError, safe_name, split_source, write_lists
from tests.expectations.small_city import EXPECTED_FAILURES, build, contracts, rows_by_contract, settings_for


def _xlsx_rows(path) -> list[tuple]:
    wb = load_workbook(path, read_only=True)
    try:
        sheets = [n for n in wb.sheetnames if n.startswith(SHEET)]
        rows = [tuple("" if v is None else v for v in r) for n in sheets for r in wb[n].iter_rows(values_only=True)]
    finally:
        wb.close()
    return rows


def _csv_rows(path) -> list[tuple]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "CSV must start with a UTF-8 BOM so Excel reads it as UTF-8"
    with open(path, encoding="utf-8-sig", newline="") as f:
        return [tuple(r) for r in csv.reader(f)]


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("wh")
    build(tmp / "citylake.duckdb")
    con = duckdb.connect(str(tmp / "citylake.duckdb"))
    # a value that looks like a formula must reach the department as the text it sent
    con.execute("update staging.stg_gongan__hukou set phone = '=1+1' where record_id = 'hukou:13'")
    con.close()
    settings = settings_for(tmp)
    validate(settings, "scheduled__2026-11-21T04:00:00+08:00")
    return settings, {d.dept: d for d in write_lists(settings)}


def test_every_department_of_the_run_gets_its_pair(small):
    settings, lists = small
    assert set(lists) == {"gongan", "zhujian", "shuju"}
    folder = settings.reports_dir / "corrections" / "scheduled__2026-11-21T04_00_00_08_00"
    for d in lists.values():
        assert d.xlsx == str(folder / f"{d.dept}_{d.department}_问题数据清单.xlsx")
        assert _xlsx_rows(d.xlsx)[0] == HEADER and _csv_rows(folder / d.csv)[0] == HEADER
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert {m["dept"]: m["records"] for m in manifest["departments"]} == {"gongan": 17, "zhujian": 1, "shuju": 0}
    # warnings do not make a record invalid: 12345's list is the header alone
    assert lists["shuju"].rows == 0 and len(_xlsx_rows(lists["shuju"].xlsx)) == 1


def test_rows_are_the_broken_error_rules_with_values_quoted_from_staging(small):
    _, lists = small
    cs = contracts()
    sent = {rid: (row_number, row) for rows in rows_by_contract().values() for rid, row_number, row, _ in rows}
    expected = set()
    for cid in ("gongan.hukou", "gongan.liudong"):
        c = cs[cid]
        rule = {r.rule_id: r for r in c.rules}
        for rid, broken in EXPECTED_FAILURES[cid].items():
            for rule_id in broken:
                r = rule[rule_id]
                if r.severity != "error":
                    continue
                row_number, row = sent[rid]
                value = "=1+1" if rid == "hukou:13" else row[r.column]
                expected.add((c.title, cid, f"{c.dept}/{c.feed}/file1", "", row_number, c.column(r.column).label,
                              value, r.name, r.gbt36344, "错误", rid))
    got = _xlsx_rows(lists["gongan"].xlsx)[1:]
    assert len(got) == len(expected) == lists["gongan"].rows == 18
    assert set(got) == expected
    # file order, then the contract's rule order within a record (hukou:07: ID number before birth date)
    assert [r[-1] for r in got] == sorted((r[-1] for r in got), key=lambda x: (x.split(":")[0] != "hukou", x))
    assert [r[5] for r in got if r[-1] == "hukou:07"] == ["公民身份号码", "出生日期"]
    # the full-width ID number and the blank name are quoted exactly as sent
    assert any(r[6] == "３６２２０１１９９００１０１００５１" for r in got if r[-1] == "hukou:06")
    assert [r[6] for r in got if r[-1] == "hukou:14"] == ["  "]


def test_csv_holds_the_same_rows(small):
    _, lists = small
    for d in lists.values():
        xlsx = [tuple(str(v) for v in r) for r in _xlsx_rows(d.xlsx)]
        assert _csv_rows(__import__("pathlib").Path(d.csv)) == xlsx


def test_formula_like_values_stay_text(small):
    _, lists = small
    wb = load_workbook(lists["gongan"].xlsx)
    cells = [row[6] for row in wb[SHEET].iter_rows(min_row=2) if row[10].value == "hukou:13"]
    assert [(c.value, c.data_type) for c in cells] == [("=1+1", "s")]
    assert wb[SHEET].freeze_panes == "A2" and "说明" in wb.sheetnames


def test_a_rebuilt_warehouse_is_refused(tmp_path):
    build(tmp_path / "citylake.duckdb", only=["zhujian.fangwu"])
    settings = settings_for(tmp_path)
    validate(settings, "r1")
    con = duckdb.connect(str(settings.warehouse))
    con.execute("delete from staging.stg_zhujian__fangwu where record_id = 'fangwu:10'")
    con.close()
    with pytest.raises(CorrectionListError, match="fangwu:10 of run r1 is no longer in staging.stg_zhujian__fangwu"):
        write_lists(settings, "r1")
    assert not (settings.reports_dir / "corrections" / "r1").exists()  # nothing half-written


def test_no_run_is_a_clear_error(tmp_path):
    build(tmp_path / "citylake.duckdb", only=["zhujian.fangwu"])
    settings = settings_for(tmp_path)
    validate(settings, "r1")
    with pytest.raises(CorrectionListError, match="no validity run 'nope'"):
        write_lists(settings, "nope")


def test_sources_and_sheets():
    cs = contracts()
    fangwu, hukou = cs["zhujian.fangwu"], cs["gongan.hukou"]
    assert split_source(fangwu, "zhujian/fangwu/fangwu_20261121.xlsx") == ("zhujian/fangwu/fangwu_20261121.xlsx", "房屋信息")
    assert split_source(hukou, "gongan/hukou/a.csv") == ("gongan/hukou/a.csv", "")
    all_sheets = next(c for c in __import__("ingest.contracts", fromlist=["x"]).load_contracts(
        __import__("pathlib").Path(__file__).resolve().parents[2] / "contracts") if c.delivery.sheet == "*")
    assert split_source(all_sheets, "x/y.xlsx#袁州区") == ("x/y.xlsx", "袁州区")
    assert safe_name("manual__2026-11-21T04:00:00.123+00:00") == "manual__2026-11-21T04_00_00.123_00_00"


# --- a simulated city, graded against the simulator's ground truth --------------------------------------


def _truth_keys(con, truth: str, contract) -> dict:
    """record id → the truth's key of that record: (file, row) for file feeds, the primary key otherwise."""
    stg = f"staging.stg_{contract.dept}__{contract.feed}"
    if contract.delivery.kind == "file":
        return {rid: (f, n) for rid, f, n in con.execute(f"select record_id, source_file, source_row_number from {stg}").fetchall()}
    key = " || '|' || ".join(f"coalesce(\"{k}\", '')" for k in contract.primary_key)
    return {rid: k for rid, k in con.execute(f"select record_id, {key} from {stg}").fetchall()}


def test_every_invalid_record_of_the_truth_is_on_its_departments_list():
    from ingest.contracts import load_contracts
    from tests.expectations.sim_validated import RUN_ID, sim_validated

    s = sim_validated()
    lists = {d.dept: d for d in write_lists(s, RUN_ID)}
    contracts_ = load_contracts(s.contracts_dir)
    con = duckdb.connect(str(s.warehouse), read_only=True)
    validated = {r[0] for r in con.execute("select contract_id from quality.validity_runs").fetchall()}
    assert set(lists) == {c.dept for c in contracts_ if c.id in validated}  # every department gets its list
    truth = str(s.sim_dir / "truth" / "records.parquet")
    problems, listed_total = [], 0
    for dept, d in lists.items():
        rows = _xlsx_rows(d.xlsx)[1:]
        assert len(rows) == d.rows
        by_feed = defaultdict(set)
        for r in rows:
            by_feed[r[1]].add((r[-1], r[5], r[7]))  # record id, field label, rule name
        for c in (c for c in contracts_ if c.dept == dept and c.id in validated):
            by_words = {(c.column(r.column).label, r.name): r.rule_id for r in c.rules}
            assert len(by_words) == len(c.rules), f"{c.id}: a list row must name its rule unambiguously"
            errors = {r.rule_id for r in c.rules if r.severity == "error"}
            keys = _truth_keys(con, truth, c)
            listed = {(keys[rid], by_words[(label, name)]) for rid, label, name in by_feed.pop(c.id, set())}
            source = "source || '#' || sheet" if c.delivery.sheet == "*" else "source"
            key = f"({source}, row_number::bigint)" if c.delivery.kind == "file" else "record_key"
            expected = set()
            for k, broken in con.execute(
                f"select {key}, broken_rules from read_parquet('{truth}') where contract_id = ? and not is_valid "
                "and not list_has_any(broken_rules, ['_record:unparseable', '_record:encoding'])"
                + ("" if c.delivery.kind == "file" else " and day = 0"),
                [c.id],
            ).fetchall():
                k = tuple(k.values()) if isinstance(k, dict) else k
                expected |= {(k, rule_id) for rule_id in broken if rule_id in errors}
            listed_total += len(listed)
            if listed != expected:
                problems.append((c.id, sorted(expected - listed)[:5], sorted(listed - expected)[:5]))
        assert not by_feed, f"{dept}: rows of feeds it does not own: {set(by_feed)}"
    con.close()
    assert not problems, problems
    assert listed_total > 300, listed_total  # a real city's lists, not empty ones
