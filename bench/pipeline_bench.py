"""The pipeline against the DuckDB floor (issue 8, DESIGN.md section 7).

For each size (web events; the other sources in the generator's proportions):
  1. full build: `funnel --data-dir D run --quiet` from an empty warehouse;
  2. floor: bench/floor.sql in one DuckDB process reading the same inbox files, its marts
     asserted equal to the pipeline's (same rows, doubles within 1e-9 relative);
  3. increment: one more day of files (generated with days+1 in a scratch folder, only the new
     day's files copied), then `funnel run`;
  4. fixed overhead: `funnel run` with nothing new.
Each step's wall time and the peak RSS of its whole process tree (bench/measure.py). Results are
printed as a table and written to bench/results/<timestamp>-<size>.json.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

from bench.floor import floor_entry
from bench.paths import RESULTS_DIR, ROOT
from bench.report import table, write_result
from bench.scenario import bench_size


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["floor"]:
        floor_entry(argv[1:])
        return 0
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Benchmark `funnel run` against a hand-written DuckDB script (the floor).")
    parser.add_argument("--sizes", default="1000000",
                        help="comma-separated web event counts (default 1000000)")
    parser.add_argument("--days", type=int, default=30, help="days of data (default 30)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--project", type=Path, default=ROOT,
                        help="checkout whose .venv/bin/funnel and dbt_project run (default: this one)")
    parser.add_argument("--workdir", type=Path, default=None,
                        help="where data goes (default: a temporary folder, removed afterwards)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    parser.add_argument("--profile", action="store_true",
                        help="run the pipeline with --verbose and record Dagster step times")
    parser.add_argument("--no-increment-check", action="store_true",
                        help="skip re-running the floor after the increment")
    parser.add_argument("--snapshot", action="store_true",
                        help="measure the committed HEAD, exported to the work folder (edits made "
                        "in the checkout during the benchmark do not affect it)")
    parser.add_argument("--skip-overhead", action="store_true",
                        help="skip step 4, the run with nothing new (the CI smoke test does)")
    parser.add_argument("--results-dir", type=Path, default=RESULTS_DIR)
    args = parser.parse_args(argv)
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]

    results = []
    for size in sizes:
        base = args.workdir or Path(tempfile.mkdtemp(prefix=f"funnel_bench_{size}_"))
        workdir = base / str(size) if args.workdir else base
        if workdir.exists() and any(workdir.iterdir()):
            raise SystemExit(f"{workdir} is not empty")
        workdir.mkdir(parents=True, exist_ok=True)
        try:
            result = bench_size(size, args.days, args.seed, workdir, args.project.resolve(),
                                verbose=args.profile,
                                check_increment=not args.no_increment_check,
                                include_overhead=not args.skip_overhead,
                                snapshot=args.snapshot)
            path = write_result(result, args.results_dir)
            print(f"[{size:,}] written {path}")
            results.append(result)
        finally:
            if not args.keep:
                shutil.rmtree(workdir, ignore_errors=True)
    print()
    print(table(results))
    return 0 if all(r["bars"]["floor_equals_pipeline"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
