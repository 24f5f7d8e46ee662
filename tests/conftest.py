import os

# Before anything imports Great Expectations or Airflow.
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")


# ---- the shared city, built in the background from the start of a parallel run ----------------------------
# Without this, the first worker to reach a reader of the shared city builds it (~3 minutes) while the other
# worker, reaching a reader too, waits idle on the lock. Started here, by the controlling process before its
# workers exist, the build overlaps the workers' other tests; a worker that needs the city before it is done
# waits on the same lock (tests/shared_build.py), and one that finds it failed builds it itself and fails
# with the real error.
_prebuild = None


def _wants_shared_city(config) -> bool:
    if hasattr(config, "workerinput") or not config.pluginmanager.hasplugin("xdist"):
        return False
    if not config.getoption("numprocesses", None) or os.environ.get("CITYLAKE_TEST_PUBLISHED_CITY"):
        return False
    # Only for whole-suite runs (make test, make test-slow): a run of a few files may not read the city.
    return not config.args or [str(a).rstrip("/") for a in config.args] == ["tests"]


def pytest_configure(config):
    global _prebuild
    if not _wants_shared_city(config):
        return
    import subprocess
    import sys
    import tempfile
    import uuid

    # The workers' session id, fixed now, names the shared city's folder for them and for the builder.
    config.option.testrunuid = config.getoption("testrunuid") or uuid.uuid4().hex
    log = open(os.path.join(tempfile.gettempdir(), f"citylake-city-{os.getuid()}-{config.option.testrunuid}.log"), "w")
    _prebuild = subprocess.Popen(
        [sys.executable, "-c", "from tests.published_city import published_city; published_city()"],
        cwd=str(config.rootpath), stdout=log, stderr=subprocess.STDOUT,
        env={**os.environ, "PYTEST_XDIST_TESTRUNUID": config.option.testrunuid})
    log.close()


def pytest_unconfigure(config):
    if _prebuild is not None and _prebuild.poll() is None:
        _prebuild.terminate()
        _prebuild.wait(timeout=60)


# Readers of the shared city run last, so the workers do everything else while it builds. pytest-xdist would
# otherwise order files by their number of tests (hence --no-loadscope-reorder in the Makefile); the key is
# per file, because --dist loadfile keeps a file's tests together where its first test is.
_CITY_FIXTURES = {"sim_built", "sim_wh"}
_CITY_NAMES = ("published_city", "built_city", "sim_validated")


def pytest_collection_modifyitems(session, config, items):
    readers: set = set()
    texts: dict = {}
    for item in items:
        path = item.path
        if path not in texts:
            texts[path] = path.read_text(encoding="utf-8") if path.suffix == ".py" else ""
        if _CITY_FIXTURES & set(getattr(item, "fixturenames", ())) or any(n in texts[path] for n in _CITY_NAMES):
            readers.add(path)
    items.sort(key=lambda item: item.path in readers)
