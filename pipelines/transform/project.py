"""The dbt project as Dagster sees it: one cached `DbtProject`, and the preparation (dbt parse)
that makes its manifest exist before `@dbt_assets` reads it at import time."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from functools import lru_cache
from pathlib import Path

from dagster_dbt import DbtProject

from pipelines.dbt_child import WRAPPER_NAME, parent_pid_arguments
from pipelines.settings import DBT_PROJECT_DIR, FunnelSettings
from pipelines.transform.project_files import project_source_files

log = logging.getLogger(__name__)


def dbt_executable() -> str:
    """The dbt of this Python environment (the venv need not be activated), started through
    `funnel-dbt` so that a killed run leaves no dbt process behind writing the warehouse."""
    bin_dir = Path(sys.executable).parent
    if (bin_dir / WRAPPER_NAME).exists():
        return str(bin_dir / WRAPPER_NAME)
    if (bin_dir / "dbt").exists():
        log.warning("%s is not installed (reinstall the package: `make install`): a killed run "
                    "may leave dbt running", WRAPPER_NAME)
        return str(bin_dir / "dbt")
    return "dbt"


@lru_cache(maxsize=1)
def funnel_dbt_project() -> DbtProject:
    return DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


def dbt_vars_argument(settings: FunnelSettings) -> list[str]:
    """What dbt reads from the pipeline (FunnelSettings.dbt_vars), as dbt arguments."""
    return ["--vars", json.dumps(settings.dbt_vars, sort_keys=True)]


def parse_project(settings: FunnelSettings | None = None) -> Path:
    """Run `dbt parse` with the venv's dbt and return the manifest path."""
    settings = settings or FunnelSettings.from_environment()
    project = funnel_dbt_project()
    executable = dbt_executable()
    subprocess.run(
        [executable, *parent_pid_arguments(executable, os.getpid()), "parse", "--quiet",
         "--project-dir", str(project.project_dir),
         "--profiles-dir", str(project.profiles_dir),
         "--target-path", str(project.target_path),
         "--target", settings.dbt_target, *dbt_vars_argument(settings)],
        cwd=project.project_dir, env={**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"},
        check=True,
    )
    return project.manifest_path


def prepare_if_dev() -> Path:
    """Make sure the manifest exists: re-parse under `dagster dev` (so SQL edits show up), and
    parse once wherever none exists yet (fresh checkout, tests, CI). Deployments run
    `dbt parse` (or `dagster-dbt project prepare-and-package`) at build time instead."""
    project = funnel_dbt_project()
    if os.getenv("DAGSTER_IS_DEV_CLI") or _manifest_is_stale(project):
        parse_project()
    return project.manifest_path


def _manifest_is_stale(project: DbtProject) -> bool:
    """Missing, or older than a file of the project: a stale manifest makes dagster-dbt fail
    on models it does not know, so an edited project is re-parsed before it is loaded."""
    manifest = project.manifest_path
    if not manifest.exists():
        return True
    built = manifest.stat().st_mtime
    return any(p.stat().st_mtime > built for p in project_source_files(Path(project.project_dir)))
