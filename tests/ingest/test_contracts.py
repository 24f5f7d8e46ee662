from pathlib import Path

import pytest
import yaml

from ingest.contracts import ContractError, check_contract_file, load_contracts, parse_contract

ROOT = Path(__file__).resolve().parents[2]


def test_every_contract_is_valid_odcs_and_complete():
    files = sorted((ROOT / "contracts").glob("*/*.yaml"))
    assert len(files) >= 4
    for f in files:
        assert check_contract_file(f) == [], f


def test_loader_reads_delivery_rules_and_labels():
    cs = {c.id: c for c in load_contracts(ROOT / "contracts")}
    hukou = cs["gongan.hukou"]
    assert hukou.delivery.kind == "file" and hukou.delivery.encoding == "gbk"
    assert hukou.basic_dataset == "实有人口" and hukou.validity_target == 0.9 and hukou.gate == "strong"
    assert hukou.column("id_number").source == "公民身份号码" and hukou.column("id_number").pii == "id_number"
    ids = {r.rule_id for r in hukou.rules}
    assert {"id_number:gb11643_id", "id_number:unique", "name:required", "address:address_resolvable"} <= ids
    assert cs["shuju.hotline"].delivery.connection == "shuju_12345"
    assert cs["zhujian.fangwu"].delivery.header_row == 2


def test_unknown_rule_is_rejected_with_file_and_column():
    data = yaml.safe_load((ROOT / "contracts/gongan/hukou.yaml").read_text(encoding="utf-8"))
    data["schema"][0]["properties"][0]["quality"][0]["implementation"] = "gb99999_magic"
    with pytest.raises(ContractError, match="id_number: unknown rule 'gb99999_magic'"):
        parse_contract(data)


def test_draft_contracts_are_checked_but_not_run(tmp_path):
    import shutil

    shutil.copytree(ROOT / "contracts", tmp_path / "contracts")
    draft = tmp_path / "contracts/gongan/liudong.yaml"
    draft.write_text(draft.read_text(encoding="utf-8").replace("status: active", "status: draft"), encoding="utf-8")
    active = {c.id for c in load_contracts(tmp_path / "contracts")}
    assert "gongan.liudong" not in active and "gongan.hukou" in active
    assert "gongan.liudong" in {c.id for c in load_contracts(tmp_path / "contracts", include_inactive=True)}
    assert check_contract_file(draft) == []
