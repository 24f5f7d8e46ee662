"""
### CityLake main pipeline: departments → lake → warehouse → quality → report

1. **list_feeds** reads the contracts under `contracts/` (one per feed).
2. **ingest_feed** is mapped over the feeds: each lands its new deliveries (files or API pages) in the
   Parquet lake, every row written or quarantined with a reason (`data/lake/`).
Write, audit, then publish: readers of `warehouse/citylake.duckdb` never see an unaudited build.

3. **dbt_build** (write) builds the private `warehouse/citylake.build.duckdb` (staging → intermediate →
   marts), runs the dbt tests, and returns each mart's upstream feeds from dbt's manifest.
4. **validate** (audit) runs the Great Expectations suites generated from the contracts on the build
   database and records validity per dataset in `quality.validity_runs`.
5. **quality_gate** is mapped over the datasets: a basic dataset below its 90% target fails its gate
   (red in the grid view, the run is marked failed, and an alert is logged — and mailed when the
   `smtp_default` connection is configured) — a verdict on the data, not a crash. A weak gate only warns.
6. **publish** replaces the published warehouse atomically: marts whose feeds all passed their strong
   gates are published, the others keep their last published version (its log and return value list
   both); the quality tables are always published.
7. **quality_report** writes the Chinese quality report (`reports/out/`), whatever the gates say.
8. **correction_lists** writes each department's 问题数据清单 (xlsx + CSV, `reports/out/corrections/<run>/`):
   every invalid record it sent, with file, row, field, value as sent and the rule broken, in Chinese. It
   follows validate through publish, reading the published verdicts like the report.
9. **publish_bi** writes the PII-safe BI database `warehouse/bi.duckdb` from the published warehouse:
   ID numbers, phones, names, birth dates and addresses masked, keyed pseudonyms (`person_key`) for joins,
   Chinese column comments, read-only; renamed into place, so BI readers never block the pipeline nor see
   a half-built file. Only after publish succeeded (its key: `CITYLAKE_BI_KEY` or the `citylake_bi`
   connection). See docs/bi.md.

Configuration is read at run time by `citylake.config`; API tokens come from Airflow connections.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import Asset, AssetAlias, dag, get_current_context, task

LAKE_RAW = Asset("citylake_lake_raw")
# Per-feed events (citylake_lake.<dept>.<feed>) from the mapped ingest, the same Assets the
# per-feed ingest DAGs update; a mapped task's outlets are fixed, so they go through an alias.
FEED_LOADS = AssetAlias("citylake_feed_loads")
WAREHOUSE = Asset("citylake_warehouse")
QUALITY = Asset("citylake_quality_results")
REPORT = Asset("citylake_quality_report")
BI = Asset("citylake_bi_database")


def _alert_gate_failed(context) -> None:
    from citylake.alerts import on_quality_gate_failure

    on_quality_gate_failure(context)


@dag(
    dag_id="citylake_pipeline",
    schedule="0 4 * * *",
    start_date=pendulum.datetime(2026, 1, 1, tz="Asia/Shanghai"),
    catchup=False,
    max_active_runs=1,
    doc_md=__doc__,
    tags=["citylake"],
    default_args={"retries": 0},
)
def citylake_pipeline():
    @task
    def list_feeds() -> list[str]:
        from citylake import pipeline

        return pipeline.feed_ids()

    # map_index_template names each mapped task instance in the UI (the feed, the dataset).
    @task(outlets=[LAKE_RAW, FEED_LOADS], retries=2, retry_delay=pendulum.duration(seconds=30),
          map_index_template="{{ feed }}")
    def ingest_feed(contract_id: str) -> dict:
        from citylake import pipeline
        from citylake.feed_dags import feed_asset_name

        context = get_current_context()
        context["feed"] = contract_id
        summary = pipeline.ingest(contract_id)
        context["outlet_events"][FEED_LOADS].add(
            Asset(feed_asset_name(contract_id)),
            extra={k: summary[k] for k in ("rows_read", "rows_written", "rows_quarantined")},
        )
        return summary

    @task
    def dbt_build(loads: list[dict]) -> dict[str, list[str]]:
        from citylake import pipeline

        return pipeline.build_warehouse()

    @task
    def validate(run_id: str | None = None) -> list[dict]:
        from citylake import pipeline

        # The run is dated by its schedule (logical date), so a backfilled or replayed day describes that
        # day, whatever the clock says; a manual run without one is dated when it was asked for.
        ctx = get_current_context()
        return pipeline.validate(run_id, run_at=ctx.get("logical_date") or ctx["dag_run"].run_after)

    @task(map_index_template="{{ dataset }}", on_failure_callback=_alert_gate_failed)
    def quality_gate(result: dict) -> str:
        from citylake import pipeline

        get_current_context()["dataset"] = f"{result.get('dataset') or result['contract_id']} ({result['contract_id']})"

        return pipeline.enforce_gate(result)

    @task(outlets=[WAREHOUSE, QUALITY])
    def publish(results: list[dict], lineage: dict[str, list[str]], run_id: str | None = None) -> dict:
        from citylake import pipeline

        return pipeline.publish(results, lineage, run_id)

    @task(outlets=[REPORT])
    def quality_report(results: list[dict], run_id: str | None = None) -> str:
        from citylake import pipeline

        return pipeline.report(run_id)

    @task
    def correction_lists(results: list[dict], run_id: str | None = None) -> list[dict]:
        from citylake import pipeline

        return pipeline.correction_lists(run_id)

    @task(outlets=[BI])
    def publish_bi(published: dict, run_id: str | None = None) -> dict:
        from citylake import pipeline

        return pipeline.publish_bi(run_id)

    loads = ingest_feed.expand(contract_id=list_feeds())
    lineage = dbt_build(loads)
    results = validate()
    lineage >> results
    quality_gate.expand(result=results)
    published = publish(results, lineage)
    published >> quality_report(results)
    # After publish, not beside it: publish writes the build database a reader there would lock.
    published >> correction_lists(results)
    publish_bi(published)


citylake_pipeline()
