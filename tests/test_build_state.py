"""The state that decides whether a nightly run may skip the dbt build
(pipelines/transform/build_state.py): it changes with every file that defines the build and
with every ingested batch, and with nothing else."""

import shutil

import duckdb
import pytest

from pipelines.ingestion.raw_store import LEDGER, ensure_raw_schema
from pipelines.settings import DBT_PROJECT_DIR
from pipelines.transform import build_state


@pytest.fixture
def project(tmp_path):
    copy = tmp_path / "dbt_project"
    shutil.copytree(DBT_PROJECT_DIR, copy, ignore=shutil.ignore_patterns("target", "logs"))
    return copy


def test_project_state_follows_the_files_that_define_the_build(project):
    original = build_state.project_state(project)
    (project / "target").mkdir()
    (project / "target" / "run_results.json").write_text("{}")
    (project / "logs").mkdir()
    (project / "logs" / "dbt.log").write_text("a log line")
    assert build_state.project_state(project) == original, "dbt's outputs are not inputs"

    model = project / "models" / "marts" / "funnel" / "mart_funnel_daily.sql"
    model.write_text(model.read_text() + "\n-- an edit\n")
    edited = build_state.project_state(project)
    assert edited != original

    seed = next((project / "seeds").rglob("*.csv"))
    seed.write_text(seed.read_text() + "\n")
    assert build_state.project_state(project) not in (original, edited)


def test_raw_state_follows_ingested_files_and_rows(tmp_path):
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    empty = build_state.raw_state(con)
    ensure_raw_schema(con)
    assert build_state.raw_state(con) == build_state.raw_state(con)

    con.execute(f"INSERT INTO {LEDGER} (file_hash, source) VALUES ('abc', 'contacts')")
    one_file = build_state.raw_state(con)
    assert one_file != empty
    con.execute("INSERT INTO raw.contacts (contact_id) VALUES ('c1')")
    assert build_state.raw_state(con) != one_file


def test_only_a_published_build_counts(tmp_path):
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    state = build_state.BuildState(target="duckdb", raw_state="r1", project_state="p1")
    assert build_state.last_published_build(con) is None
    build_state.record_build(con, state, run_id="run-1")
    assert build_state.last_published_build(con) is None, "built, publication failed"
    build_state.mark_published(con, "run-1")
    assert build_state.last_published_build(con) == state

    newer = build_state.BuildState(target="duckdb", raw_state="r2", project_state="p1")
    build_state.record_build(con, newer, run_id="run-2")
    assert build_state.last_published_build(con) == state
    build_state.mark_published(con, "run-2")
    assert build_state.last_published_build(con) == newer
