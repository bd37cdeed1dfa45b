"""Where the report reads the marts from: the published copy, or the warehouse if not published.

Always a read-only DuckDB connection. The published copy (`published/funnel.duckdb`) is the
one to use: it never blocks the nightly run and holds no raw personal data.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

PUBLISHED_DB = Path("published") / "funnel.duckdb"
WAREHOUSE_DB = "warehouse.duckdb"
SCHEMA = "marts"


def _plain_numbers(frame: pl.DataFrame) -> pl.DataFrame:
    """DuckDB sums integers into HUGEINT/DECIMAL: back to Int64 (scale 0) or Float64."""
    casts = {name: pl.Int64 if dtype.scale == 0 else pl.Float64
             for name, dtype in frame.schema.items() if isinstance(dtype, pl.Decimal)}
    return frame.cast(casts) if casts else frame


def resolve_database(path: Path) -> Path:
    """A DuckDB file from what the caller has: the file itself, the `published/` folder, or the
    data directory (its published copy first, else its warehouse)."""
    path = Path(path)
    if path.is_file():
        return path
    candidates = [path / PUBLISHED_DB, path / "funnel.duckdb", path / WAREHOUSE_DB]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(
        f"no marts to report on at {path}: expected a DuckDB file, a data directory with "
        f"{PUBLISHED_DB} or {WAREHOUSE_DB} (run `funnel run` first)")


@dataclass
class Marts:
    """A read-only view of the mart tables of one DuckDB file."""

    path: Path
    con: duckdb.DuckDBPyConnection
    tables: frozenset[str]
    published: bool
    manifest: dict = field(default_factory=dict)

    @classmethod
    def open(cls, path: Path) -> Marts:
        database = resolve_database(path)
        con = duckdb.connect(str(database), read_only=True)
        tables = frozenset(r[0] for r in con.sql(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = ?",
            params=[SCHEMA]).fetchall())
        manifest_path = database.parent / "manifest.json"
        published = database.name == PUBLISHED_DB.name
        manifest = {}
        if published and manifest_path.is_file():
            try:
                manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                manifest = {}
        return cls(database, con, tables, published, manifest)

    def has(self, *tables: str) -> bool:
        return all(t in self.tables for t in tables)

    def missing(self, *tables: str) -> list[str]:
        return [t for t in tables if t not in self.tables]

    def columns(self, table: str) -> list[str]:
        return [r[0] for r in self.con.sql(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = ? "
            "AND table_name = ? ORDER BY ordinal_position", params=[SCHEMA, table]).fetchall()]

    # Every query is fetched in full (a partly fetched result would hold the connection).
    def frame(self, sql: str, params: list | None = None) -> pl.DataFrame:
        return _plain_numbers(self.con.sql(sql, params=params or None).pl())

    def rows(self, sql: str, params: list | None = None) -> list[dict]:
        return self.frame(sql, params).to_dicts()

    def scalar(self, sql: str, params: list | None = None):
        rows = self.con.sql(sql, params=params or None).fetchall()
        return rows[0][0] if rows else None

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Marts:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
