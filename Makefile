# CityLake — `make run` runs the pipeline on the sample city; `make test` runs the tests.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.8
PERSONS ?= 10000
SEED ?= 20261121
export GX_ANALYTICS_ENABLED := false
export DO_NOT_TRACK := 1

.DEFAULT_GOAL := help

.PHONY: help
help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36m%-16s\033[0m %s\n", $$1, $$2}'

$(VENV)/.installed: pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet uv==$(UV_VERSION)
	@# Bytecode compiled once here: every CLI call and Airflow task would otherwise recompile what it imports
	@# (0.3 s a call where PYTHONDONTWRITEBYTECODE is set, as in CI).
	$(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python -r requirements.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	touch $@

.PHONY: install
install: $(VENV)/.installed ## Create .venv with exactly the locked package set

# Chromium and a CJK font let the tests look at reports the way people see them. Installed from
# Debian when we are root (CI, the dev machines); elsewhere those checks are skipped with a note.
SYSTEM_PACKAGES := chromium fonts-wqy-zenhei
.PHONY: system-deps
system-deps: ## Install Chromium + a Chinese font from Debian when root (for the report checks)
	@if command -v chromium >/dev/null && fc-list :lang=zh 2>/dev/null | grep -q .; then exit 0; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing $(SYSTEM_PACKAGES) from Debian ..."; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(SYSTEM_PACKAGES) >/dev/null; \
	else echo "note: $(SYSTEM_PACKAGES) not installed (not root): browser checks of the reports will be skipped"; fi

.PHONY: lock
lock: ## Re-resolve requirements.lock from pyproject.toml (needs the package index)
	$(BIN)/uv pip compile pyproject.toml --extra test --python-version 3.11 -o requirements.lock --no-header --annotation-style line

.PHONY: run
run: install ## Run the whole pipeline through Airflow on the sample city (PERSONS=10000 SEED=...)
	$(BIN)/citylake run --persons $(PERSONS) --seed $(SEED)

.PHONY: simulate
simulate: install ## (Re)generate the sample city into data/
	$(BIN)/citylake simulate --persons $(PERSONS) --seed $(SEED) --out data

.PHONY: ingest
ingest: install ## Land new file deliveries in the lake by hand (API feeds need their connection set)
	$(BIN)/citylake ingest

.PHONY: contracts
contracts: install ## Check every contract; regenerate the dbt sources, staging models and docs/sources.md from them
	$(BIN)/citylake contracts check
	$(BIN)/citylake contracts dbt-sources
	$(BIN)/citylake contracts dbt-staging
	$(BIN)/citylake contracts catalogue

.PHONY: docs
docs: install ## dbt docs generate (offline) into dbt_project/target/
	cd dbt_project && CITYLAKE_WAREHOUSE=$(CURDIR)/warehouse/citylake.duckdb CITYLAKE_LAKE_DIR=$(CURDIR)/data/lake \
		../$(BIN)/dbt docs generate --profiles-dir .

.PHONY: test
# One pytest worker per core, a test file per worker at a time: the heavy simulated-city fixtures are
# built once per session (the shared city in the background from the start, tests/conftest.py), and the
# run stays inside the 15-minute budget on two cores. The checks of minutes each (the whole DAG through
# `citylake run`, whole dbt builds of their own) are `make test-slow`, which CI runs too (.ci/run).
PYTEST_PARALLEL ?= -n auto --dist loadfile --no-loadscope-reorder
test: install system-deps ## Run the tests (unit, dbt, DagBag, reports, scheduler) in parallel, without the slow ones
	$(BIN)/python -m pytest -q $(PYTEST_PARALLEL) -m "not e2e and not slow"

.PHONY: test-slow
test-slow: install system-deps ## The slow checks: the whole DAG on a tiny city (e2e) and whole dbt builds of their own
	$(BIN)/python -m pytest -q $(PYTEST_PARALLEL) -m "e2e or slow"

.PHONY: test-all
test-all: test test-slow ## Both, as CI runs them

.PHONY: test-fast
test-fast: test ## (old name of make test)

BENCH_PERSONS ?= 200000
.PHONY: bench
bench: install ## Time and peak memory per stage on a BENCH_PERSONS city (default 200000) in /tmp/citylake-bench, ingestion against iconv+DuckDB and pandas
	$(BIN)/python -m bench.run --persons $(BENCH_PERSONS)

.PHONY: bench-ingest
bench-ingest: install ## Issue 13's ingestion targets: a 1M city's 户籍 file (and ×5) against iconv+DuckDB and pandas
	$(BIN)/python -m bench.run --persons 1000000 --out /tmp/citylake-bench-1m --stages $$(test -d /tmp/citylake-bench-1m/data/landing || echo simulate,)peers

.PHONY: airflow
airflow: install ## Start Airflow's UI and scheduler locally (airflow standalone) with the CityLake DAGs
	@eval "$$($(BIN)/python -c 'from citylake.airflow_env import airflow_env; from citylake.config import settings; print(" ".join(f"export {k}={v!r};" for k, v in airflow_env(settings()).items()))')" && \
		PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/airflow standalone

.PHONY: clean
clean: ## Remove generated data, warehouse and reports (keeps .venv)
	rm -rf data warehouse/*.duckdb* reports/out dbt_project/target dbt_project/logs

.PHONY: distclean
distclean: clean ## Also remove the virtual environment
	rm -rf $(VENV)
