"""The corpus as a table, for a closing note: `python -m tests.corpus.report` (from the project
root) runs every case through ingestion in a temporary directory and prints a line per case
with its outcome and row figures, then the totals (corpus size, rows counted, rows lost).
`--why` adds what is wrong with each failing case."""

from __future__ import annotations

import logging
import sys
import tempfile
from pathlib import Path

from . import CASES
from .case import LOADED, Case
from .check import failures
from .run import Observation, run_case

COLUMNS = ("case", "folder", "expected", "outcome", "counted", "loaded", "rejected", "repeats",
           "lost", "verdict")


def observe_all(cases: list[Case] = CASES) -> list[tuple[Case, Observation, list[str]]]:
    observed = []
    with tempfile.TemporaryDirectory(prefix="funnel-corpus-") as scratch:
        for number, case in enumerate(cases):
            data_dir = Path(scratch) / f"{number:03d}"
            seen = run_case(case, data_dir)
            observed.append((case, seen, failures(case, seen)))
    return observed


def table(observed: list[tuple[Case, Observation, list[str]]], why: bool = False) -> str:
    rows = [COLUMNS]
    for case, seen, found in observed:
        refused = seen.outcome not in (LOADED, None)
        rows.append((
            case.name, case.source, "/".join(sorted(case.outcomes)), seen.outcome or "raised",
            "-" if seen.counted is None else str(seen.counted),
            "-" if refused else str(seen.loaded), "-" if refused else str(seen.rejected),
            "-" if refused else str(seen.repeated), str(seen.lost),
            "ok" if not found else f"FAIL ({len(found)})"))
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
    lines = ["| " + " | ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) + " |"
             for row in rows]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    read = [seen for _, seen, _ in observed if seen.outcome == LOADED and seen.counted is not None]
    refused = [seen for _, seen, _ in observed if seen.outcome not in (LOADED, None)]
    lines += ["", f"corpus: {len(observed)} cases, {sum(1 for *_, f in observed if not f)} as expected; "
              f"rows counted in files read: {sum(s.counted for s in read)}, "
              f"lost: {sum(max(s.lost, 0) for s in read)}, "
              f"files out of balance: {sum(1 for s in read if s.lost)}; "
              f"files refused or ignored (kept in the inbox, named): {len(refused)}; "
              f"ingestion raised: {sum(1 for _, s, _ in observed if s.error)}"]
    if why:
        for case, _, found in observed:
            lines += [f"{case.name}: {f}" for f in found]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    logging.disable(logging.ERROR)  # ingestion logs each refused file; the table says it
    observed = observe_all()
    print(table(observed, why="--why" in argv))
    return 0 if all(not found for *_, found in observed) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
