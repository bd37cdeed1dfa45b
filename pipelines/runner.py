"""Running the pipeline in-process (no Dagster daemon) for the CLI: the same definitions that
`dagster dev` loads, materialised in one process because DuckDB allows one writer."""

from __future__ import annotations

import contextlib
import io
import json
import logging
import time
from datetime import UTC, datetime

import dagster as dg

from pipelines import settings
from pipelines.report.run_checks import check_record

LAST_CHECKS_FILE = "last_run_checks.json"

EXIT_OK, EXIT_FAILED = 0, 1


def _quiet_run_config(verbose: bool) -> dict:
    return {"loggers": {"console": {"config": {"log_level": "DEBUG" if verbose else "CRITICAL"}}}}


def _materialize(selection, console) -> dg.ExecuteInProcessResult:
    from pipelines.definitions import defs

    if not console.verbose:
        # dagster-dbt echoes every dbt log line to stdout; quiet by default means not here.
        logging.getLogger("dagster").setLevel(logging.CRITICAL)
    echo = contextlib.nullcontext() if console.verbose else contextlib.redirect_stdout(io.StringIO())
    with echo:
        return dg.materialize(
            [*defs.assets, *defs.asset_checks],
            resources=defs.resources,
            selection=selection,
            run_config=_quiet_run_config(console.verbose),
            raise_on_error=False,
        )


def _report(result: dg.ExecuteInProcessResult, console, started: float) -> int:
    for event in result.get_asset_materialization_events():
        mat = event.step_materialization_data.materialization
        meta = mat.metadata
        if "rows_loaded" in meta:
            console.say(
                f"ingested {mat.asset_key.to_user_string()}: {meta['files_ingested'].value} new file(s), "
                f"{meta['rows_loaded'].value:,} rows loaded, {meta['rows_rejected'].value:,} rejected, "
                f"{meta['rows_repeated'].value:,} exact repeats"
            )
    checks = record_check_results(result)
    passed = sum(1 for c in checks if c["passed"])
    warned = [c for c in checks if not c["passed"] and c["severity"] == "WARN"]
    failed = [c for c in checks if not c["passed"] and c["severity"] != "WARN"]
    console.say(f"checks: {passed} passed, {len(warned)} warned, {len(failed)} failed"
                + (" (details: funnel quality)" if warned or failed else ""))
    for check in failed:
        console.error(f"check failed: {check['asset']} {check['check']}")
    if not result.success:
        for event in result.all_events:
            if event.is_step_failure:
                console.error(f"step {event.step_key} failed: {root_cause(event.step_failure_data.error)}")
        console.error("the run failed; the warehouse keeps every batch that was committed "
                      "before the failure, and a re-run continues from there")
        return EXIT_FAILED
    console.say(f"done in {time.perf_counter() - started:.1f}s")
    return EXIT_OK


def root_cause(error) -> str:
    """The innermost error message: Dagster wraps the user's exception in its own."""
    if error is None:
        return "unknown error (run with --verbose)"
    while error.cause is not None:
        error = error.cause
    return error.message.strip()


def record_check_results(result: dg.ExecuteInProcessResult) -> list[dict]:
    """Keep the run's check results for `funnel quality` in <data dir>/reports/."""
    checks = [check_record(evaluation) for evaluation in result.get_asset_check_evaluations()]
    path = settings.reports_dir() / LAST_CHECKS_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {"run_id": result.run_id, "finished_at": datetime.now(UTC).isoformat(),
                "success": result.success, "checks": checks}
    path.write_text(json.dumps(document, indent=2, default=str))
    return checks


def run_ingestion(console) -> int:
    started = time.perf_counter()
    result = _materialize(dg.AssetSelection.groups("ingestion"), console)
    return _report(result, console, started)


def run_pipeline(console) -> int:
    started = time.perf_counter()
    result = _materialize(dg.AssetSelection.all(), console)
    return _report(result, console, started)
