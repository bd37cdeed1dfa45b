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
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

from bench.measure import machine, run_measured

ROOT = Path(__file__).resolve().parent.parent
FLOOR_SQL = Path(__file__).resolve().parent / "floor.sql"
RESULTS_DIR = Path(__file__).resolve().parent / "results"
EVENTS_PER_DAY_AT_SCALE_1 = 2_000  # pipelines/generate/volumes.py
START = date(2026, 1, 1)

# The marts the floor computes, with their keys (one row per key).
MARTS = {
    "mart_funnel_daily": ["metric_date", "channel"],
    "dim_contacts": ["contact_id"],
    "fct_attribution": ["opportunity_id", "session_id", "attribution_model"],
}
RELATIVE_TOLERANCE = 1e-9


# --------------------------------------------------------------------------------------------
# The floor
# --------------------------------------------------------------------------------------------

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


def _floor_entry(argv: list[str]) -> None:
    """`python -m bench.pipeline_bench floor INBOX DATABASE SEEDS REPORT`: run in a child
    process so its time and memory are measured like the pipeline's; timings go to REPORT."""
    inbox, database, seeds, report = (Path(a) for a in argv)
    report.write_text(json.dumps(run_floor(inbox, database, seeds)))


# --------------------------------------------------------------------------------------------
# Comparing the floor's marts with the pipeline's
# --------------------------------------------------------------------------------------------

def compare_marts(floor_db: Path, warehouse_db: Path, marts: dict[str, list[str]] | None = None,
                  tolerance: float = RELATIVE_TOLERANCE) -> dict:
    """Per mart: columns and types, row counts, keys missing on either side, and the number of
    matched rows that differ per column (doubles: |a - b| <= tolerance * max(|a|, |b|); every
    other type exactly, nulls equal). `equal` is true when nothing differs."""
    import duckdb

    marts = marts or MARTS
    con = duckdb.connect()
    con.execute(f"ATTACH '{floor_db}' AS floor (READ_ONLY)")
    con.execute(f"ATTACH '{warehouse_db}' AS pipeline (READ_ONLY)")
    report: dict = {"equal": True, "marts": {}}
    for mart, keys in marts.items():
        item: dict = {}
        report["marts"][mart] = item
        exists = con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE database_name = 'pipeline' "
            "AND schema_name = 'marts' AND table_name = ?", [mart]).fetchone()[0]
        if not exists:
            item["error"] = f"marts.{mart} does not exist in the pipeline's warehouse"
            report["equal"] = False
            continue
        floor_cols = con.execute(f"DESCRIBE floor.main.{mart}").fetchall()
        pipe_cols = con.execute(f"DESCRIBE pipeline.marts.{mart}").fetchall()
        floor_types = {r[0]: r[1] for r in floor_cols}
        pipe_types = {r[0]: r[1] for r in pipe_cols}
        item["columns"] = len(pipe_cols)
        item["missing_columns"] = [c for c in pipe_types if c not in floor_types]
        item["extra_columns"] = [c for c in floor_types if c not in pipe_types]
        item["type_differences"] = {c: [floor_types[c], t] for c, t in pipe_types.items()
                                    if c in floor_types and floor_types[c] != t}
        item["rows_floor"] = con.execute(f"SELECT count(*) FROM floor.main.{mart}").fetchone()[0]
        item["rows_pipeline"] = con.execute(f"SELECT count(*) FROM pipeline.marts.{mart}").fetchone()[0]
        key_list = ", ".join(keys)
        item["duplicate_keys_floor"] = con.execute(
            f"SELECT count(*) FROM (SELECT {key_list} FROM floor.main.{mart} GROUP BY ALL "
            "HAVING count(*) > 1)").fetchone()[0]
        item["duplicate_keys_pipeline"] = con.execute(
            f"SELECT count(*) FROM (SELECT {key_list} FROM pipeline.marts.{mart} GROUP BY ALL "
            "HAVING count(*) > 1)").fetchone()[0]
        on = " AND ".join(f"f.{k} IS NOT DISTINCT FROM p.{k}" for k in keys)
        first_key = keys[0]
        item["rows_only_in_floor"] = con.execute(
            f"SELECT count(*) FROM floor.main.{mart} f ANTI JOIN pipeline.marts.{mart} p ON {on}"
        ).fetchone()[0]
        item["rows_only_in_pipeline"] = con.execute(
            f"SELECT count(*) FROM pipeline.marts.{mart} p ANTI JOIN floor.main.{mart} f ON {on}"
        ).fetchone()[0]
        shared = [c for c in pipe_types if c in floor_types and c not in keys]
        differs = []
        for c in shared:
            if pipe_types[c] in ("DOUBLE", "FLOAT") or floor_types[c] in ("DOUBLE", "FLOAT"):
                differs.append(
                    f"count(*) FILTER (WHERE (f.{c} IS NULL) <> (p.{c} IS NULL) OR "
                    f"abs(f.{c} - p.{c}) > {tolerance} * greatest(abs(f.{c}), abs(p.{c}))) AS \"{c}\"")
            else:
                differs.append(f"count(*) FILTER (WHERE f.{c} IS DISTINCT FROM p.{c}) AS \"{c}\"")
        counts = con.execute(
            f"SELECT {', '.join(differs) or 'NULL'} FROM floor.main.{mart} f "
            f"JOIN pipeline.marts.{mart} p ON {on}").fetchone() if differs else ()
        item["differing_values"] = {c: n for c, n in zip(shared, counts, strict=True) if n}
        if item["differing_values"]:
            column = next(iter(item["differing_values"]))
            item["sample_difference"] = [list(map(str, r)) for r in con.execute(
                f"SELECT {', '.join('f.' + k for k in keys)}, f.{column} AS floor_value, "
                f"p.{column} AS pipeline_value FROM floor.main.{mart} f "
                f"JOIN pipeline.marts.{mart} p ON {on} "
                f"WHERE f.{column} IS DISTINCT FROM p.{column} ORDER BY f.{first_key} LIMIT 5"
            ).fetchall()]
        item["equal"] = not (item["missing_columns"] or item["extra_columns"]
                             or item["type_differences"] or item["rows_only_in_floor"]
                             or item["rows_only_in_pipeline"] or item["differing_values"]
                             or item["duplicate_keys_floor"] or item["duplicate_keys_pipeline"]
                             or item["rows_floor"] != item["rows_pipeline"])
        report["equal"] = report["equal"] and item["equal"]
    con.close()
    return report


