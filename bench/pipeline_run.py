"""Running `funnel run` as the benchmark measures it: its command and environment, the
snapshot of the committed code it can run instead of the checkout, and the measured run."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from bench.measure import run_measured
from bench.paths import ROOT
from bench.run_timings import dagster_steps, dbt_run_results, step_peaks


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


def git_state(project: Path) -> dict:
    def git(*args):
        done = subprocess.run(["git", *args], cwd=project, capture_output=True, text=True)
        return done.stdout.strip()
    return {"commit": git("rev-parse", "--short", "HEAD"),
            "dirty_files": git("status", "--porcelain").splitlines()[:50]}
