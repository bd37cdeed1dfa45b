"""Ingestion throughput of expression mappings against plain renames (issue 15: within 10% at
1M web events), measured side by side in one run on the same inbox:

- `contract`: no mapping, the files' own column names (the floor);
- `renames`: a mapping renaming every column (the polars fast path);
- `expressions`: the same columns as DuckDB expressions, with a fallback, a lower-casing and a
  condition, as the presets write them (the DuckDB engine path).

Each variant ingests the web visits into its own empty warehouse; the order rotates per round
and the best round counts (the machines are shared and noisy).

    python -m bench.mapping_throughput --events 1000000 --rounds 2
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import duckdb
import yaml

from bench.dataset import scale_for
from pipelines.contract import WEB_VISITS
from pipelines.generate import generate_sample
from pipelines.ingestion.ingest import ingest_source
from pipelines.ingestion.mapping import load_mappings

SOURCE = "web_visits"


def _renames() -> dict:
    return {"source": SOURCE, "files": "*", "columns": {c: c for c in WEB_VISITS.columns}}


def _expressions() -> dict:
    columns = {c: {"expr": f'"{c}"'} for c in WEB_VISITS.columns}
    columns["referrer_url"] = {"expr": "coalesce(nullif(referrer_url, ''), page_url)"}
    columns["device"] = {"expr": "lower(device)"}
    columns["utm_medium"] = {"expr": "case when utm_source is null then null else utm_medium end"}
    return {"source": SOURCE, "files": "*", "columns": columns}


VARIANTS = {"contract": None, "renames": _renames, "expressions": _expressions}


def _ingest(inbox: Path, mapping: dict | None, workdir: Path) -> tuple[float, tuple[int, int]]:
    mappings_dir = workdir / "mappings"
    mappings_dir.mkdir(parents=True)
    if mapping:
        (mappings_dir / "bench.yml").write_text(yaml.safe_dump(mapping, sort_keys=False))
    con = duckdb.connect(str(workdir / "warehouse.duckdb"))
    started = time.perf_counter()
    result = ingest_source(con, SOURCE, inbox, load_mappings(mappings_dir))
    seconds = time.perf_counter() - started
    con.close()
    assert result.is_balanced, result.unbalanced_files
    return seconds, (result.rows_loaded, result.rows_rejected)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        generate_sample(root / "inbox", days=args.days, seed=1,
                        scale=scale_for(args.events, args.days))
        best: dict[str, float] = {}
        outcomes: dict[str, tuple[int, int]] = {}
        names = list(VARIANTS)
        for round_number in range(args.rounds):
            order = names[round_number % len(names):] + names[:round_number % len(names)]
            for name in order:
                build = VARIANTS[name]
                seconds, outcomes[name] = _ingest(root / "inbox", build() if build else None,
                                                  root / f"{name}-{round_number}")
                best[name] = min(best.get(name, seconds), seconds)
                print(f"round {round_number + 1} {name:<12} {seconds:6.1f} s", flush=True)
    # The same rows loaded and rejected whichever way the columns are mapped.
    assert len(set(outcomes.values())) == 1, outcomes
    rows, rejected = outcomes["renames"]
    print(f"\n{rows:,} web events loaded ({rejected:,} rejected, the generator's bad rows), "
          f"best of {args.rounds} round(s):")
    for name, seconds in best.items():
        print(f"  {name:<12} {seconds:6.1f} s  {rows / seconds:>12,.0f} rows/s  "
              f"{seconds / best['renames']:.2f}x renames")


if __name__ == "__main__":
    main()
