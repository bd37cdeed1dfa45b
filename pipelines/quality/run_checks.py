"""The last run's check results (`<data dir>/reports/last_run_checks.json`): the one producer
of that document, from a finished in-process run (`funnel run`) or from a Dagster run still
going (the nightly report asset, which runs after every check it reports on), and the one
rule deciding whether a check passed, warned or failed."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

LAST_CHECKS_FILE = "last_run_checks.json"
PASSED, WARNED, FAILED = "PASSED", "WARNED", "FAILED"
STATUS_ORDER = {FAILED: 0, WARNED: 1, PASSED: 2}


def check_status(check: dict) -> str:
    """PASSED; WARNED: failed with severity WARN (reported, the run goes on); FAILED: failed
    with any other severity."""
    if check["passed"]:
        return PASSED
    return WARNED if check["severity"] == "WARN" else FAILED


def is_blocking_failure(check: dict) -> bool:
    """A failed blocking check: what depends on its asset was not built."""
    return check_status(check) == FAILED and bool(check.get("blocking"))


def check_record(evaluation) -> dict:
    """One `AssetCheckEvaluation` as a JSON-ready dict."""
    return {
        "asset": evaluation.asset_key.to_user_string(),
        "check": evaluation.check_name,
        "passed": evaluation.passed,
        "severity": evaluation.severity.value,
        "blocking": bool(evaluation.blocking),
        "description": evaluation.description,
        "metadata": {k: getattr(v, "value", v) for k, v in evaluation.metadata.items()},
    }


def run_document(run_id: str, evaluations, ingestion: dict | None, success: bool | None = None,
                 previous: dict | None = None) -> dict:
    """The run's record. `success` defaults to: no blocking check failed. `previous` (the last
    run's record): the checks this run did not evaluate (a skipped dbt build) keep their last
    result, marked with the run that evaluated them."""
    checks = [check_record(evaluation) for evaluation in evaluations]
    if success is None:
        success = not any(is_blocking_failure(c) for c in checks)
    kept = _not_evaluated_in(previous, checks) if previous else []
    return {"run_id": run_id, "finished_at": datetime.now(UTC).isoformat(), "success": success,
            "checks": checks + kept, "ingestion": ingestion}


def from_result(result, ingestion: dict | None, previous: dict | None = None) -> dict:
    """The record of a finished `dg.materialize` (an `ExecuteInProcessResult`)."""
    return run_document(result.run_id, result.get_asset_check_evaluations(), ingestion,
                        success=result.success, previous=previous)


def from_instance(instance, run_id: str, settings, success: bool | None = None) -> dict:
    """The record of a Dagster run so far, from its event log, with its ingestion problems."""
    import dagster as dg

    entries = instance.all_logs(run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION)
    evaluations = [entry.dagster_event.event_specific_data for entry in entries
                   if entry.dagster_event is not None]
    return run_document(run_id, evaluations, _ingestion_from_instance(instance, run_id, settings),
                        success)


def _ingestion_from_instance(instance, run_id: str, settings) -> dict:
    """The run's ingestion problems, from the raw assets' materializations."""
    import dagster as dg

    from pipelines.ingestion.assets import PROBLEMS_METADATA
    from pipelines.ingestion.problem_summary import ingestion_document

    summaries = {}
    for entry in instance.all_logs(run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION):
        materialization = entry.asset_materialization
        if materialization is not None and PROBLEMS_METADATA in materialization.metadata:
            summaries[materialization.asset_key.path[-1]] = \
                materialization.metadata[PROBLEMS_METADATA].value
    return ingestion_document(summaries, settings.inbox_dir, settings.mappings_dir)


def _not_evaluated_in(previous: dict, checks: list[dict]) -> list[dict]:
    evaluated = {(c["asset"], c["check"]) for c in checks}
    return [{**c, "evaluated_in_run": c.get("evaluated_in_run", previous["run_id"])}
            for c in previous["checks"] if (c["asset"], c["check"]) not in evaluated]


def load_last_checks(path: Path) -> dict | None:
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def write_last_checks(path: Path, document: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2, default=str))
