"""Child process of `citylake run`: one ``dag.test()`` run, task states written as JSON.

Usage: python -m citylake.dagrun DAG_ID OUT_JSON [LOGICAL_DATE] (ISO 8601 with its offset; the Airflow
environment comes from the parent).
"""

from __future__ import annotations

import json
import os
import sys


def main(dag_id: str, out_path: str, logical_date: str | None = None) -> int:
    import datetime as dt

    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=os.environ["AIRFLOW__CORE__DAGS_FOLDER"])
    if bag.import_errors:
        print(f"DAG import errors: {bag.import_errors}", file=sys.stderr)
        return 2
    dag = bag.dags[dag_id]
    dr = dag.test(logical_date=dt.datetime.fromisoformat(logical_date)) if logical_date else dag.test()
    tasks: dict[str, list[str]] = {}
    for ti in sorted(dr.get_task_instances(), key=lambda t: (t.task_id, t.map_index)):
        label = f"{ti.rendered_map_index}: " if ti.map_index >= 0 and ti.rendered_map_index else ""
        tasks.setdefault(ti.task_id, []).append(f"{label}{ti.state}")
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump({"run_id": dr.run_id, "state": str(dr.state), "tasks": tasks}, f)
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
