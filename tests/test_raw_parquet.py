"""The raw layer's Parquet export for the Spark target (pipelines/ingestion/raw_parquet.py):
each export writes only the rows loaded since the previous one, an empty source gets a file
with its columns, a rebuilt warehouse is exported afresh; and the target setting."""

from datetime import datetime

import duckdb
import pytest

from pipelines.ingestion.raw_parquet import EMPTY_FILE, export_new_rows
from pipelines.settings import FunnelSettings

FIRST, SECOND = datetime(2026, 1, 1, 2, 0, 0, 123456), datetime(2026, 1, 2, 2, 0, 0)


@pytest.fixture
def con():
    con = duckdb.connect()
    con.execute("CREATE SCHEMA raw")
    con.execute("CREATE TABLE raw.things (id VARCHAR, amount DOUBLE, _loaded_at TIMESTAMP)")
    yield con
    con.close()


def _load(con, rows, loaded_at):
    con.executemany("INSERT INTO raw.things VALUES (?, ?, ?)",
                    [[key, amount, loaded_at] for key, amount in rows])


def _exported(con, folder):
    return sorted(con.execute(
        f"SELECT id, amount, _loaded_at FROM read_parquet('{folder}/*.parquet')").fetchall())


def test_each_export_holds_only_the_new_rows(con, tmp_path):
    _load(con, [("a", 1.0), ("b", 2.0)], FIRST)
    assert export_new_rows(con, "things", tmp_path) == 2
    assert export_new_rows(con, "things", tmp_path) == 0  # nothing new: no new file
    _load(con, [("a", 3.0)], SECOND)
    assert export_new_rows(con, "things", tmp_path) == 1
    files = sorted(p.name for p in (tmp_path / "things").iterdir())
    assert files == ["loaded_20260101T020000123456.parquet", "loaded_20260102T020000000000.parquet"]
    assert _exported(con, tmp_path / "things") == [("a", 1.0, FIRST), ("a", 3.0, SECOND),
                                                   ("b", 2.0, FIRST)]


def test_an_empty_source_gets_a_file_with_its_columns(con, tmp_path):
    assert export_new_rows(con, "things", tmp_path) == 0
    assert [p.name for p in (tmp_path / "things").iterdir()] == [EMPTY_FILE]
    columns = con.execute(
        f"DESCRIBE SELECT * FROM '{tmp_path / 'things' / EMPTY_FILE}'").fetchall()
    assert [c[0] for c in columns] == ["id", "amount", "_loaded_at"]


def test_a_rebuilt_warehouse_is_exported_afresh(con, tmp_path):
    _load(con, [("a", 1.0)], SECOND)
    export_new_rows(con, "things", tmp_path)
    con.execute("DELETE FROM raw.things")
    _load(con, [("z", 9.0)], FIRST)  # older than the folder's watermark: not the same history
    assert export_new_rows(con, "things", tmp_path) == 1
    assert _exported(con, tmp_path / "things") == [("z", 9.0, FIRST)]


def test_the_dbt_target_comes_from_the_environment_and_the_option_wins():
    assert FunnelSettings.from_environment({}).dbt_target == "duckdb"
    assert FunnelSettings.from_environment({"FUNNEL_DBT_TARGET": "spark"}).dbt_target == "spark"
    assert FunnelSettings.from_environment({"FUNNEL_DBT_TARGET": "spark"},
                                           dbt_target="duckdb").dbt_target == "duckdb"
    with pytest.raises(ValueError, match="FUNNEL_DBT_TARGET"):
        FunnelSettings.from_environment({"FUNNEL_DBT_TARGET": "postgres"})
