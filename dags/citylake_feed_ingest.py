"""
### Per-feed ingest DAGs: `ingest__<dept>__<feed>`, one per contract, on the contract's schedule

Each lands its feed's new deliveries in the lake and updates the feed's Asset (`citylake_lake.<dept>.<feed>`).
The daily `citylake_pipeline` maps over every feed as well (ingestion is idempotent), then builds the
warehouse. The DAGs are built from `contracts/` by `citylake.feed_dags`.
"""

from __future__ import annotations

from airflow.sdk import DAG


def _feed_dags() -> list[DAG]:
    from citylake.feed_dags import feed_ingest_dags

    return feed_ingest_dags()


for _dag in _feed_dags():
    globals()[_dag.dag_id] = _dag
