"""What a corpus case demands of an observation: the file's fate, the balance of its rows
(counted by the test = loaded + rejected + exact repeats, also as the ledger records it), the
rejected lines with field and reason, the values loaded, and the messages the user sees.
Each rule returns sentences saying what is wrong, so the test and the report share them."""

from __future__ import annotations

from .case import LOADED, UNREADABLE, Case, Reject, Said
from .run import Observation


def failures(case: Case, seen: Observation) -> list[str]:
    if seen.error:
        return [f"ingestion raised {seen.error}"]
    if seen.outcome not in case.outcomes:
        told = "; ".join(p for p in seen.problems if case.file in p)[:300] or "nothing said"
        return [f"file {seen.outcome} ({told}), expected {' or '.join(sorted(case.outcomes))}"]
    found = _row_failures(case, seen) if seen.outcome == LOADED else _refusal_failures(case, seen)
    return found + [f for s in case.said if (f := _unsaid(case, seen, s))]


def _row_failures(case: Case, seen: Observation) -> list[str]:
    found: list[str] = []
    counted = seen.counted
    if counted is None:
        return ["the test cannot count the file's records (a case for refusal only?)"]
    total = seen.loaded + seen.rejected + seen.repeated
    if counted != total:
        found.append(f"{counted} records in the file but {seen.loaded} loaded + {seen.rejected} rejected"
                     f" + {seen.repeated} repeats = {total}")
    ledger = seen.ledger
    for name, in_tables in (("rows_read", counted), ("rows_loaded", seen.loaded),
                            ("rows_rejected", seen.rejected)):
        if ledger.get(name) != in_tables:
            found.append(f"the ledger's {name} is {ledger.get(name)}, the file and tables say {in_tables}")
    if seen.repeated != case.repeats:
        found.append(f"{seen.repeated} exact repeats, expected {case.repeats}")
    found += _rejection_failures(case, seen)
    found += _value_failures(case, seen)
    return found


def _rejection_failures(case: Case, seen: Observation) -> list[str]:
    found: list[str] = []
    by_line = {r["line_number"]: r for r in seen.rejections if r["line_number"] is not None}
    unexpected = sorted(set(by_line) - set(case.rejected) - case.may_reject)
    for line in unexpected:
        found.append(f"line {line} rejected unexpectedly: {by_line[line]['field']}: {by_line[line]['reason']}")
    for line, expected in sorted(case.rejected.items()):
        got = by_line.get(line)
        if got is None:
            found.append(f"line {line} not rejected (expected {_describe(expected)})"
                         + (" but loaded" if line in seen.rows else ""))
            continue
        if expected.field is not None and got["field"] != expected.field:
            found.append(f"line {line} rejected for field {got['field']!r}, expected {expected.field!r}")
        if not _has_any(got["reason"], expected.reason):
            found.append(f"line {line} rejected for {got['reason']!r}, expected {_describe(expected)}")
        if not _told_about_line(case, seen, line, expected):
            found.append(f"no message names {case.display}, line {line}, {expected.field or 'its reason'} "
                         f"and one of {expected.reason}")
    for line, got in sorted(by_line.items()):
        if not got["raw_record"]:
            found.append(f"line {line} quarantined without its raw record")
    return found


def _value_failures(case: Case, seen: Observation) -> list[str]:
    found: list[str] = []
    for line, values in sorted(case.values.items()):
        row = seen.rows.get(line)
        if row is None:
            if line not in case.may_reject:
                found.append(f"line {line} not loaded (expected {values})"[:300])
            continue
        for column, value in values.items():
            if row.get(column) != value:
                found.append(f"line {line} loaded {column}={_short(row.get(column))}, expected {_short(value)}")
    return found


def _refusal_failures(case: Case, seen: Observation) -> list[str]:
    found: list[str] = []
    if seen.loaded:
        found.append(f"{seen.loaded} rows loaded from a file that was {seen.outcome}")
    if seen.outcome == UNREADABLE and not any(r["line_number"] is None for r in seen.rejections):
        found.append("no file-level entry in the rejected table says why the file was refused")
    if case.refusal is not None and (failure := _unsaid(case, seen, case.refusal)):
        found.append(failure)
    return found


def _unsaid(case: Case, seen: Observation, wanted: Said) -> str | None:
    """None when a message says it; otherwise what is missing."""
    name = case.mapping_file if wanted.of_mapping else case.display
    words = (name, *wanted.all_of)
    for problem in seen.problems:
        rest = _without(problem, name)  # a file named 'gz_truncated' says nothing by its name
        if name.lower() in problem.lower() and all(w.lower() in rest for w in wanted.all_of) and (
                not wanted.any_of or _has_any(rest, wanted.any_of)):
            return None
    either = f" and one of {wanted.any_of}" if wanted.any_of else ""
    return f"no message holds {words}{either}"


def _told_about_line(case: Case, seen: Observation, line: int, expected: Reject) -> bool:
    words = [f"line {line}", *([expected.field] if expected.field else [])]
    return any(case.display in p and all(w in p for w in words)
               and _has_any(_without(p, case.display), expected.reason) for p in seen.problems)


def _without(problem: str, name: str) -> str:
    return problem.lower().replace(name.lower(), "")


def _has_any(text: str | None, spellings: tuple[str, ...]) -> bool:
    return any(s.lower() in (text or "").lower() for s in spellings)


def _describe(expected: Reject) -> str:
    return f"{expected.field or 'the record'}: one of {expected.reason}"


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:40]}... ({len(text)} chars)"
