"""Re-runs change nothing: the same inbox twice, and day by day against all at once."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from warehouse_snapshot import differences, snapshot

from pipelines.cli import main
from pipelines.generate import generate_sample

DAYS = 10
SAMPLE = {"days": DAYS, "seed": 11, "scale": 0.3}


def run_in(data_dir: Path, *extra: str, command=("run", "--quiet")) -> int:
    return main([*command, *extra, "--data-dir", str(data_dir)])


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


def dbt_builds(data_dir: Path) -> list[tuple]:
    con = duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True)
    try:
        return con.execute("SELECT run_id, published_at IS NOT NULL FROM audit.dbt_builds "
                           "ORDER BY built_at").fetchall()
    finally:
        con.close()


def publication_version(data_dir: Path) -> str:
    return json.loads((data_dir / "published" / "manifest.json").read_text())["version"]


def recorded_checks(data_dir: Path) -> set[tuple[str, str, bool]]:
    document = json.loads((data_dir / "reports" / "last_run_checks.json").read_text())
    return {(c["asset"], c["check"], c["passed"]) for c in document["checks"]}


def test_running_the_same_inbox_twice_changes_nothing(uninterrupted, tmp_path, capsys):
    data_dir = shutil.copytree(uninterrupted, tmp_path / "again")
    before = snapshot(data_dir / "warehouse.duckdb")
    capsys.readouterr()
    assert run_in(data_dir, command=("run",)) == 0
    assert differences(before, snapshot(data_dir / "warehouse.duckdb")) == []
    assert differences(published(uninterrupted), published(data_dir)) == []
    # Nothing new: no dbt build, no new publication, and `funnel quality` still shows the
    # results of every check (the dbt tests and mart suites from the build that made the marts).
    assert dbt_builds(data_dir) == dbt_builds(uninterrupted)
    assert len(dbt_builds(data_dir)) == 1
    assert publication_version(data_dir) == publication_version(uninterrupted)
    assert recorded_checks(data_dir) == recorded_checks(uninterrupted)
    out = capsys.readouterr().out
    assert "nothing new: the " in out and "inbox files are all ingested" in out
    assert run_in(data_dir, "quality", command=()) == 0
    first_run = json.loads((uninterrupted / "reports" / "last_run_checks.json").read_text())["run_id"]
    assert first_run in capsys.readouterr().out, "quality shows the run that built the marts"

    # --rebuild builds, checks and publishes again, and changes nothing either.
    assert run_in(data_dir, "--rebuild") == 0
    assert [is_published for _, is_published in dbt_builds(data_dir)] == [True, True]
    assert publication_version(data_dir) != publication_version(uninterrupted)
    assert differences(before, snapshot(data_dir / "warehouse.duckdb")) == []
    assert differences(published(uninterrupted), published(data_dir)) == []


def test_nothing_new_is_decided_without_loading_the_orchestration(uninterrupted):
    # Dagster itself loads (the settings are its ConfigurableResource, 0.8 s); dbt, dagster-dbt,
    # Great Expectations and the definitions (together about 4 s) do not.
    probe = ("import sys; from pipelines.cli import main; status = main(['run', '--data-dir', "
             f"{str(uninterrupted)!r}]); print(status, sorted(m for m in ('dagster_dbt', 'dbt', "
             "'great_expectations', 'pipelines.definitions') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          cwd=Path(__file__).parent.parent)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "0 []"
    assert "nothing new" in done.stdout


def test_anything_new_or_doubtful_goes_through_the_normal_run(uninterrupted, tmp_path):
    from pipelines.nothing_new import nothing_new
    from pipelines.settings import FunnelSettings

    data_dir = shutil.copytree(uninterrupted, tmp_path / "data")
    settings = FunnelSettings(data_dir=str(data_dir))
    assert nothing_new(settings) is not None
    assert nothing_new(FunnelSettings(data_dir=str(data_dir), dbt_target="spark")) is None, \
        "another target: another build"

    ingested = next((data_dir / "inbox" / "contacts").iterdir())
    os.utime(ingested, ns=(ingested.stat().st_atime_ns, ingested.stat().st_mtime_ns + 1))
    assert nothing_new(settings) is not None, "touched, same content: hashed, known"
    ingested.write_bytes(ingested.read_bytes() + b"\n")
    assert nothing_new(settings) is None, "same name, other content: the normal run decides"
    shutil.copy2(uninterrupted / "inbox" / "contacts" / ingested.name, ingested)
    assert nothing_new(settings) is not None

    (data_dir / "inbox" / "contacts" / "copy.csv").write_bytes(ingested.read_bytes())
    lines = nothing_new(settings)
    assert lines is not None and lines[0] == (
        f"ignored: inbox/contacts/copy.csv: same content as contacts/{ingested.name}, which is "
        "ingested already: not loaded twice (remove the copy)"), "named as the normal run does"
    (data_dir / "inbox" / "contacts" / "copy.csv").unlink()

    (data_dir / "inbox" / "contacts" / "late.csv").write_text("contact_id,created_at\n")
    assert nothing_new(settings) is None, "a new file"
    (data_dir / "inbox" / "contacts" / "late.csv").unlink()

    (data_dir / "inbox" / "stray.csv").write_text("a\n")
    assert nothing_new(settings) is None, "a stray file is named by the normal run"
    (data_dir / "inbox" / "stray.csv").unlink()

    (data_dir / "mappings" / "broken.yml").write_text("source: contacts\ncolumns: [\n")
    assert nothing_new(settings) is None, "a broken mapping is named by the normal run"


def day_of(path: Path) -> str:
    # Batch files carry their day in the name: <source>_<YYYY-MM-DD>.<ext> or crm_export_<day>.csv
    return next(part for part in path.name.replace(".", "_").split("_")
                if len(part) == 10 and part[4] == "-")


DAILY_RUNS = 4  # the last days arrive one run each; each run costs ~30 s of fixed start-up


def test_day_by_day_equals_all_at_once(generated, uninterrupted, tmp_path):
    data_dir = tmp_path / "daily"
    shutil.copytree(generated, data_dir, ignore=shutil.ignore_patterns("inbox"))
    files = sorted((p for p in (generated / "inbox").rglob("*") if p.is_file()), key=day_of)
    days = sorted({day_of(p) for p in files})
    assert len(days) >= DAYS
    # The first days in one run, then one run per day: every later run is an incremental build
    # over visitors, contacts and deals that earlier runs already hold.
    arrivals = [days[:-DAILY_RUNS], *([day] for day in days[-DAILY_RUNS:])]
    for arriving in arrivals:
        for path in files:
            if day_of(path) in arriving:
                target = data_dir / "inbox" / path.relative_to(generated / "inbox")
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, target)
        assert run_in(data_dir) == 0, f"run of days {arriving} failed"
    assert differences(snapshot(uninterrupted / "warehouse.duckdb"),
                       snapshot(data_dir / "warehouse.duckdb")) == []
    assert differences(published(uninterrupted), published(data_dir)) == []
