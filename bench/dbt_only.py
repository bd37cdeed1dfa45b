"""The second reference row: the project's own `dbt build --full-refresh`, run alone by the dbt
CLI on the raw layer the full build loaded (what a dbt-only user would run), so the table shows
where the time goes between orchestration and checks (the pipeline) and the SQL (dbt alone)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from bench.measure import run_measured
from bench.pipeline_run import pipeline_env

WAREHOUSE = "warehouse.duckdb"


def measure_dbt_only(project: Path, data_dir: Path, workdir: Path) -> dict:
    """Time and peak memory of dbt alone on a copy of `data_dir`'s warehouse (the copy is not
    timed); the pipeline's warehouse is left as it is."""
    target = workdir / "dbt_only"
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    shutil.copy2(data_dir / WAREHOUSE, target / WAREHOUSE)
    dbt_dir = project / "dbt_project"
    command = [str(project / ".venv" / "bin" / "dbt"), "build", "--full-refresh", "--quiet",
               "--project-dir", str(dbt_dir), "--profiles-dir", str(dbt_dir),
               "--target-path", str(target / "target"), "--log-path", str(target / "logs"),
               "--vars", json.dumps({"data_dir": str(target)})]
    measured = run_measured("dbt_only", command, env=pipeline_env(target, project), cwd=dbt_dir,
                            check=False)
    result = measured.as_dict()
    result.pop("timeline", None)
    result["command"] = command
    result["nodes"] = _node_count(target / "target" / "run_results.json")
    shutil.rmtree(target, ignore_errors=True)
    return result


def _node_count(run_results: Path) -> int | None:
    if not run_results.is_file():
        return None
    return len(json.loads(run_results.read_text())["results"])
