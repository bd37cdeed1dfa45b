"""Publishing the marts for BI tools and analysts: a read-only copy, never the working warehouse.

Each publication is a new version folder, swapped in atomically:
`published/funnel.duckdb` (a hard link replaced with a rename) and `published/parquet`
(a symlink replaced with a rename). A reader holding the previous file keeps reading it (the
inode lives until it closes it), never sees a half-written file and never blocks the next run.
Personal data is removed on the way: emails are hashed (SHA-256 of the email as the marts hold
it, which ingestion trimmed and lower-cased), names and phone numbers are dropped. The DuckDB
file is written in storage version 1.0 so that DuckDB 1.x readers (BI drivers lag behind) open
it; every mart is also a Parquet file. A mart whose content is that of the publication in
place (same fingerprint: columns, types, row count and the sum of the rows' hashes) keeps its
Parquet file: the new version hard-links the read-only file instead of writing it again.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from pipelines.faults import crash_point

DROPPED_COLUMNS = frozenset({"first_name", "last_name", "phone", "full_name"})
HASHED_COLUMNS = frozenset({"email"})
STORAGE_VERSION = "v1.0.0"
VERSIONS_KEPT = 3
PUBLISHED_DB = "funnel.duckdb"


@dataclass
class Publication:
    version: str
    directory: Path
    tables: dict[str, int]  # table -> rows
    parquet_reused: list[str] = field(default_factory=list)  # linked from the last publication


def _published_columns(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> list[str]:
    columns = [r[0] for r in con.execute(
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_catalog = 'warehouse' AND table_schema = ? AND table_name = ? "
        "ORDER BY ordinal_position", [schema, table]).fetchall()]
    select = []
    for column in columns:
        if column in DROPPED_COLUMNS:
            continue
        if column in HASHED_COLUMNS:
            select.append(f"sha256({column}) AS {column}_sha256")
        else:
            select.append(column)
    return select


def publish_marts(warehouse: Path, published: Path, schema: str = "marts") -> Publication:
    published.mkdir(parents=True, exist_ok=True)
    version = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f") + "-" + uuid.uuid4().hex[:6]
    staging = published / "versions" / f".writing-{version}"
    final = published / "versions" / version
    (staging / "parquet").mkdir(parents=True)
    tables: dict[str, int] = {}
    fingerprints: dict[str, str] = {}
    reused: list[str] = []
    if not warehouse.is_file():
        shutil.rmtree(staging, ignore_errors=True)
        raise FileNotFoundError(f"no warehouse to publish at {warehouse}: run the pipeline first")
    con = duckdb.connect()
    try:
        con.execute(f"ATTACH '{warehouse}' AS warehouse (READ_ONLY)")
        names = [r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_catalog = 'warehouse' AND table_schema = ? ORDER BY 1",
            [schema]).fetchall()]
        con.execute(f"ATTACH '{staging / PUBLISHED_DB}' AS published "
                    f"(STORAGE_VERSION '{STORAGE_VERSION}')")
        con.execute(f"CREATE SCHEMA published.{schema}")
        last = _last_publication(published)
        for name in names:
            select = ", ".join(_published_columns(con, schema, name))
            con.execute(f"CREATE TABLE published.{schema}.{name} AS "
                        f"SELECT {select} FROM warehouse.{schema}.{name}")
            tables[name], fingerprints[name] = _fingerprint(con, f"published.{schema}.{name}")
            parquet = staging / "parquet" / f"{name}.parquet"
            unchanged = last.get(name)
            if unchanged is not None and unchanged[0] == fingerprints[name]:
                os.link(unchanged[1], parquet)
                reused.append(name)
            else:
                con.execute(f"COPY published.{schema}.{name} TO '{parquet}' (FORMAT parquet)")
        con.execute("DETACH published")
    except BaseException:
        con.close()
        shutil.rmtree(staging, ignore_errors=True)
        raise
    con.close()
    manifest = {"version": version, "published_at": datetime.now(UTC).isoformat(),
                "storage_version": STORAGE_VERSION, "tables": tables,
                "fingerprints": fingerprints, "parquet_reused": reused,
                "personal_data": {"hashed": sorted(HASHED_COLUMNS), "dropped": sorted(DROPPED_COLUMNS)}}
    (staging / "manifest.json").write_text(json.dumps(manifest, indent=2))
    for path in staging.rglob("*"):
        if path.is_file():
            path.chmod(0o444)
    crash_point("publish.written")
    staging.rename(final)
    _swap_in(published, final)
    _prune(published, keep=final)
    return Publication(version, final, tables, reused)


def _fingerprint(con: duckdb.DuckDBPyConnection, table: str) -> tuple[int, str]:
    """The table's row count and a digest of its columns, types and rows (order-free: the sum
    of the rows' hashes), so an unchanged mart is recognised without comparing it row by row."""
    columns = con.execute(f"DESCRIBE {table}").fetchall()
    rows, row_sum = con.execute(f"SELECT count(*), sum(hash(t)::HUGEINT) FROM {table} t").fetchone()
    layout = ",".join(f"{c[0]} {c[1]}" for c in columns)
    return rows, hashlib.sha256(f"{layout}|{rows}|{row_sum}".encode()).hexdigest()


def _last_publication(published: Path) -> dict[str, tuple[str, Path]]:
    """table -> (fingerprint, its Parquet file) of the publication in place, when it recorded
    fingerprints: those files are read-only, so a new version links them instead of writing
    the same bytes again."""
    try:
        manifest = json.loads((published / "manifest.json").read_text())
    except (OSError, ValueError):
        return {}
    folder = (published / "manifest.json").resolve().parent / "parquet"
    return {name: (digest, folder / f"{name}.parquet")
            for name, digest in manifest.get("fingerprints", {}).items()
            if (folder / f"{name}.parquet").is_file()}


def _atomic_replace(target: Path, make_new) -> None:
    temporary = target.with_name(f".{target.name}.{uuid.uuid4().hex[:6]}")
    make_new(temporary)
    if target.is_dir() and not target.is_symlink():
        # A copied data directory holds a real folder where the symlink was: a rename cannot
        # replace a folder, so this one time the swap is not atomic.
        shutil.rmtree(target)
    os.replace(temporary, target)


def _swap_in(published: Path, version_dir: Path) -> None:
    relative = version_dir.relative_to(published)
    _atomic_replace(published / PUBLISHED_DB, lambda tmp: os.link(version_dir / PUBLISHED_DB, tmp))
    _atomic_replace(published / "parquet", lambda tmp: os.symlink(relative / "parquet", tmp))
    _atomic_replace(published / "manifest.json", lambda tmp: os.symlink(relative / "manifest.json", tmp))


def _prune(published: Path, keep: Path) -> None:
    """Remove old versions (and leftovers of interrupted publications). Open readers of an old
    file keep it alive until they close it."""
    versions = sorted(p for p in (published / "versions").iterdir() if p.is_dir())
    finished = [p for p in versions if not p.name.startswith(".")]
    doomed = [p for p in versions if p.name.startswith(".writing-")] + finished[:-VERSIONS_KEPT]
    for path in doomed:
        if path != keep:
            # Read-only files go with their folder (unlinking needs the folder's permission only);
            # they are not made writable first, since a newer version may share them (links).
            shutil.rmtree(path, ignore_errors=True)
