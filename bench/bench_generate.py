"""How fast the sample generator writes web events, and its peak memory.

    .venv/bin/python -m bench.bench_generate --events 1000000

Generates into a temporary directory (removed afterwards) with the scale that gives about the
requested number of web events over `--days` days, then prints the figures.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

from bench.dataset import scale_for
from pipelines.generate import generate_sample
from pipelines.generate.volumes import VISITORS_PER_DAY


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000, help="web events to aim for")
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)

    scale = scale_for(args.events, args.days)
    with tempfile.TemporaryDirectory(prefix="bench_generate_") as directory:
        started = time.perf_counter()
        written = generate_sample(Path(directory) / "inbox", days=args.days, seed=args.seed,
                                  scale=scale)
        seconds = time.perf_counter() - started
        size = sum(p.stat().st_size for p in Path(directory).rglob("*") if p.is_file())

    events = written["web_visits"]
    peak_rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(f"days {args.days}, scale {scale:.2f} (~{VISITORS_PER_DAY * scale:,.0f} visitors/day)")
    print(f"events written    {events:,}")
    print("other rows        " + ", ".join(
        f"{name} {rows:,}" for name, rows in written.items() if name != "web_visits"))
    print(f"seconds           {seconds:.1f}")
    print(f"events per second {events / seconds:,.0f} ({events / seconds * 60 / 1e6:.2f} M/min)")
    print(f"files on disk     {size / 2**20:,.1f} MiB")
    print(f"peak RSS          {peak_rss_mib:,.0f} MiB")


if __name__ == "__main__":
    main()
