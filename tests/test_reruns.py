"""Re-runs change nothing: the same inbox twice, and day by day against all at once."""

import os
import shutil
from pathlib import Path

import pytest
from warehouse_snapshot import differences, snapshot

from pipelines.cli import main
from pipelines.generate import generate_sample

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
