"""One ingest DAG per feed contract, on the schedule the contract declares.

Departments deliver on their own clocks (公安 nightly, 住建 weekly, 12345 hourly); each feed's contract
says when (``slaProperties.frequency.schedule``, Asia/Shanghai), and its DAG lands new deliveries and
records an event on the feed's Asset. Reading the contracts at parse time is the point: they are the
declaration of these DAGs. Only the YAML loader runs then; the work is imported inside the task.
"""

from __future__ import annotations

from pathlib import Path


def feed_asset_name(contract_id: str) -> str:
    return f"citylake_lake.{contract_id}"


def feed_ingest_dags(contracts_dir: Path | None = None) -> list:
    import pendulum
    from airflow.sdk import DAG, Asset, CronTriggerTimetable, task

    from ingest.contracts import load_contracts

    if contracts_dir is None:
        from citylake.config import settings

        contracts_dir = settings().contracts_dir
    dags = []
    for c in load_contracts(contracts_dir):
        if not c.schedule:
            continue
        with DAG(
            dag_id=f"ingest__{c.dept}__{c.feed}",
            schedule=CronTriggerTimetable(c.schedule, timezone=c.timezone),
            start_date=pendulum.datetime(2026, 1, 1, tz=c.timezone),
            catchup=False,
            max_active_runs=1,
            tags=["citylake", "ingest", c.dept, c.domain],
            doc_md=(
                f"### 接入 {c.department_name} · {c.title} (`{c.id}`)\n\n"
                f"Lands new deliveries of this feed in the lake on the contract's schedule "
                f"`{c.schedule}` ({c.timezone}). Delivery: {c.delivery.kind}/{c.delivery.format}"
                f"{f', encoding {c.delivery.encoding}' if c.delivery.encoding else ''}. "
                f"Contract: `contracts/{c.dept}/{c.feed}.yaml`."
            ),
            default_args={"retries": 2, "retry_delay": pendulum.duration(minutes=5)},
        ) as dag:

            @task(task_id="ingest", outlets=[Asset(feed_asset_name(c.id))])
            def ingest(contract_id: str = c.id) -> dict:
                from citylake import pipeline

                return pipeline.ingest(contract_id)

            ingest()
        dags.append(dag)
    return dags
