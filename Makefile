# instacart-warehouse: every entry point. `make build` and `make test` work on a fresh clone.
SHELL := /bin/bash
.DEFAULT_GOAL := build

PYTHON_BOOTSTRAP ?= python3
VENV := .venv
PY := $(VENV)/bin/python
VENV_STAMP := $(VENV)/.installed

# Data: the real Kaggle files when INSTACART_DATA_DIR is set, else our synthetic default.
DEFAULT_USERS ?= 10000
SEED ?= 42
SYNTHETIC_DIR := data/synthetic
SYNTHETIC_STAMP := $(SYNTHETIC_DIR)/.complete-u$(DEFAULT_USERS)-s$(SEED)-campaign
INSTACART_DATA_DIR ?=
DATA_DIR := $(if $(INSTACART_DATA_DIR),$(INSTACART_DATA_DIR),$(SYNTHETIC_DIR))
WAREHOUSE ?= build/instacart.duckdb
EXPORTS ?= exports

SCALE ?= 0.05
PYTEST_ARGS ?=
# bench TARGET=spark: the SQL layer on local Spark next to DuckDB (README "Running on Spark")
TARGET ?= duckdb
SAMPLE_DIR ?= ../shared/data/instacart_sample

export DBT_PROFILES_DIR := $(CURDIR)/profiles
export DBT_SEND_ANONYMOUS_USAGE_STATS := False
# OpenMP (LightGBM) threads otherwise spin while waiting, stealing the other core from DuckDB.
export OMP_WAIT_POLICY := PASSIVE
# Spark target: tables + Derby metastore of this checkout (absolute; tests use their own)
export INSTACART_SPARK_DIR ?= $(CURDIR)/build/spark
export SPARK_LOCAL_IP ?= 127.0.0.1

.PHONY: build test lint venv data validate bench shell export docs report submission clean lock
.PHONY: dashboard screenshots chromium java test-spark

$(VENV_STAMP): pyproject.toml requirements.lock
	@test -x $(PY) || $(PYTHON_BOOTSTRAP) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade "pip==26.3"
	$(PY) -m pip install --quiet -c requirements.lock -e ".[dev]"
	@touch $@

venv: $(VENV_STAMP)

# The stamp names users and seed, so changing either regenerates; a killed run leaves no stamp.
$(SYNTHETIC_STAMP): | $(VENV_STAMP)
	rm -rf $(SYNTHETIC_DIR)
	$(PY) -m ml.synthetic --users $(DEFAULT_USERS) --seed $(SEED) --campaign --out $(SYNTHETIC_DIR)
	@touch $@

data: $(VENV_STAMP) $(if $(INSTACART_DATA_DIR),,$(SYNTHETIC_STAMP))

validate: data
	$(PY) -m ml.validate $(DATA_DIR)

## build: validate the raw files, run `dbt build` into a new file, export the marts to
## Parquet, swap both in atomically
build: data
	$(PY) -m ml.warehouse build --data-dir $(DATA_DIR) --warehouse $(WAREHOUSE) --exports-dir $(EXPORTS)

## export: re-export every public mart of the current warehouse to $(EXPORTS)/ (atomic swap)
export: $(VENV_STAMP)
	$(PY) -m ml.export --warehouse $(WAREHOUSE) --out $(EXPORTS)

lint: $(VENV_STAMP)
	$(VENV)/bin/ruff check ml tests python_models dashboard
	$(VENV)/bin/ruff format --check ml tests python_models dashboard
	@mkdir -p build
	# the dbt templater opens a DuckDB connection: give it a scratch file, not the warehouse
	INSTACART_WAREHOUSE_PATH=build/lint.duckdb $(VENV)/bin/sqlfluff lint models python_models --disable-progress-bar

# The Spark target (dbt-spark, pyspark) needs a Java runtime; make test checks Spark parity.
java:
	@java -version >/dev/null 2>&1 || { echo "Java 17 is missing: the Spark target and the Spark parity test in 'make test' need a Java 17 runtime on PATH (java -version failed; e.g. apt-get install openjdk-17-jre-headless)" >&2; exit 1; }

## test: lint, then the whole pytest suite (unit + integration with real dbt runs)
test: $(VENV_STAMP) chromium java
	$(MAKE) --no-print-directory lint
	$(VENV)/bin/pytest $(PYTEST_ARGS)

## bench SCALE=1: generate (or use INSTACART_DATA_DIR), validate, dbt build; per-stage time + memory
bench: $(VENV_STAMP) $(if $(filter spark,$(TARGET)),java,)
	$(PY) -m ml.bench --scale $(SCALE) --seed $(SEED) --target $(TARGET) $(if $(INSTACART_DATA_DIR),--data-dir $(INSTACART_DATA_DIR),)

## test-spark: every SQL model, seed, data test and unit test on local Spark (real sample)
test-spark: $(VENV_STAMP) java
	$(VENV)/bin/dbt build --target spark --selector spark --vars '{data_dir: "$(abspath $(SAMPLE_DIR))"}'

## report: the reorder model's metrics (validation users) vs baselines and the oracle
report: $(VENV_STAMP)
	$(PY) -m ml.report --warehouse $(WAREHOUSE)

## submission: Kaggle-format submission.csv of the test orders' reorder baskets
submission: $(VENV_STAMP)
	$(PY) -m ml.reorder.submission --warehouse $(WAREHOUSE) --out build/submission.csv

## shell: the pinned DuckDB shell on the warehouse, read-only (safe while a build runs)
shell: $(VENV_STAMP)
	@test -f $(WAREHOUSE) || { echo "no warehouse at $(WAREHOUSE): run make build"; exit 1; }
	$(VENV)/bin/duckdb -readonly -init scripts/shell_init.sql $(WAREHOUSE)

## dashboard: the Streamlit app on the warehouse, read-only (http://localhost:8501)
dashboard: $(VENV_STAMP)
	INSTACART_WAREHOUSE_PATH=$(WAREHOUSE) $(PY) -m dashboard.serve \
		--server.headless true --browser.gatherUsageStats false

## chromium: Debian's browser for the dashboard's browser test (never `playwright install`)
chromium:
	@command -v chromium >/dev/null || (apt-get update && apt-get install -y chromium)

## screenshots: refresh docs/screenshots/ (one PNG per dashboard page) from the warehouse
screenshots: $(VENV_STAMP) chromium
	$(PY) -m dashboard.screenshots --warehouse $(WAREHOUSE) --out docs/screenshots

## docs: dbt docs as one static page, target/static_index.html (catalog read from the
## warehouse, opened read-only so shells and dashboards keep their connections)
docs: $(VENV_STAMP)
	INSTACART_WAREHOUSE_PATH=$(WAREHOUSE) INSTACART_DUCKDB_ACCESS_MODE=read_only \
		$(VENV)/bin/dbt docs generate --static --vars '{data_dir: "$(abspath $(DATA_DIR))"}'
	@echo "open target/static_index.html"

lock:
	rm -rf /tmp/instacart-lock-venv && $(PYTHON_BOOTSTRAP) -m venv /tmp/instacart-lock-venv
	/tmp/instacart-lock-venv/bin/pip install --quiet -e ".[dev]"
	/tmp/instacart-lock-venv/bin/pip freeze --exclude-editable | sed '1i # Full pinned dependency set (pip constraints), regenerate with `make lock`.' > requirements.lock

clean:
	rm -rf build target logs dbt_packages $(EXPORTS) $(EXPORTS).*
