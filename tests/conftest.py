import os

# Before anything imports Great Expectations or Airflow.
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")

# The longest test files first: pytest-xdist hands out whole files (--dist loadfile) in collection order,
# so starting the end-to-end run and the shared city's users early keeps both workers busy to the end
# instead of leaving one long file running alone (make test's 15-minute budget on two cores).
FIRST = (
    "tests/e2e/test_pipeline_run.py",
    "tests/citylake/test_publish_sim_city.py",
    "tests/dbt_project/test_models.py",
    "tests/citylake/test_bi.py",
    "tests/dbt_project/test_persons.py",
)


def pytest_collection_modifyitems(session, config, items):
    def rank(item) -> int:
        path = item.nodeid.split("::", 1)[0]
        return FIRST.index(path) if path in FIRST else len(FIRST)

    items.sort(key=rank)  # stable: the other files keep their order
