"""Housekeeping of dagster-dbt's per-run target folders (pipelines/transform/invocations.py):
the last run's partial-parse state is kept for the next run, and only the newest run folders
stay on disk."""

import os

from pipelines.transform import invocations


def test_the_runs_partial_parse_state_replaces_the_projects(tmp_path):
    project_target = tmp_path / "target"
    run_target = project_target / "funnel_dbt_assets-abc-123"
    run_target.mkdir(parents=True)
    (project_target / invocations.PARTIAL_PARSE).write_bytes(b"from dbt parse")
    (run_target / invocations.PARTIAL_PARSE).write_bytes(b"from the run")
    invocations.keep_partial_parse(run_target, project_target)
    assert (project_target / invocations.PARTIAL_PARSE).read_bytes() == b"from the run"
    assert sorted(p.name for p in project_target.iterdir()) == [
        "funnel_dbt_assets-abc-123", invocations.PARTIAL_PARSE]


def test_a_run_without_partial_parse_state_leaves_the_projects(tmp_path):
    project_target = tmp_path / "target"
    run_target = project_target / "funnel_dbt_assets-abc-123"
    run_target.mkdir(parents=True)
    (project_target / invocations.PARTIAL_PARSE).write_bytes(b"from dbt parse")
    invocations.keep_partial_parse(run_target, project_target)
    assert (project_target / invocations.PARTIAL_PARSE).read_bytes() == b"from dbt parse"


def test_only_the_newest_run_folders_are_kept(tmp_path):
    for age in range(8):
        folder = tmp_path / f"funnel_dbt_assets-run{age}-x"
        folder.mkdir()
        (folder / "manifest.json").write_text("{}")
        os.utime(folder, (1_000_000 - age * 60, 1_000_000 - age * 60))
    (tmp_path / "compiled").mkdir()  # dbt's own folder: not a run folder
    removed = invocations.prune_run_folders(tmp_path, "funnel_dbt_assets", keep=3)
    assert sorted(p.name for p in removed) == [f"funnel_dbt_assets-run{age}-x" for age in range(3, 8)]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "compiled", *(f"funnel_dbt_assets-run{age}-x" for age in range(3))]
