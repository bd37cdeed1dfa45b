"""Ingestion speed: generate about N web events (with the other sources in proportion), then
time ingesting the whole inbox into an empty warehouse. Prints rows per second and peak RSS.

    python -m bench.bench_ingest --events 1000000
"""

import argparse
import resource
import tempfile
import time
from pathlib import Path

import duckdb

from bench.dataset import scale_for
from pipelines.generate import generate_sample
from pipelines.ingestion.ingest import ingest_inbox
from pipelines.ingestion.mapping import load_mappings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=30)
    args = parser.parse_args()
    scale = scale_for(args.events, args.days)
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder)
        started = time.perf_counter()
        counts = generate_sample(data / "inbox", days=args.days, seed=1, scale=scale)
        generated = time.perf_counter() - started
        inbox_bytes = sum(p.stat().st_size for p in (data / "inbox").rglob("*") if p.is_file())
        con = duckdb.connect(str(data / "warehouse.duckdb"))
        started = time.perf_counter()
        results = ingest_inbox(con, data / "inbox", load_mappings(data / "mappings"))
        ingested = time.perf_counter() - started
        con.close()
    rows_read = sum(r.rows_read for r in results.values())
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"generated: {counts} in {generated:.1f}s "
          f"({counts['web_visits'] / generated:,.0f} web events/s), inbox {inbox_bytes / 1e6:.0f} MB")
    print(f"ingested: {rows_read:,} rows read in {ingested:.1f}s = {rows_read / ingested:,.0f} rows/s")
    for name, r in results.items():
        print(f"  {name:20} read {r.rows_read:>10,}  loaded {r.rows_loaded:>10,}  "
              f"rejected {r.rows_rejected:>6,}  repeats {r.rows_repeated:>6,}  balanced {r.is_balanced}")
    print(f"peak RSS of this process: {peak_mb:,.0f} MB")


if __name__ == "__main__":
    main()
