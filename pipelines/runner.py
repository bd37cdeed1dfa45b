"""Running the pipeline in-process (no Dagster daemon) for the CLI: the same definitions that
`dagster dev` loads, materialised in one process because DuckDB allows one writer."""

from __future__ import annotations

import contextlib
import io
import logging
import re
import time

import dagster as dg

from pipelines.console import EXIT_FAILED, EXIT_OK
from pipelines.quality import run_checks
from pipelines.quality.run_checks import FAILED, LAST_CHECKS_FILE, PASSED, WARNED, check_status
from pipelines.settings import FunnelSettings


def _run_config(verbose: bool, rebuild: bool = False) -> dict:
    config = {"loggers": {"console": {"config": {"log_level": "DEBUG" if verbose else "CRITICAL"}}}}
    if rebuild:
        from pipelines.transform.assets import funnel_dbt_assets

        config["ops"] = {funnel_dbt_assets.op.name: {"config": {"skip_when_unchanged": False}}}
    return config


def _materialize(selection, console, settings: FunnelSettings,
                 rebuild: bool = False) -> dg.ExecuteInProcessResult:
    from pipelines.definitions import defs
    from pipelines.resources import funnel_resources

    if not console.verbose:
        # dagster-dbt echoes every dbt log line to stdout; quiet by default means not here.
        logging.getLogger("dagster").setLevel(logging.CRITICAL)
    echo = contextlib.nullcontext() if console.verbose else contextlib.redirect_stdout(io.StringIO())
    with echo:
        return dg.materialize(
            [*defs.assets, *defs.asset_checks],
            resources=funnel_resources(settings),
            selection=selection,
            run_config=_run_config(console.verbose, rebuild),
            raise_on_error=False,
        )


def _dbt_build_skipped(result: dg.ExecuteInProcessResult) -> bool:
    """The dbt step ran and materialised nothing: nothing was new since the last build."""
    from pipelines.transform.assets import funnel_dbt_assets

    ran = any(event.is_step_success and event.step_key == funnel_dbt_assets.op.name
              for event in result.all_events)
    built = {event.asset_key for event in result.get_asset_materialization_events()}
    return ran and not built & set(funnel_dbt_assets.keys)


def _ingestion_summaries(result: dg.ExecuteInProcessResult, console) -> dict[str, dict]:
    """Say what each source's ingestion did and every problem it met; return the summaries."""
    from pipelines.ingestion.assets import PROBLEMS_METADATA
    from pipelines.quality.ingestion_text import RUN_LIMIT, period_lines

    summaries = {}
    for event in result.get_asset_materialization_events():
        mat = event.step_materialization_data.materialization
        meta = mat.metadata
        if "rows_loaded" not in meta:
            continue
        line = (f"ingested {mat.asset_key.to_user_string()}: {meta['files_ingested'].value} new file(s), "
                f"{meta['rows_loaded'].value:,} rows loaded, {meta['rows_rejected'].value:,} rejected, "
                f"{meta['rows_repeated'].value:,} exact repeats")
        if meta.get("files_unreadable") and meta["files_unreadable"].value:
            line += f", {meta['files_unreadable'].value} unreadable file(s)"
        console.say(line)
        if PROBLEMS_METADATA in meta:
            summary = meta[PROBLEMS_METADATA].value
            summaries[mat.asset_key.path[-1]] = summary
            for problem in period_lines(summary["run"], RUN_LIMIT, "funnel quality"):
                console.say(f"  {problem}")
    return summaries


def _report(result: dg.ExecuteInProcessResult, console, settings: FunnelSettings,
            started: float) -> int:
    from pipelines.ingestion.problem_summary import ingestion_document
    from pipelines.quality.ingestion_text import mapping_problem_line

    skipped = _dbt_build_skipped(result)
    ingestion = ingestion_document(_ingestion_summaries(result, console), settings.inbox_dir,
                                   settings.mappings_dir)
    for stray in ingestion["ignored"]:
        console.say(f"ignored: inbox/{stray['file']}: {stray['reason']}")
    for problem in ingestion["mapping_problems"]:
        console.error(f"broken mapping {mapping_problem_line(problem)}")
    if skipped:
        from pipelines.transform.assets import SKIPPED_MESSAGE

        console.say(f"{SKIPPED_MESSAGE}: the marts, their checks and the publication are "
                    "the last build's (--rebuild forces a build)")
    checks = record_check_results(result, settings, keep_previous=skipped, ingestion=ingestion)
    passed = sum(1 for c in checks if check_status(c) == PASSED)
    warned = [c for c in checks if check_status(c) == WARNED]
    failed = [c for c in checks if check_status(c) == FAILED]
    console.say(f"checks{' run this time' if skipped else ''}: {passed} passed, {len(warned)} warned, "
                f"{len(failed)} failed" + (" (details: funnel quality)" if warned or failed else ""))
    for check in failed:
        console.error(f"check failed: {check['asset']} {check['check']}"
                      + (" (blocking)" if check.get("blocking") else ""))
    _say_stale_mappings(console, settings)
    if not result.success:
        _report_failure(result, console, blocked=any(run_checks.is_blocking_failure(c) for c in failed))
        return EXIT_FAILED
    console.say(f"done in {time.perf_counter() - started:.1f}s")
    if ingestion["mapping_problems"]:
        console.error("a mapping file is broken (above): fix it, then run again; the files it "
                      "held back are loaded then")
        return EXIT_FAILED
    return EXIT_OK


