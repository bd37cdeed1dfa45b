"""Crash safety: a run killed with SIGKILL during ingestion, dbt or publishing, then re-run,
equals an uninterrupted run: the warehouse and the published copy, no row lost or doubled."""

import os
import subprocess
import sys

import pytest
from test_reruns import fresh_copy, generated, published, run_in, uninterrupted  # noqa: F401 - fixtures used by name
from warehouse_snapshot import differences, snapshot


@pytest.mark.parametrize("crash_at", ["ingest.committed:3", "dbt.model_built:5", "publish.written"])
def test_a_killed_run_re_run_equals_an_uninterrupted_one(generated, uninterrupted, tmp_path,  # noqa: F811
                                                         crash_at):
    data_dir = fresh_copy(generated, tmp_path / "killed")
    env = {**os.environ, "FUNNEL_DATA_DIR": str(data_dir), "FUNNEL_CRASH_AT": crash_at,
           "FUNNEL_ROWS_PER_COMMIT": "1"}
    killed = subprocess.run([sys.executable, "-m", "pipelines.cli", "run", "--quiet"], env=env,
                            start_new_session=True, capture_output=True, text=True, timeout=600)
    assert killed.returncode == -9, f"the crash point was not reached: {killed.stderr[-2000:]}"
    assert run_in(data_dir) == 0
    assert differences(snapshot(uninterrupted / "warehouse.duckdb"),
                       snapshot(data_dir / "warehouse.duckdb")) == []
    assert differences(published(uninterrupted), published(data_dir)) == []
