"""Re-runs change nothing: the same inbox twice, day-by-day against all-at-once, and a run
killed with SIGKILL during ingestion, dbt or publishing, then re-run."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pipelines.cli import main
from pipelines.generate import generate_sample
from tests.warehouse_snapshot import differences, snapshot

DAYS = 10
SAMPLE = {"days": DAYS, "seed": 11, "scale": 0.3}


def run_in(data_dir: Path, *extra: str) -> int:
    previous = os.environ.get("FUNNEL_DATA_DIR")
    os.environ["FUNNEL_DATA_DIR"] = str(data_dir)
    try:
        return main(["run", "--quiet", *extra])
    finally:
        if previous is None:
            os.environ.pop("FUNNEL_DATA_DIR", None)
        else:
            os.environ["FUNNEL_DATA_DIR"] = previous


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    source = tmp_path_factory.mktemp("generated")
    generate_sample(source / "inbox", **SAMPLE)
    return source


def fresh_copy(generated: Path, target: Path) -> Path:
    shutil.copytree(generated, target)
    return target


@pytest.fixture(scope="module")
def uninterrupted(generated, tmp_path_factory) -> Path:
    data_dir = fresh_copy(generated, tmp_path_factory.mktemp("once") / "data")
    assert run_in(data_dir) == 0
    return data_dir


def published(data_dir: Path):
    return snapshot(data_dir / "published" / "funnel.duckdb", schemas=("marts",))


def test_running_the_same_inbox_twice_changes_nothing(uninterrupted, tmp_path):
    data_dir = shutil.copytree(uninterrupted, tmp_path / "again")
    before = snapshot(data_dir / "warehouse.duckdb")
    assert run_in(data_dir) == 0
    assert differences(before, snapshot(data_dir / "warehouse.duckdb")) == []
    assert differences(published(uninterrupted), published(data_dir)) == []


def day_of(path: Path) -> str:
    # Batch files carry their day in the name: <source>_<YYYY-MM-DD>.<ext> or crm_export_<day>.csv
    return next(part for part in path.name.replace(".", "_").split("_")
                if len(part) == 10 and part[4] == "-")


def test_day_by_day_equals_all_at_once(generated, uninterrupted, tmp_path):
    data_dir = tmp_path / "daily"
    shutil.copytree(generated, data_dir, ignore=shutil.ignore_patterns("inbox"))
    files = sorted((p for p in (generated / "inbox").rglob("*") if p.is_file()), key=day_of)
    days = sorted({day_of(p) for p in files})
    assert len(days) >= DAYS
    for day in days:
        for path in files:
            if day_of(path) == day:
                target = data_dir / "inbox" / path.relative_to(generated / "inbox")
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, target)
        assert run_in(data_dir) == 0, f"run of day {day} failed"
    assert differences(snapshot(uninterrupted / "warehouse.duckdb"),
                       snapshot(data_dir / "warehouse.duckdb")) == []
    assert differences(published(uninterrupted), published(data_dir)) == []


@pytest.mark.parametrize("crash_at", ["ingest.committed:3", "dbt.model_built:5", "publish.written"])
def test_a_killed_run_re_run_equals_an_uninterrupted_one(generated, uninterrupted, tmp_path, crash_at):
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
