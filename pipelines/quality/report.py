"""`funnel quality`: a readable summary of the last run's checks and ingestion problems."""

from pipelines.quality.ingestion_text import quality_lines
from pipelines.quality.run_checks import STATUS_ORDER, check_status, is_blocking_failure
from pipelines.quality.run_checks import load_last_checks as load_last_checks  # the CLI's import


def render_quality_report(document: dict, verbose: bool = False) -> tuple[str, bool]:
    """The report text, and whether a blocking check failed."""
    checks = sorted(document["checks"], key=lambda c: (STATUS_ORDER[check_status(c)], c["asset"], c["check"]))
    counts = {s: sum(1 for c in checks if check_status(c) == s) for s in STATUS_ORDER}
    lines = [f"Checks of run {document['run_id']} ({document['finished_at']}): "
             f"{counts['PASSED']} passed, {counts['WARNED']} warned, {counts['FAILED']} failed"]
    carried = {c["evaluated_in_run"] for c in checks if c.get("evaluated_in_run")}
    if carried:
        count = sum(1 for c in checks if c.get("evaluated_in_run"))
        lines.append(f"  {count} of them from run {', '.join(sorted(carried))}: nothing was new, "
                     "so this run skipped the dbt build and the mart checks")
    for check in checks:
        status = check_status(check)
        if status == "PASSED" and not verbose:
            continue
        blocking = " (blocking)" if check.get("blocking") and status == "FAILED" else ""
        lines.append(f"{status:7} {check['asset']} · {check['check']}{blocking}")
        metadata = check.get("metadata") or {}
        figures = {k: v for k, v in metadata.items()
                   if k in ("rows_validated", "failed_expectations", "rows_read", "rows_loaded",
                            "rows_rejected", "rows_repeated", "unbalanced_files", "failed_row_count")}
        if figures:
            lines.append("        " + ", ".join(f"{k} {v}" for k, v in figures.items()))
        for failure in metadata.get("failures") or []:
            lines.append("        " + _describe_failure(failure))
        if not metadata.get("failures") and check.get("description") and status != "PASSED":
            lines.append(f"        {check['description']}")
    failed_blocking = any(is_blocking_failure(c) for c in checks)
    lines += quality_lines(document.get("ingestion"), verbose)
    return "\n".join(lines), failed_blocking


def _describe_failure(failure: dict) -> str:
    parts = [f"{failure['expectation']}({failure.get('column') or ''})"]
    if failure.get("error"):
        parts.append(f"could not be evaluated: {failure['error']}")
    if failure.get("unexpected_count") is not None:
        parts.append(f"{failure['unexpected_count']} rows ({failure.get('unexpected_percent') or 0:.2f}%)")
    if failure.get("observed") is not None:
        parts.append(f"observed {failure['observed']}")
    if failure.get("sample"):
        parts.append("e.g. " + ", ".join(map(str, failure["sample"][:10])))
    return " — ".join(parts)
