"""The run's closing lines for the failures a user must act on: each one line, saying what to do
next (pipelines/runner.py)."""

import time

import dagster as dg

from pipelines.cli import Console
from pipelines.runner import EXIT_FAILED, _report, explain
from pipelines.settings import FunnelSettings


@dg.asset
def landed() -> int:
    return 1


@dg.asset_check(asset=landed, blocking=True)
def always_fails() -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=False)


@dg.asset(deps=[landed])
def built_after() -> int:
    return 2


def test_a_failed_blocking_check_points_at_funnel_quality(tmp_path, capsys):
    result = dg.materialize([landed, built_after, always_fails], raise_on_error=False)
    settings = FunnelSettings(data_dir=str(tmp_path))
    assert _report(result, Console(verbose=False), settings, time.perf_counter()) == EXIT_FAILED
    said = capsys.readouterr().err.splitlines()  # and Dagster's own log of the run
    errors = [line for line in said if line.startswith("error:")]
    assert errors == [
        "error: check failed: landed always_fails (blocking)",
        "error: a blocking check failed, so what depends on it was not built or published: "
        "see `funnel quality`, fix the cause, then run again",
    ], "one line per failed check and one saying what to do; no wrapped Dagster error"


def test_a_warehouse_held_open_elsewhere_is_said_in_one_line():
    message = ('IO Error: Could not set lock on file "/d/warehouse.duckdb": Conflicting lock is '
               "held in /usr/bin/duckdb (PID 4242). See also https://duckdb.org/docs")
    said = explain(message)
    assert said.startswith("the warehouse is open in another program (pid 4242, /usr/bin/duckdb): "
                           "/d/warehouse.duckdb; close it there")
    assert said.endswith("then try again") and "\n" not in said
    assert explain("something else") == "something else"
