"""One size of the benchmark: generate, full build, floor, dbt alone, increment, fixed
overhead, and the ratios and bars of DESIGN.md section 7."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from bench.compare import compare_marts, describe_differences
from bench.dataset import copy_new_day, folder_bytes, generate, scale_for
from bench.dbt_only import measure_dbt_only
from bench.floor import measure_floor
from bench.measure import machine
from bench.paths import ROOT
from bench.pipeline_run import git_state, parse_dbt, run_pipeline_logged, snapshot_project


def full_over_floor_bar(events: int) -> float:
    """DESIGN.md section 7: within 2x the floor at 10M events, 4x at 1M (fixed costs dominate)."""
    return 2.0 if events >= 10_000_000 else 4.0


def bench_size(events: int, days: int, seed: int, workdir: Path, project: Path | None = None,
               verbose: bool = False, check_increment: bool = True,
               include_overhead: bool = True, snapshot: bool = False, say=print) -> dict:
    scale = scale_for(events, days)
    data_dir = workdir / "data"
    scratch = workdir / "scratch"
    logs = workdir / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    source = project or ROOT
    result: dict = {
        "size": events, "days": days, "seed": seed, "scale": round(scale, 6),
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(), "project": str(source), "git": git_state(source),
        "snapshot_of_head": snapshot,
        "pipeline_output": "--verbose" if verbose else "--quiet",
    }
    if snapshot:
        project = snapshot_project(workdir / "project", source)
        parse_dbt(project, data_dir)
        say(f"[{events:,}] measuring a snapshot of {result['git']['commit']} in {project}")
    else:
        project = source
    seeds = project / "dbt_project" / "seeds"

    say(f"[{events:,}] generating {days} days (scale {scale:.3f}) ...")
    result["generate"] = generate(data_dir / "inbox", days, scale, seed)
    result["rows"] = result["generate"]["rows"]
    result["inbox_mib"] = round(folder_bytes(data_dir / "inbox") / 2**20, 1)
    say(f"[{events:,}] generated {result['rows']} ({result['inbox_mib']} MiB) in "
        f"{result['generate']['seconds']:.0f}s")

    say(f"[{events:,}] full build (funnel run, empty warehouse) ...")
    result["full"] = run_pipeline_logged("full", project, data_dir, verbose, logs)
    say(f"[{events:,}] full build {result['full']['seconds']:.1f}s, "
        f"peak {result['full']['peak_rss_mib']:.0f} MiB (load {result['full']['load_before']})")

    say(f"[{events:,}] floor (bench/floor.sql) ...")
    result["floor"] = measure_floor(data_dir / "inbox", workdir / "floor.duckdb", seeds)
    say(f"[{events:,}] floor {result['floor']['seconds']:.1f}s, "
        f"peak {result['floor']['peak_rss_mib']:.0f} MiB")
    comparison = compare_marts(workdir / "floor.duckdb", data_dir / "warehouse.duckdb")
    result["floor_equals_pipeline"] = comparison
    say(f"[{events:,}] floor equals pipeline: {comparison['equal']}")
    if not comparison["equal"]:
        say(describe_differences(comparison))

    say(f"[{events:,}] dbt alone (dbt build --full-refresh on the same raw layer) ...")
    result["dbt_only"] = measure_dbt_only(project, data_dir, workdir)
    say(f"[{events:,}] dbt alone {result['dbt_only']['seconds']:.1f}s "
        f"({result['dbt_only']['nodes']} nodes, exit {result['dbt_only']['returncode']}), "
        f"peak {result['dbt_only']['peak_rss_mib']:.0f} MiB")

    say(f"[{events:,}] increment: generating {days + 1} days in a scratch folder ...")
    result["generate_increment"] = generate(scratch / "inbox", days + 1, scale, seed)
    new_files = copy_new_day(scratch / "inbox", data_dir / "inbox")
    result["increment_files"] = new_files
    result["increment_rows"] = {k: result["generate_increment"]["rows"][k] - result["rows"][k]
                                for k in result["rows"]}
    say(f"[{events:,}] increment: {len(new_files)} new files, {result['increment_rows']}")
    result["increment"] = run_pipeline_logged("increment", project, data_dir, verbose, logs)
    say(f"[{events:,}] increment {result['increment']['seconds']:.1f}s")

    if check_increment:
        measured = measure_floor(data_dir / "inbox", workdir / "floor_increment.duckdb", seeds)
        result["floor_after_increment"] = measured
        comparison = compare_marts(workdir / "floor_increment.duckdb", data_dir / "warehouse.duckdb")
        result["floor_equals_pipeline_after_increment"] = comparison
        say(f"[{events:,}] after the increment, floor equals pipeline: {comparison['equal']}")
        if not comparison["equal"]:
            say(describe_differences(comparison))

    if include_overhead:
        say(f"[{events:,}] fixed overhead (funnel run, nothing new) ...")
        result["overhead"] = run_pipeline_logged("overhead", project, data_dir, verbose, logs)
        say(f"[{events:,}] overhead {result['overhead']['seconds']:.1f}s")
    runs = [k for k in ("full", "increment", "overhead") if k in result]

    full, floor = result["full"]["seconds"], result["floor"]["seconds"]
    dbt_alone = result["dbt_only"]["seconds"]
    result["ratios"] = {
        "full_over_floor": round(full / floor, 2) if floor else None,
        "dbt_only_over_floor": round(dbt_alone / floor, 2) if floor else None,
        "full_over_dbt_only": round(full / dbt_alone, 2) if dbt_alone else None,
        "increment_over_full": round(result["increment"]["seconds"] / full, 3) if full else None,
        "overhead_over_full": (round(result["overhead"]["seconds"] / full, 3)
                               if full and "overhead" in result else None),
    }
    floor_bar = full_over_floor_bar(events)
    result["bars"] = {
        f"full_within_{floor_bar:g}x_floor": result["ratios"]["full_over_floor"] <= floor_bar,
        "increment_within_0.25x_full": result["ratios"]["increment_over_full"] <= 0.25,
        "nothing_new_under_5_s": (result["overhead"]["seconds"] < 5.0
                                  if "overhead" in result else None),
        "peak_under_4_gib": max(result[k]["peak_rss_mib"] for k in runs) < 4096,
        "floor_equals_pipeline": result["floor_equals_pipeline"]["equal"] and result.get(
            "floor_equals_pipeline_after_increment", {"equal": True})["equal"],
    }
    result["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    result["machine_after"] = machine()
    return result
