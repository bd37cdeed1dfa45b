"""Crash safety: a run killed with SIGKILL during ingestion, then its re-run killed during dbt,
then that re-run killed during publishing, then a last re-run: the warehouse and the published
copy equal an uninterrupted run, no row lost or doubled. (One chain instead of three separate
kill-and-rerun pairs: the same three crash points, half the builds.)"""

import os
import subprocess
import sys

from test_reruns import fresh_copy, generated, published, run_in, uninterrupted  # noqa: F401 - fixtures used by name
from warehouse_snapshot import differences, snapshot

CRASH_POINTS = ["ingest.committed:3", "dbt.model_built:5", "publish.written"]


def run_killed_at(data_dir, crash_at):
    env = {**os.environ, "FUNNEL_DATA_DIR": str(data_dir), "FUNNEL_CRASH_AT": crash_at,
           "FUNNEL_ROWS_PER_COMMIT": "1"}
    return subprocess.run([sys.executable, "-m", "pipelines.cli", "run", "--quiet"], env=env,
                          start_new_session=True, capture_output=True, text=True, timeout=600)


def test_runs_killed_during_ingestion_dbt_and_publishing_then_re_run_equal_an_uninterrupted_one(
        generated, uninterrupted, tmp_path):  # noqa: F811
    data_dir = fresh_copy(generated, tmp_path / "killed")
    for crash_at in CRASH_POINTS:
        killed = run_killed_at(data_dir, crash_at)
        assert killed.returncode == -9, \
            f"the crash point {crash_at} was not reached: {killed.stderr[-2000:]}"
        leftovers = list((data_dir / "published" / "versions").glob(".writing-*")) \
            if (data_dir / "published" / "versions").exists() else []
        if crash_at.startswith("publish"):
            assert leftovers, "the publication was killed half-written"
    assert run_in(data_dir) == 0
    assert differences(snapshot(uninterrupted / "warehouse.duckdb"),
                       snapshot(data_dir / "warehouse.duckdb")) == []
    assert differences(published(uninterrupted), published(data_dir)) == []
    assert not list((data_dir / "published" / "versions").glob(".writing-*"))