def describe_differences(report: dict) -> str:
    lines = []
    for mart, item in report["marts"].items():
        if item.get("equal"):
            continue
        if "error" in item:
            lines.append(f"{mart}: {item['error']}")
            continue
        lines.append(
            f"{mart}: rows floor {item['rows_floor']} / pipeline {item['rows_pipeline']}, "
            f"only in floor {item['rows_only_in_floor']}, only in pipeline "
            f"{item['rows_only_in_pipeline']}, missing columns {item['missing_columns']}, "
            f"extra columns {item['extra_columns']}, types {item['type_differences']}, "
            f"differing values {item['differing_values']}, sample {item.get('sample_difference')}")
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------------------------

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


# --------------------------------------------------------------------------------------------
# The pipeline
# --------------------------------------------------------------------------------------------

def funnel_command(project: Path, data_dir: Path, verbose: bool) -> list[str]:
    return [str(project / ".venv" / "bin" / "funnel"), "--data-dir", str(data_dir), "run",
            "--verbose" if verbose else "--quiet"]


def pipeline_env(data_dir: Path, project: Path) -> dict:
    # PYTHONPATH: the `pipelines` package of `project` (a snapshot) wins over the editable
    # install of this checkout, whose import hook comes after the path entries.
    env = {**os.environ, "FUNNEL_DATA_DIR": str(data_dir), "PYTHONPATH": str(project),
           "DBT_SEND_ANONYMOUS_USAGE_STATS": "false", "DAGSTER_DISABLE_TELEMETRY": "true"}
    env.pop("DAGSTER_HOME", None)
    return env


def snapshot_project(target: Path, source: Path = ROOT) -> Path:
    """The committed HEAD of `source` exported to `target` (git archive), sharing its .venv, with
    its dbt manifest parsed: a benchmark that takes half an hour then measures one version of
    the code, whatever is edited in the checkout meanwhile."""
    target.mkdir(parents=True)
    archive = subprocess.run(["git", "archive", "--format=tar", "HEAD"], cwd=source,
                             capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    (target / ".venv").symlink_to(source / ".venv")
    return target


def parse_dbt(project: Path, data_dir: Path) -> None:
    """`dbt parse` (what `make prepare` does) with the benchmark's data directory, so the first
    measured run finds a manifest, as in a deployment."""
    dbt_dir = project / "dbt_project"
    subprocess.run([str(project / ".venv" / "bin" / "dbt"), "parse", "--quiet",
                    "--project-dir", str(dbt_dir), "--profiles-dir", str(dbt_dir)],
                   cwd=dbt_dir, env=pipeline_env(data_dir, project), check=True)


_STEP = re.compile(r' - STEP_SUCCESS - Finished execution of step "([^"]+)" in ([0-9hms.]+)\.?$',
                   re.MULTILINE)
_PART = re.compile(r"([\d.]+)(ms|h|m|s)")
_UNIT = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}


