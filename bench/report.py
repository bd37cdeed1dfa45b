"""The benchmark's results: the printed table and the JSON file of each size."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from bench.measure import machine
from bench.paths import RESULTS_DIR


def table(results: list[dict]) -> str:
    header = (f"{'events':>11} {'full s':>8} {'floor s':>8} {'full/floor':>10} {'dbt s':>7} "
              f"{'full/dbt':>8} {'incr s':>8} "
              f"{'incr/full':>9} {'overhead s':>10} {'peak MiB':>9} {'floor MiB':>9} {'equal':>6} "
              f"{'load (1/5/15 min)':>18}")
    lines = [header, "-" * len(header)]
    for r in results:
        peak = max(r[k]["peak_rss_mib"] for k in ("full", "increment", "overhead") if k in r)
        load = "/".join(f"{x:.1f}" for x in r["full"]["load_before"])
        overhead = r["overhead"]["seconds"] if "overhead" in r else float("nan")
        lines.append(
            f"{r['rows']['web_visits']:>11,} {r['full']['seconds']:>8.1f} "
            f"{r['floor']['seconds']:>8.1f} {r['ratios']['full_over_floor']:>10.2f} "
            f"{_dbt_only(r):>7.1f} {r['ratios'].get('full_over_dbt_only') or float('nan'):>8.2f} "
            f"{r['increment']['seconds']:>8.1f} {r['ratios']['increment_over_full']:>9.3f} "
            f"{overhead:>10.1f} {peak:>9.0f} {r['floor']['peak_rss_mib']:>9.0f} "
            f"{str(r['bars']['floor_equals_pipeline']):>6} {load:>18}")
    m = results[0]["machine"] if results else machine()
    lines.append(f"cores: {m['cores']}; load average at start {m['load_average']}, "
                 f"now {machine()['load_average']}; bars: full <= 2x floor at 10M (4x at 1M), "
                 "increment <= 0.25x full (and at 10M <= 1.25x the 1M increment), nothing new "
                 "< 5 s, peak < 4096 MiB; dbt s: dbt build --full-refresh alone on the same raw "
                 "layer")
    lines += _increment_growth(results)
    return "\n".join(lines)


def _dbt_only(result: dict) -> float:
    return result["dbt_only"]["seconds"] if "dbt_only" in result else float("nan")


def _increment_growth(results: list[dict]) -> list[str]:
    """The increment on the largest history against the one on the smallest (bar: 1.25x from
    1M to 10M)."""
    if len({r["size"] for r in results}) < 2:
        return []
    small = min(results, key=lambda r: r["size"])
    large = max(results, key=lambda r: r["size"])
    ratio = large["increment"]["seconds"] / small["increment"]["seconds"]
    return [f"increment at {large['size']:,} / increment at {small['size']:,}: {ratio:.2f}"]


def write_result(result: dict, results_dir: Path = RESULTS_DIR) -> Path:
    results_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = results_dir / f"{stamp}-{result['size']}.json"
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(result, indent=2, default=str))
    tmp.replace(path)
    return path
