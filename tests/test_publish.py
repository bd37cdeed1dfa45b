"""Publishing: personal data removed, old DuckDB readers can open it, swaps are atomic."""

import hashlib

import duckdb
import polars as pl
import pytest

from pipelines.publish.publish import PUBLISHED_DB, publish_marts


@pytest.fixture
def warehouse(tmp_path):
    path = tmp_path / "warehouse.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE SCHEMA marts")
    con.execute("""CREATE TABLE marts.dim_contacts AS SELECT * FROM (VALUES
        ('c1', 'jane@x.io', 'Jane', 'Doe', '+1 555', 'Acme'),
        ('c2', NULL, 'Bob', NULL, NULL, NULL)) t(contact_id, email, first_name, last_name, phone, company)""")
    con.execute("CREATE TABLE marts.mart_funnel_daily AS SELECT DATE '2026-01-01' AS metric_date, 'direct' AS channel, 3 AS visits")
    con.execute("CREATE SCHEMA raw")
    con.execute("CREATE TABLE raw.contacts AS SELECT 'secret' AS email")
    con.close()
    return path


def test_personal_data_is_hashed_or_dropped(warehouse, tmp_path):
    publication = publish_marts(warehouse, tmp_path / "published")
    assert publication.tables == {"dim_contacts": 2, "mart_funnel_daily": 1}
    con = duckdb.connect(str(tmp_path / "published" / PUBLISHED_DB), read_only=True)
    columns = [r[0] for r in con.execute("DESCRIBE marts.dim_contacts").fetchall()]
    assert columns == ["contact_id", "email_sha256", "company"]
    hashed = dict(con.execute("SELECT contact_id, email_sha256 FROM marts.dim_contacts").fetchall())
    assert hashed == {"c1": hashlib.sha256(b"jane@x.io").hexdigest(), "c2": None}
    assert con.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'raw'").fetchone() == (0,)
    con.close()
    parquet = pl.read_parquet(tmp_path / "published" / "parquet" / "dim_contacts.parquet")
    assert parquet.columns == ["contact_id", "email_sha256", "company"]


def test_published_file_uses_a_storage_version_duckdb_1_reads(warehouse, tmp_path):
    publish_marts(warehouse, tmp_path / "published")
    con = duckdb.connect()
    con.execute(f"ATTACH '{tmp_path / 'published' / PUBLISHED_DB}' AS p (READ_ONLY)")
    tags = con.execute("SELECT tags FROM duckdb_databases() WHERE database_name = 'p'").fetchone()[0]
    assert tags["storage_version"].startswith("v1.0.0")


def test_a_reader_holding_the_old_copy_keeps_it_and_does_not_block(warehouse, tmp_path):
    published = tmp_path / "published"
    publish_marts(warehouse, published)
    reader = duckdb.connect(str(published / PUBLISHED_DB), read_only=True)
    writer = duckdb.connect(str(warehouse))
    writer.execute("INSERT INTO marts.mart_funnel_daily VALUES (DATE '2026-01-02', 'email', 5)")
    writer.close()
    publish_marts(warehouse, published)  # must not fail while the reader is open
    assert reader.execute("SELECT count(*) FROM marts.mart_funnel_daily").fetchone() == (1,)
    reader.close()
    fresh = duckdb.connect(str(published / PUBLISHED_DB), read_only=True)
    assert fresh.execute("SELECT count(*) FROM marts.mart_funnel_daily").fetchone() == (2,)
    fresh.close()
    assert pl.read_parquet(published / "parquet" / "mart_funnel_daily.parquet").height == 2


def test_a_failed_publication_leaves_the_last_one_in_place(warehouse, tmp_path):
    published = tmp_path / "published"
    first = publish_marts(warehouse, published)
    with pytest.raises(FileNotFoundError):
        publish_marts(tmp_path / "missing" / "warehouse.duckdb", published)
    assert (published / "parquet").resolve() == (first.directory / "parquet").resolve()
    assert not [p for p in (published / "versions").iterdir() if p.name.startswith(".writing")]


def test_old_versions_are_pruned(warehouse, tmp_path):
    published = tmp_path / "published"
    for _ in range(5):
        publish_marts(warehouse, published)
    assert len(list((published / "versions").iterdir())) == 3


def test_a_copied_data_directory_publishes_again(warehouse, tmp_path):
    import shutil

    publish_marts(warehouse, tmp_path / "published")
    copy = tmp_path / "copy"
    shutil.copytree(tmp_path / "published", copy)  # follows the symlinks: real folders now
    assert not (copy / "parquet").is_symlink()
    publish_marts(warehouse, copy)
    assert (copy / "parquet").is_symlink()
    assert pl.read_parquet(copy / "parquet" / "mart_funnel_daily.parquet").height == 1


def test_the_sample_run_published_every_mart_without_personal_data(sample_data_dir):
    published = sample_data_dir / "published"
    warehouse = duckdb.connect(str(sample_data_dir / "warehouse.duckdb"), read_only=True)
    marts = {t for (t,) in warehouse.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'marts'").fetchall()}
    expected_rows = {t: warehouse.execute(f"SELECT count(*) FROM marts.{t}").fetchone()[0] for t in marts}
    warehouse.close()
    con = duckdb.connect(str(published / PUBLISHED_DB), read_only=True)
    columns = con.execute("SELECT table_name, column_name FROM information_schema.columns").fetchall()
    published_rows = {t: con.execute(f"SELECT count(*) FROM marts.{t}").fetchone()[0] for t in marts}
    con.close()
    assert published_rows == expected_rows
    assert not [c for c in columns if c[1] in ("email", "first_name", "last_name", "phone")]
    assert ("dim_contacts", "email_sha256") in columns
    assert {p.stem for p in (published / "parquet").glob("*.parquet")} == marts


def test_a_mart_unchanged_since_the_last_publication_is_not_written_again(warehouse, tmp_path):
    published = tmp_path / "published"
    first = publish_marts(warehouse, published)
    assert first.parquet_reused == []
    con = duckdb.connect(str(warehouse))
    con.execute("UPDATE marts.mart_funnel_daily SET visits = 4")
    con.close()
    second = publish_marts(warehouse, published)
    assert second.parquet_reused == ["dim_contacts"], "only the changed mart is written"
    same = [(first.directory / "parquet" / f"{t}.parquet").stat().st_ino ==
            (second.directory / "parquet" / f"{t}.parquet").stat().st_ino
            for t in ("dim_contacts", "mart_funnel_daily")]
    assert same == [True, False]
    assert pl.read_parquet(published / "parquet" / "mart_funnel_daily.parquet")["visits"].to_list() == [4]

    con = duckdb.connect(str(warehouse))
    con.execute("UPDATE marts.dim_contacts SET company = 'Acme Ltd' WHERE contact_id = 'c1'")
    con.close()
    for _ in range(3):  # the first two versions are pruned; the files still in use stay
        latest = publish_marts(warehouse, published)
    assert latest.parquet_reused == ["dim_contacts", "mart_funnel_daily"]
    companies = pl.read_parquet(published / "parquet" / "dim_contacts.parquet")["company"]
    assert companies.to_list() == ["Acme Ltd", None]
    linked = latest.directory / "parquet" / "mart_funnel_daily.parquet"
    assert linked.stat().st_mode & 0o222 == 0, "still read-only after the old version was pruned"
    con = duckdb.connect(str(published / PUBLISHED_DB), read_only=True)
    assert con.execute("SELECT visits FROM marts.mart_funnel_daily").fetchall() == [(4,)]
    con.close()