def parse_duration(text: str) -> float:
    """Dagster's step durations: '101ms', '1.19s', '1m16s', '1h2m3s'."""
    return sum(float(n) * _UNIT[u] for n, u in _PART.findall(text))


def dagster_steps(log: str) -> dict[str, float]:
    """Seconds per Dagster step from a `--verbose` run's log."""
    return {m.group(1): round(parse_duration(m.group(2).rstrip(".")), 3)
            for m in _STEP.finditer(log)}


_EVENT = re.compile(r'^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4}) - dagster - \w+ - .* - (\S+) - '
                    r'(STEP_START|STEP_SUCCESS|STEP_FAILURE) - ', re.MULTILINE)


def step_peaks(log: str, timeline: list) -> dict[str, float]:
    """Peak tree RSS (MiB) while each Dagster step ran, from the log's step start and end
    times (whole seconds) and the sampled timeline."""
    spans: dict[str, list[float]] = {}
    for match in _EVENT.finditer(log):
        at = datetime.strptime(match.group(1), "%Y-%m-%d %H:%M:%S %z").timestamp()
        span = spans.setdefault(match.group(2), [at, at])
        if match.group(3) == "STEP_START":
            span[0] = at
        else:
            span[1] = at + 1.0  # the log rounds down to the second
    return {step: max((mib for t, mib in timeline if start <= t <= end), default=0)
            for step, (start, end) in spans.items()}


def dbt_run_results(project: Path, data_dir: Path, timeline: list | None = None) -> dict | None:
    """dbt's timings of the run recorded in <data dir>/reports/last_run_checks.json: dagster-dbt
    writes each invocation to dbt_project/target/<op>-<run id[:7]>-<random>/. Per node: its
    seconds, with a timeline its peak tree RSS; tests are also summed per model they test."""
    checks = data_dir / "reports" / "last_run_checks.json"
    if not checks.exists():
        return None
    run_id = json.loads(checks.read_text()).get("run_id", "")
    candidates = sorted((project / "dbt_project" / "target").glob(f"*-{run_id[:7]}-*/run_results.json"))
    if not candidates:
        return None
    results = json.loads(candidates[-1].read_text())
    nodes = []
    for node in results["results"]:
        execute = [t for t in node.get("timing", []) if t["name"] == "execute"]
        item = {"node": node["unique_id"], "status": node["status"],
                "seconds": round(node["execution_time"], 3),
                "execute_seconds": round(_span(execute[0]), 3) if execute else None}
        if timeline and execute:
            start, end = (_instant(execute[0][k]) for k in ("started_at", "completed_at"))
            item["peak_rss_mib"] = max((mib for t, mib in timeline
                                        if start - 0.2 <= t <= end + 0.2), default=None)
        nodes.append(item)
    nodes.sort(key=lambda n: -n["seconds"])
    kinds: dict[str, dict] = {}
    for n in nodes:
        kind = n["node"].split(".")[0]
        entry = kinds.setdefault(kind, {"count": 0, "seconds": 0.0})
        entry["count"] += 1
        entry["seconds"] = round(entry["seconds"] + n["seconds"], 3)
    return {"elapsed_seconds": round(results.get("elapsed_time", 0.0), 3), "by_kind": kinds,
            "tests_by_model": _tests_by_model(nodes, candidates[-1].with_name("manifest.json")),
            "nodes": nodes, "path": str(candidates[-1])}


def _tests_by_model(nodes: list[dict], manifest_path: Path) -> dict[str, dict]:
    if not manifest_path.exists():
        return {}
    manifest = json.loads(manifest_path.read_text())["nodes"]
    totals: dict[str, dict] = {}
    for n in nodes:
        if not n["node"].startswith("test.") or n["node"] not in manifest:
            continue
        models = sorted(d.split(".")[-1] for d in manifest[n["node"]]["depends_on"]["nodes"]
                        if d.startswith("model."))
        entry = totals.setdefault(models[-1] if models else "(seeds and sources)",
                                  {"tests": 0, "seconds": 0.0})
        entry["tests"] += 1
        entry["seconds"] = round(entry["seconds"] + n["seconds"], 3)
    return dict(sorted(totals.items(), key=lambda kv: -kv[1]["seconds"]))


