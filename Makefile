# The two commands of the README: `make demo` and `make test`. Everything else is a step.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export DAGSTER_DISABLE_TELEMETRY := true

.PHONY: install prepare demo test test-spark lint bench dagster clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# uv installs the pinned set in seconds where pip takes minutes; both come from PyPI.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv
	$(BIN)/uv pip install --python $(BIN)/python --compile-bytecode --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

# dagster-dbt reads dbt's manifest when the definitions load: parse the project first.
prepare: install
	@if [ -f dbt_project/dbt_project.yml ]; then \
		$(BIN)/dbt parse --quiet --project-dir dbt_project --profiles-dir dbt_project; fi

demo: prepare
	$(BIN)/funnel demo

test: prepare
	$(BIN)/pytest -q -n 2 --dist loadfile -m "not spark" --durations=15

# The Spark parity test (tests/test_spark_parity.py): the spark extra, Java 17+ on PATH.
# FUNNEL_REQUIRE_SPARK=1 makes a missing pyspark or Java a failure instead of a skip.
$(VENV)/.installed-spark: pyproject.toml $(VENV)/.installed
	$(BIN)/uv pip install --python $(BIN)/python --compile-bytecode --quiet -e '.[dev,spark]'
	touch $@

test-spark: prepare $(VENV)/.installed-spark
	FUNNEL_REQUIRE_SPARK=1 $(BIN)/pytest -q -m spark tests/test_spark_parity.py

dagster: prepare
	DAGSTER_HOME=$(CURDIR) $(BIN)/dagster dev -m pipelines.definitions

lint: install
	$(BIN)/ruff check pipelines tests bench

bench: prepare
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) dbt_project/target dbt_project/logs
