"""docs/onboarding.md, executed: its contract checks clean, gets its DAG and dbt source, and ingests."""

import re
import shutil
from pathlib import Path

import pyarrow.dataset as ds
import yaml

from citylake.dbt import generate_sources_yaml
from ingest.contracts import check_contract_file, load_contracts
from ingest.load import ingest_files

ROOT = Path(__file__).resolve().parents[2]


def _contract_from_doc(tmp_path: Path) -> Path:
    doc = (ROOT / "docs/onboarding.md").read_text(encoding="utf-8")
    (block,) = re.findall(r"```yaml\n(.*?)```", doc, re.S)
    contracts = tmp_path / "contracts"
    shutil.copytree(ROOT / "contracts", contracts)
    path = contracts / "canlian" / "disabled.yaml"
    path.parent.mkdir(exist_ok=True)  # canlian has feeds of its own (canlian.canji)
    path.write_text(block, encoding="utf-8")
    return path


def test_documented_contract_checks_clean_and_drives_sources_and_dags(tmp_path):
    path = _contract_from_doc(tmp_path)
    assert check_contract_file(path) == []
    contracts = load_contracts(path.parent.parent)
    sources = yaml.safe_load(generate_sources_yaml(contracts))
    (canlian,) = [s for s in sources["sources"] if s["name"] == "canlian"]
    (table,) = [t for t in canlian["tables"] if t["name"] == "disabled"]  # beside 残联's own active feeds
    assert table["description"].startswith("One row per disability certificate")
    assert [c["description"] for c in table["columns"]][:3] == ["残疾人证号", "公民身份号码", "姓名"]

    from citylake.feed_dags import feed_ingest_dags

    (dag,) = [d for d in feed_ingest_dags(path.parent.parent) if d.dag_id == "ingest__canlian__disabled"]
    assert dag.timetable.expression == "0 6 * * 1"


def test_documented_delivery_lands(tmp_path):
    path = _contract_from_doc(tmp_path)
    (contract,) = [c for c in load_contracts(path.parent.parent) if c.id == "canlian.disabled"]
    drop = tmp_path / "landing/canlian/disabled"
    drop.mkdir(parents=True)
    rows = [
        "残疾人证号,身份证号,姓名,残疾类别,残疾等级,发证日期,行政区划",
        "36090219850312001X11,36090219850312001X,张三,肢体,二级,2020-05-01,360902",
        "36098119900101002312,360981199001010023,李四,视力,一级,2019-03-12,360981",
        "36092219700709003144,360922197007090031,王五,听力,四级,2021-11-30,360922",
    ]
    (drop / "disabled_20261123.csv").write_bytes(("\r\n".join(rows) + "\r\n").encode("gbk"))
    (r,) = ingest_files(contract, tmp_path / "landing", tmp_path / "lake")
    assert (r.status, r.rows_read, r.rows_written, r.rows_quarantined) == ("loaded", 3, 3, 0)
    t = ds.dataset(tmp_path / "lake/raw/canlian/disabled", format="parquet", partitioning="hive").to_table()
    assert t.column("name").to_pylist() == ["张三", "李四", "王五"]
    assert t.column("category").to_pylist() == ["肢体", "视力", "听力"]
