"""The floor: bench/floor.sql, one hand-written DuckDB script over the inbox files, run on one
connection in a child process so its time and memory are measured like the pipeline's."""

from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path

from bench.measure import run_measured
from bench.paths import FLOOR_SQL, ROOT


def floor_statements(inbox: Path, seeds: Path) -> list[str]:
    text = FLOOR_SQL.read_text()
    text = text.replace("${INBOX}", str(inbox.resolve())).replace("${SEEDS}", str(seeds.resolve()))
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("--"))
    return [s.strip() for s in re.split(r";\s*\n", body + "\n") if s.strip()]


def run_floor(inbox: Path, database: Path, seeds: Path) -> dict:
    """Execute bench/floor.sql on one connection; the seconds of each statement."""
    import duckdb

    if database.exists():
        database.unlink()
    started = time.perf_counter()
    con = duckdb.connect(str(database))
    steps = []
    for statement in floor_statements(inbox, seeds):
        t0 = time.perf_counter()
        con.execute(statement)
        first_line = statement.splitlines()[0][:90]
        steps.append({"statement": first_line, "seconds": round(time.perf_counter() - t0, 3)})
    con.close()
    return {"seconds": round(time.perf_counter() - started, 3), "statements": steps}


def floor_entry(argv: list[str]) -> None:
    """`python -m bench.pipeline_bench floor INBOX DATABASE SEEDS REPORT`: run in a child
    process so its time and memory are measured like the pipeline's; timings go to REPORT."""
    inbox, database, seeds, report = (Path(a) for a in argv)
    report.write_text(json.dumps(run_floor(inbox, database, seeds)))


def measure_floor(inbox: Path, database: Path, seeds: Path) -> dict:
    report = database.with_suffix(".json")
    measured = run_measured("floor", [sys.executable, "-m", "bench.pipeline_bench", "floor",
                                      str(inbox), str(database), str(seeds), str(report)],
                            cwd=ROOT)
    inner = json.loads(report.read_text())
    result = measured.as_dict()
    result["stdout_tail"] = ""
    result["script_seconds"] = inner["seconds"]
    result["statements"] = inner["statements"]
    return result
