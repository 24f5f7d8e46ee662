"""The DAG folder imports cleanly and wires the stages as documented."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def dagbag(tmp_path_factory):
    from tests.dags.dagbag import loaded_dagbag

    with loaded_dagbag(ROOT / "dags", tmp_path_factory.mktemp("data")) as bag:
        yield bag


def test_no_import_errors(dagbag):
    assert dagbag.import_errors == {}
    assert "citylake_pipeline" in dagbag.dag_ids


def test_one_ingest_dag_per_contract_on_its_own_schedule(dagbag):
    from ingest.contracts import load_contracts

    contracts = load_contracts(ROOT / "contracts")
    assert contracts
    for c in contracts:
        dag = dagbag.dags[f"ingest__{c.dept}__{c.feed}"]
        assert dag.timetable.expression == c.schedule
        assert "Asia/Shanghai" in str(dag.timetable.timezone)
        (task,) = dag.tasks
        assert [a.name for a in task.outlets] == [f"citylake_lake.{c.id}"]
        assert c.title in dag.doc_md and c.schedule in dag.doc_md
        assert task.retries == 2


def test_pipeline_shape(dagbag):
    dag = dagbag.dags["citylake_pipeline"]
    assert dag.doc_md and "quality_gate" in dag.doc_md
    assert str(dag.timezone) in ("Asia/Shanghai", "Timezone('Asia/Shanghai')")
    t = dag.task_dict
    assert {"list_feeds", "ingest_feed", "dbt_build", "validate", "quality_gate", "publish",
            "quality_report"} <= set(t)
    assert t["ingest_feed"].upstream_task_ids == {"list_feeds"}
    assert t["dbt_build"].upstream_task_ids == {"ingest_feed"}
    assert t["validate"].upstream_task_ids == {"dbt_build"}
    assert t["quality_gate"].upstream_task_ids == {"validate"}
    # Write, audit, then publish: publish waits for the audit, not for the gates (a failed gate holds marts
    # back, it does not stop the verdicts from being published); the report reads what was published.
    assert t["publish"].upstream_task_ids == {"validate", "dbt_build"}
    assert t["quality_report"].upstream_task_ids >= {"validate", "publish"}
    assert [a.name for a in t["ingest_feed"].outlets] == ["citylake_lake_raw", "citylake_feed_loads"]
    assert t["dbt_build"].outlets == [] and t["validate"].outlets == []
    assert [a.name for a in t["publish"].outlets] == ["citylake_warehouse", "citylake_quality_results"]
    assert t["quality_gate"].on_failure_callback, "a failed strong gate must raise an alert"
    # 问题数据清单 follow the audit through publish: they quote the published verdicts, and reading the build
    # database beside publish would lock it.
    assert t["correction_lists"].upstream_task_ids == {"validate", "publish"}
    assert "correction_lists" in dag.doc_md


def test_dag_files_only_wire():
    """No heavy imports at module level in DAG files: parsing stays fast and side-effect free."""
    import ast

    for f in (ROOT / "dags").glob("*.py"):
        tree = ast.parse(f.read_text(encoding="utf-8"))
        top = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
        names = {(n.module or "") if isinstance(n, ast.ImportFrom) else n.names[0].name for n in top}
        assert names <= {"__future__", "pendulum", "airflow.sdk"}, f"{f.name}: {names}"
