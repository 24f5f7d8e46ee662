import os

# Before anything imports Great Expectations or Airflow.
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")

# Scheduling for make test's 15-minute budget on two cores. pytest-xdist hands out whole files (--dist
# loadfile) in collection order. The end-to-end run starts at once on one worker while the other builds the
# session's shared city (tests/published_city.py, via test_bi); the files that read that city come last, so
# no worker sits waiting on its lock; the other files keep their order in between.
FIRST = ("tests/e2e/test_pipeline_run.py", "tests/citylake/test_bi.py", "tests/dbt_project/test_models.py")
SHARED_CITY_LAST = (
    "tests/citylake/test_publish_sim_city.py",
    "tests/dbt_project/test_persons.py",
    "tests/dbt_project/test_events.py",
    "tests/dbt_project/test_housing.py",
    "tests/dbt_project/test_indicators.py",
    "tests/dbt_project/test_orgs_video_reference.py",
    "tests/dbt_project/test_sim_city.py",
    "tests/reports/test_delivery.py",
    "tests/reports/test_leadership.py",
    "tests/reports/test_pdf_look.py",
    "tests/reports/test_corrections.py",
    "tests/expectations/test_independent_check.py",
    "tests/dags/test_report_dags.py",
)


def pytest_collection_modifyitems(session, config, items):
    def rank(item) -> tuple[int, int]:
        path = item.nodeid.split("::", 1)[0]
        if path in FIRST:
            return 0, FIRST.index(path)
        if path in SHARED_CITY_LAST:
            return 2, SHARED_CITY_LAST.index(path)
        return 1, 0

    items.sort(key=rank)  # stable: the other files keep their order
