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


def test_the_builds_table_of_an_older_warehouse_moves_out_of_raw_with_its_rows(tmp_path):
    """Older versions kept the builds in raw._dbt_builds, among the data handed to dbt: the
    next run moves them to audit.dbt_builds, so it still skips an unchanged build."""
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    con.execute("CREATE SCHEMA raw")
    con.execute(f"CREATE TABLE raw._dbt_builds ({build_state.BUILDS_COLUMNS})")
    con.execute("INSERT INTO raw._dbt_builds VALUES ('run-1', 'duckdb', 'r1', 'p1', "
                "TIMESTAMP '2026-01-01 01:00', TIMESTAMP '2026-01-01 01:05'), "
                "('run-2', 'duckdb', 'r2', 'p1', TIMESTAMP '2026-01-02 01:00', NULL)")
    published = build_state.BuildState(target="duckdb", raw_state="r1", project_state="p1")
    assert build_state.last_published_build(con) == published

    def tables():
        return con.execute("SELECT table_schema || '.' || table_name FROM information_schema.tables "
                           "ORDER BY 1").fetchall()

    assert tables() == [("audit.dbt_builds",)]
    assert con.execute("SELECT count(*) FROM audit.dbt_builds").fetchone()[0] == 2
    build_state.mark_published(con, "run-2")
    assert build_state.last_published_build(con).raw_state == "r2"


def test_a_move_cut_short_is_finished_without_duplicating_a_build(tmp_path):
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    state = build_state.BuildState(target="duckdb", raw_state="r1", project_state="p1")
    build_state.record_build(con, state, run_id="run-1")
    # As if the move had copied the rows and stopped before dropping the old table.
    con.execute("CREATE SCHEMA raw")
    con.execute("CREATE TABLE raw._dbt_builds AS SELECT * FROM audit.dbt_builds")
    build_state.record_build(con, state, run_id="run-2")
    assert con.execute("SELECT run_id FROM audit.dbt_builds ORDER BY run_id").fetchall() == [
        ("run-1",), ("run-2",)]
    assert "_dbt_builds" not in {t for (t,) in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'raw'").fetchall()}
