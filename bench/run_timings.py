"""What a measured `funnel run` left behind, read back: Dagster's step times and peak memory
from its `--verbose` log, dbt's per-node timings from its run results."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path

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