def _instant(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def _span(timing: dict) -> float:
    return _instant(timing["completed_at"]) - _instant(timing["started_at"])


def run_pipeline_logged(label: str, project: Path, data_dir: Path, verbose: bool,
                        log_dir: Path) -> dict:
    """Like run_pipeline, keeping the whole log (the `--verbose` Dagster log has step times)."""
    manifest = project / "dbt_project" / "target" / "manifest.json"
    manifest_mtime = manifest.stat().st_mtime if manifest.exists() else None
    log_path = log_dir / f"{label}.log"
    command = funnel_command(project, data_dir, verbose)
    wrapped = ["/bin/sh", "-c", 'exec "$@" >"$LOG" 2>&1', "sh", *command]
    env = {**pipeline_env(data_dir, project), "LOG": str(log_path)}
    measured = run_measured(label, wrapped, env=env, cwd=project, check=False, timeline=verbose)
    log = log_path.read_text(errors="replace") if log_path.exists() else ""
    result = measured.as_dict()
    result["command"] = command
    result["stdout_tail"] = log[-3000:]
    result["stderr_tail"] = ""
    if measured.returncode != 0:
        raise RuntimeError(f"{label}: funnel run exited {measured.returncode}\n{log[-6000:]}")
    result["dbt_reparsed_manifest"] = bool(manifest.exists() and manifest.stat().st_mtime != manifest_mtime)
    result["dbt"] = dbt_run_results(project, data_dir, measured.timeline if verbose else None)
    if verbose:
        result["dagster_steps"] = dagster_steps(log)
        result["dagster_step_peak_rss_mib"] = step_peaks(log, measured.timeline)
        result["log"] = str(log_path)
    else:
        result.pop("timeline", None)
    return result


# --------------------------------------------------------------------------------------------
# One size
# --------------------------------------------------------------------------------------------

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
    result["ratios"] = {
        "full_over_floor": round(full / floor, 2) if floor else None,
        "increment_over_full": round(result["increment"]["seconds"] / full, 3) if full else None,
        "overhead_over_full": (round(result["overhead"]["seconds"] / full, 3)
                               if full and "overhead" in result else None),
    }
    result["bars"] = {
        "full_within_2x_floor": result["ratios"]["full_over_floor"] <= 2.0,
        "increment_within_0.1x_full": result["ratios"]["increment_over_full"] <= 0.1,
        "peak_under_4_gib": max(result[k]["peak_rss_mib"] for k in runs) < 4096,
        "floor_equals_pipeline": result["floor_equals_pipeline"]["equal"] and result.get(
            "floor_equals_pipeline_after_increment", {"equal": True})["equal"],
    }
    result["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    result["machine_after"] = machine()
    return result


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


def git_state(project: Path) -> dict:
    def git(*args):
        done = subprocess.run(["git", *args], cwd=project, capture_output=True, text=True)
        return done.stdout.strip()
    return {"commit": git("rev-parse", "--short", "HEAD"),
            "dirty_files": git("status", "--porcelain").splitlines()[:50]}


# --------------------------------------------------------------------------------------------
# Reporting
# --------------------------------------------------------------------------------------------

def table(results: list[dict]) -> str:
    header = (f"{'events':>11} {'full s':>8} {'floor s':>8} {'full/floor':>10} {'incr s':>8} "
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
            f"{r['increment']['seconds']:>8.1f} {r['ratios']['increment_over_full']:>9.3f} "
            f"{overhead:>10.1f} {peak:>9.0f} {r['floor']['peak_rss_mib']:>9.0f} "
            f"{str(r['bars']['floor_equals_pipeline']):>6} {load:>18}")
    m = results[0]["machine"] if results else machine()
    lines.append(f"cores: {m['cores']}; load average at start {m['load_average']}, "
                 f"now {machine()['load_average']}; bars: full <= 2x floor, increment <= 0.1x "
                 "full, peak < 4096 MiB")
    return "\n".join(lines)


def write_result(result: dict, results_dir: Path = RESULTS_DIR) -> Path:
    results_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = results_dir / f"{stamp}-{result['size']}.json"
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(result, indent=2, default=str))
    tmp.replace(path)
    return path


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["floor"]:
        _floor_entry(argv[1:])
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