def _report_failure(result: dg.ExecuteInProcessResult, console, blocked: bool) -> None:
    causes = []
    for event in result.all_events:
        error = event.step_failure_data.error if event.is_step_failure else None
        if event.is_step_failure and not _is_blocking_check_failure(error):
            causes.append((event.step_key, explain(root_cause(error))))
    for cause in dict.fromkeys(text for _, text in causes if text.startswith(WAREHOUSE_BUSY)):
        console.error(cause)
    for step, text in causes:
        if not text.startswith(WAREHOUSE_BUSY):
            console.error(f"step {step} failed: {text}")
    if blocked:
        console.error("a blocking check failed, so what depends on it was not built or "
                      "published: see `funnel quality`, fix the cause, then run again")
    else:
        console.error("the run failed; the warehouse keeps every batch that was committed "
                      "before the failure, and a re-run continues from there")


def _is_blocking_check_failure(error) -> bool:
    return error is not None and error.cls_name == "DagsterAssetCheckFailedError"


WAREHOUSE_BUSY = "the warehouse is open in another program"
_DUCKDB_LOCK = re.compile(r'Could not set lock on file "(?P<file>[^"]+)"')
_DUCKDB_HOLDER = re.compile(r"held in (?P<program>\S+) \(PID (?P<pid>\d+)\)")


def explain(message: str) -> str:
    """A failure a user can cause, said with what to do next; other messages unchanged."""
    lock = _DUCKDB_LOCK.search(message)
    if lock:
        holder = _DUCKDB_HOLDER.search(message)
        who = f" (pid {holder['pid']}, {holder['program']})" if holder else ""
        return (f"{WAREHOUSE_BUSY}{who}: {lock['file']}; close it there (a notebook, the "
                "DuckDB CLI, a BI tool: those should read published/), then try again")
    return message


def _say_stale_mappings(console, settings: FunnelSettings) -> None:
    """Name the batches a changed mapping file loaded under its older version, and how to
    replay them (pipelines/ingestion/batches.py)."""
    import duckdb

    from pipelines.ingestion.batches import stale_mapping_notes

    try:
        con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    except duckdb.Error:  # no warehouse yet, or another process writes it
        return
    try:
        for note in stale_mapping_notes(con, settings.mappings_dir):
            console.say(note)
    finally:
        con.close()


def root_cause(error) -> str:
    """The innermost error message: Dagster wraps the user's exception in its own."""
    if error is None:
        return "unknown error (run with --verbose)"
    while error.cause is not None:
        error = error.cause
    return error.message.strip()


def record_check_results(result: dg.ExecuteInProcessResult, settings: FunnelSettings,
                         keep_previous: bool = False, ingestion: dict | None = None) -> list[dict]:
    """Keep the run's check results (and its ingestion problems) for `funnel quality` in
    <data dir>/reports/ and return this run's checks. keep_previous: the checks this run did
    not evaluate (a skipped dbt build) keep their last result."""
    path = settings.reports_dir / LAST_CHECKS_FILE
    previous = run_checks.load_last_checks(path) if keep_previous else None
    document = run_checks.from_result(result, ingestion, previous)
    run_checks.write_last_checks(path, document)
    return [c for c in document["checks"] if "evaluated_in_run" not in c]


def run_ingestion(console, settings: FunnelSettings) -> int:
    started = time.perf_counter()
    result = _materialize(dg.AssetSelection.groups("ingestion"), console, settings)
    return _report(result, console, settings, started)


def run_pipeline(console, settings: FunnelSettings, rebuild: bool = False) -> int:
    started = time.perf_counter()
    result = _materialize(dg.AssetSelection.all(), console, settings, rebuild)
    return _report(result, console, settings, started)
