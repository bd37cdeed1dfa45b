"""The ingestion problems as lines of text: under each source in the output of `funnel run`
and `funnel ingest`, and in `funnel quality`. The input is the summary of
pipelines/ingestion/problem_summary.py; a few lines per source, "... N more" beyond."""

from __future__ import annotations

from pipelines.ingestion.problem_summary import MAX_LISTED

RUN_LIMIT = 3  # items per kind of problem in the run's output
QUALITY_LIMIT = 10
# Files not loaded are each something to act on: all of them are named (up to what the summary
# keeps), whatever the limit for other kinds of problem.
FILES_NAMED = MAX_LISTED


def _rows(n: int) -> str:
    return f"{n:,} row{'' if n == 1 else 's'}"


def _more(shown: int, total: int, hint: str) -> list[str]:
    return [f"... {total - shown:,} more ({hint})"] if total > shown else []


def example_text(example: dict) -> str:
    """`file, line 4, field 'occurred_at': not an ISO 8601 timestamp: '2026-13-01'`."""
    where = str(example.get("file") or "")
    reason = str(example.get("reason") or "")
    if example.get("line") is not None:
        where += f", line {example['line']}"
    if example.get("field"):
        where += f", field '{example['field']}'"
        reason = reason.removeprefix(f"{example['field']}: ")
    return f"{where}: {reason}"


def period_lines(period: dict, limit: int, hint: str) -> list[str]:
    """The problems of one source in one period (the run, or the last days), unindented."""
    lines = []
    files_limit = max(limit, FILES_NAMED)
    unreadable = period.get("unreadable") or []
    lines += [f"unreadable: {f['file']}: {f['reason']}" for f in unreadable[:files_limit]]
    lines += _more(min(files_limit, len(unreadable)), period.get("files_unreadable", len(unreadable)),
                   hint)
    ignored = period.get("ignored") or []
    lines += [f"ignored: {f['file']}: {f['reason']}" for f in ignored[:files_limit]]
    lines += _more(min(files_limit, len(ignored)), len(ignored), hint)
    held: dict[str, list[str]] = {}  # one line per broken mapping, however many files wait
    for f in period.get("held_back") or []:
        held.setdefault(f["reason"], []).append(f["file"])
    for reason, files in held.items():
        rest = f" and {len(files) - limit:,} more" if len(files) > limit else ""
        lines.append(f"{reason}: {len(files):,} file(s), {', '.join(files[:limit])}{rest}")
    rejections = period.get("rejections") or []
    for group in rejections[:limit]:
        lines.append(f"rejected {_rows(group['rows'])}: {group['kind']}; "
                     f"e.g. {example_text(group['example'])}")
    lines += _more(min(limit, len(rejections)), period.get("rejection_kinds", len(rejections)),
                   f"{hint}; every row: raw.<source>_rejected")
    for column, values in sorted((period.get("unknown_values") or {}).items()):
        counted = sorted(values.items(), key=lambda item: (-item[1], item[0]))
        shown = ", ".join(f"'{value}' ({_rows(n)})" for value, n in counted[:limit])
        rest = f", and {len(counted) - limit} more" if len(counted) > limit else ""
        lines.append(f"unknown {column} values kept: {shown}{rest}")
    return lines


def mapping_problem_line(problem: dict) -> str:
    where = problem["file"] + (f", line {problem['line']}" if problem.get("line") else "")
    if problem.get("source"):
        effect = (f"new {problem['source']} files that no other mapping matches are held back "
                  "until it is fixed")
    else:
        effect = "it maps nothing until it is fixed; every source goes on without it"
    return f"{where}: {problem['reason']}: {effect}"


def inbox_lines(ingestion: dict) -> list[str]:
    """Broken mapping files and entries outside the source folders, one line each."""
    lines = [f"broken mapping {mapping_problem_line(p)}" for p in ingestion.get("mapping_problems", [])]
    lines += [f"ignored: inbox/{e['file']}: {e['reason']}" for e in ingestion.get("ignored", [])]
    return lines


def _period_heading(source: str, period: dict) -> str:
    parts = [f"{period.get('files', 0):,} file(s)"]
    if period.get("files_unreadable"):
        parts.append(f"{period['files_unreadable']:,} unreadable")
    parts.append(f"{_rows(period.get('rows_rejected', 0))} rejected")
    return f"{source}: " + ", ".join(parts)


def quality_lines(ingestion: dict | None, verbose: bool = False) -> list[str]:
    """The ingestion part of `funnel quality`: the last run, then the last days."""
    if not ingestion:
        return ["Ingestion problems: not recorded for this run (run `funnel run` again)"]
    limit = 10_000 if verbose else QUALITY_LIMIT
    sources = ingestion.get("sources") or {}
    lines = ["Ingestion problems of the last run:"]
    lines += [f"  {line}" for line in inbox_lines(ingestion)]
    for source, summary in sources.items():
        period_text = period_lines(summary["run"], limit, "funnel quality --verbose")
        if period_text:
            lines.append(f"  {_period_heading(source, summary['run'])}")
            lines += [f"    {line}" for line in period_text]
    if len(lines) == 1:
        lines.append("  none")
    recent = {source: summary["recent"] for source, summary in sources.items()}
    first = next(iter(recent.values()), {})
    since = f" (since {first['since'].replace('T', ' ')} UTC)" if first.get("since") else ""
    lines.append(f"Ingestion problems of the last {first.get('days', 7)} days{since}:")
    count = len(lines)
    for source, period in recent.items():
        period_text = period_lines(period, limit, "funnel quality --verbose")
        if period_text:
            lines.append(f"  {_period_heading(source, period)}")
            lines += [f"    {line}" for line in period_text]
    if len(lines) == count:
        lines.append("  none")
    return lines
