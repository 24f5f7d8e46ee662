from expectations.suites import build_suite
from tests.expectations.small_city import contracts


def test_one_expectation_per_rule_with_meta():
    for contract in contracts().values():
        suite = build_suite(contract)
        assert suite.name == f"citylake.{contract.id}"
        metas = [e.meta for e in suite.expectations]
        assert [m["rule_id"] for m in metas] == [r.rule_id for r in contract.rules]
        for m, r in zip(metas, contract.rules):
            assert (m["rule_name"], m["dimension"], m["severity"]) == (r.name, r.gbt36344, r.severity)


def test_rules_map_to_expectations():
    suite = build_suite(contracts()["gongan.hukou"])
    types = {e.meta["rule_id"]: type(e).__name__ for e in suite.expectations}
    assert types["name:required"] == "ExpectColumnValuesToNotBeNull"
    assert types["sex:in_set"] == "ExpectColumnValuesToBeInSet"
    assert types["id_number:gb11643_id"] == "ExpectColumnPairValuesToBeValidGb11643Id"
    assert types["division_code:gb2260_division"] == "ExpectColumnValuesToBeYichunGb2260Division"
    assert types["phone:mobile_phone"] == "ExpectColumnValuesToBeMobilePhone"
    assert types["updated_at:fresh"] == "ExpectColumnPairValuesToBeFreshWithin"
    fresh = next(e for e in suite.expectations if e.meta["rule_id"] == "updated_at:fresh")
    assert (fresh.column_B, fresh.reverify_days) == ("load_date", 365)
    warning = next(e for e in suite.expectations if e.meta["rule_id"] == "registered_date:date")
    assert warning.severity == "warning"
