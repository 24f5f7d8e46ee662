import duckdb
import pytest

from expectations.runner import DatasetResult, ValidationError, gate_failures, summarise, validate
from tests.expectations.small_city import EXPECTED_FAILURES, build, contracts, rows_by_contract, settings_for


@pytest.fixture(scope="module")
def validated(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("wh")
    build(tmp / "citylake.duckdb")
    settings = settings_for(tmp)
    results = validate(settings, "run-1")
    return settings, {r.contract_id: r for r in results}


def _query(settings, sql, params=()):
    con = duckdb.connect(str(settings.warehouse), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


def test_dataset_results(validated):
    _, results = validated
    assert results["gongan.hukou"] == DatasetResult(
        "gongan.hukou", "实有人口", "公安局", 19, 5, 5 / 19, 0.9, False, "strong"
    )
    assert results["gongan.liudong"] == DatasetResult(
        "gongan.liudong", "流动人口", "公安局", 5, 2, 0.4, 0.9, False, "strong"
    )
    # 9 of 10 is exactly the target: the target is "not below 90%".
    assert results["zhujian.fangwu"] == DatasetResult(
        "zhujian.fangwu", "实有房屋", "住建局", 10, 9, 0.9, 0.9, True, "strong"
    )
    # Not a basic dataset: no target; its rules are warnings, so every record is valid.
    assert results["shuju.hotline"] == DatasetResult(
        "shuju.hotline", "12345热线工单", "政务服务数据管理局", 3, 3, 1.0, None, None, "weak"
    )
    assert [r.contract_id for r in gate_failures(list(results.values()))] == ["gongan.hukou", "gongan.liudong"]


def test_record_verdicts_name_every_failed_rule(validated):
    settings, _ = validated
    cs = contracts()
    for cid, rows in rows_by_contract().items():
        got = {
            rid: (is_valid, list(failed))
            for rid, is_valid, failed in _query(
                settings,
                "select record_id, is_valid, failed_rules from quality.record_verdicts where run_id = ? and contract_id = ?",
                ["run-1", cid],
            )
        }
        assert set(got) == {r[0] for r in rows}, cid
        errors = {r.rule_id for r in cs[cid].rules if r.severity == "error"}
        for rid, _, _, _ in rows:
            failed = EXPECTED_FAILURES[cid].get(rid, [])
            assert got[rid] == (not set(failed) & errors, failed), rid


def test_warning_rules_do_not_invalidate(validated):
    settings, _ = validated
    # registered_date:date is a warning in 户籍人口: reported, record still valid.
    assert _query(
        settings, "select is_valid, failed_rules from quality.record_verdicts where record_id = 'hukou:15'"
    ) == [(True, ["registered_date:date"])]


def test_rule_results(validated):
    settings, _ = validated
    rows = _query(
        settings,
        "select rule_id, rule_name, dimension, severity, checked, failed from quality.rule_results "
        "where run_id = 'run-1' and contract_id = 'gongan.hukou'",
    )
    by_rule = {r[0]: r[1:] for r in rows}
    assert len(rows) == len(contracts()["gongan.hukou"].rules)
    assert by_rule["id_number:gb11643_id"] == ("身份号码符合GB 11643", "规范性", "error", 19, 5)
    assert by_rule["id_number:unique"] == ("记录不重复", "准确性", "error", 19, 1)
    assert by_rule["address:address_resolvable"] == ("地址可匹配标准地址", "一致性", "error", 19, 2)
    assert by_rule["updated_at:fresh"] == ("在核查周期内更新", "时效性", "error", 19, 2)
    assert by_rule["name:required"] == ("姓名不能为空", "完整性", "error", 19, 1)
    assert by_rule["registered_date:date"][2:] == ("warning", 19, 1)
    assert sum(r[-1] for r in rows) == sum(len(v) for v in EXPECTED_FAILURES["gongan.hukou"].values())


def test_validity_runs_row(validated):
    settings, _ = validated
    rows = _query(
        settings,
        "select contract_id, dataset, department, records, valid_records, validity_ratio, target, passed, gate "
        "from quality.validity_runs where run_id = 'run-1' order by contract_id",
    )
    assert rows[0] == ("gongan.hukou", "实有人口", "公安局", 19, 5, pytest.approx(5 / 19), 0.9, False, "strong")
    assert [r[0] for r in rows] == ["gongan.hukou", "gongan.liudong", "shuju.hotline", "zhujian.fangwu"]


def test_runs_append_and_rerun_replaces(tmp_path):
    build(tmp_path / "citylake.duckdb", only=["zhujian.fangwu"])
    settings = settings_for(tmp_path)
    validate(settings, "a")
    validate(settings, "b")
    validate(settings, "b")  # a retried task must not double its rows
    assert _query(settings, "select run_id, count(*) from quality.validity_runs group by 1 order by 1") == [
        ("a", 1),
        ("b", 1),
    ]
    assert _query(settings, "select count(*) from quality.record_verdicts") == [(20,)]


def test_missing_staging_table_is_skipped(tmp_path):
    build(tmp_path / "citylake.duckdb", only=["shuju.hotline"])
    results = validate(settings_for(tmp_path), "r")
    assert [r.contract_id for r in results] == ["shuju.hotline"]


def test_summary_is_clear():
    text = summarise(
        [
            DatasetResult("gongan.liudong", "流动人口", "公安局", 1000, 841, 0.841, 0.9, False, "strong"),
            DatasetResult("gongan.hukou", "实有人口", "公安局", 1000, 950, 0.95, 0.9, True, "strong"),
            DatasetResult("shuju.hotline", "12345热线工单", "政务服务数据管理局", 10, 10, 1.0, None, None, "weak"),
        ]
    )
    lines = text.splitlines()
    assert lines[0].startswith("✗ 流动人口 (gongan.liudong) 84.1% < 90% — 未达标 FAILED")
    assert lines[1].startswith("✓ 实有人口 (gongan.hukou) 95.0% ≥ 90% — 达标 PASSED")
    assert "无目标" in lines[2]
    assert "1/2" in lines[3] and "流动人口" in lines[3]


def test_staging_without_a_contract_column_is_a_clear_error(tmp_path):
    build(tmp_path / "citylake.duckdb", only=["zhujian.fangwu"])
    con = duckdb.connect(str(tmp_path / "citylake.duckdb"))
    con.execute("alter table staging.stg_zhujian__fangwu drop column owner_name")
    con.close()
    with pytest.raises(ValidationError, match="stg_zhujian__fangwu lacks column.s. owner_name"):
        validate(settings_for(tmp_path), "r")
    assert _query(settings_for(tmp_path), "select count(*) from information_schema.tables where table_schema = 'quality'") == [(0,)]
