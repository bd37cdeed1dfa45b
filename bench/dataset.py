"""The benchmark's data: sample inbox files generated for a number of web events, and the one
more day of files that makes the increment."""

from __future__ import annotations

import json
import shutil
import sys
from datetime import date
from pathlib import Path

from bench.measure import run_measured
from bench.paths import ROOT

EVENTS_PER_DAY_AT_SCALE_1 = 2_000  # pipelines/generate/volumes.py
START = date(2026, 1, 1)


def scale_for(events: int, days: int) -> float:
    return events / (EVENTS_PER_DAY_AT_SCALE_1 * days)


def generate(inbox: Path, days: int, scale: float, seed: int) -> dict:
    """Generate in a child process (keeps this process small); rows per source and seconds."""
    code = ("import json, sys; from datetime import date; from pathlib import Path; "
            "from pipelines.generate import generate_sample; "
            "print(json.dumps(generate_sample(Path(sys.argv[1]), days=int(sys.argv[2]), "
            "seed=int(sys.argv[3]), scale=float(sys.argv[4]), start=date.fromisoformat(sys.argv[5]))))")
    measured = run_measured("generate", [sys.executable, "-c", code, str(inbox), str(days),
                                         str(seed), repr(scale), START.isoformat()], cwd=ROOT)
    rows = json.loads(measured.stdout_tail.strip().splitlines()[-1])
    return {"rows": rows, "seconds": measured.seconds, "peak_rss_mib": measured.peak_rss_mib}


def inbox_files(inbox: Path) -> dict[str, Path]:
    return {p.relative_to(inbox).as_posix(): p for p in sorted(inbox.rglob("*")) if p.is_file()}


def copy_new_day(scratch_inbox: Path, inbox: Path) -> list[str]:
    """Copy the files the longer generation has and the inbox lacks. The generator leaves the
    earlier days' files byte-identical; their sizes are checked here."""
    ours = inbox_files(inbox)
    new = []
    for relative, path in inbox_files(scratch_inbox).items():
        if relative in ours:
            if ours[relative].stat().st_size != path.stat().st_size:
                raise RuntimeError(f"generator changed an earlier day's file: {relative}")
            continue
        target = inbox / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
        new.append(relative)
    return new


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
