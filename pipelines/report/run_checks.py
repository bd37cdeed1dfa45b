"""The check results of a Dagster run, in the shape of `last_run_checks.json`
(`pipelines.runner.record_check_results`), for a report written inside the nightly run: every
check of the run is evaluated before the published marts are written (the blocking checks
gate them), so an asset downstream of `published/marts` sees them all."""

from __future__ import annotations

from datetime import UTC, datetime

import dagster as dg


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


def ingestion_from_run(instance: dg.DagsterInstance, run_id: str) -> dict:
    """The run's ingestion problems, from the raw assets' materializations (the `ingestion` part
    of `last_run_checks.json`)."""
    from pipelines import settings
    from pipelines.ingestion.assets import PROBLEMS_METADATA
    from pipelines.ingestion.problem_summary import ingestion_document

    summaries = {}
    for entry in instance.all_logs(run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION):
        materialization = entry.asset_materialization
        if materialization is not None and PROBLEMS_METADATA in materialization.metadata:
            summaries[materialization.asset_key.path[-1]] = \
                materialization.metadata[PROBLEMS_METADATA].value
    return ingestion_document(summaries, settings.inbox_dir(), settings.mappings_dir())


def checks_from_run(instance: dg.DagsterInstance, run_id: str, success: bool | None = None) -> dict:
    """The run's check evaluations so far, and its ingestion problems. `success` defaults to:
    no blocking check failed."""
    entries = instance.all_logs(run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION)
    checks = [check_record(entry.dagster_event.event_specific_data) for entry in entries
              if entry.dagster_event is not None]
    if success is None:
        success = not any(c["blocking"] and not c["passed"] and c["severity"] != "WARN" for c in checks)
    return {"run_id": run_id, "finished_at": datetime.now(UTC).isoformat(), "success": success,
            "checks": checks, "ingestion": ingestion_from_run(instance, run_id)}
