"""The raw layer as Parquet files, for engines that cannot read DuckDB (the dbt `spark` target).

Ingestion stays one implementation, writing DuckDB; this copies what it loaded into
`<data dir>/raw/<source>/`, one file per export holding the rows loaded since the previous
export. Raw is append-only and every ingestion run stamps a later `_loaded_at`, so the greatest
`_loaded_at` of the exported rows (the file name) is the watermark of the next export. A file is
written under a hidden name (Spark skips names starting with a dot) and renamed when complete:
a killed export leaves nothing half-written, and the next one picks its rows up.
"""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import duckdb

FILE_PREFIX = "loaded_"
STAMP_FORMAT = "%Y%m%dT%H%M%S%f"
# A source with no rows yet gets one empty file: its columns and types, for schema inference.
EMPTY_FILE = "empty.parquet"


def export_file_name(loaded_at: datetime) -> str:
    return f"{FILE_PREFIX}{loaded_at.strftime(STAMP_FORMAT)}.parquet"


def exported_watermark(folder: Path) -> datetime | None:
    """The greatest `_loaded_at` already exported to `folder`, None when nothing is."""
    stamps = [datetime.strptime(p.stem.removeprefix(FILE_PREFIX), STAMP_FORMAT)
              for p in folder.glob(f"{FILE_PREFIX}*.parquet")]
    return max(stamps, default=None)


def export_new_rows(con: duckdb.DuckDBPyConnection, source: str, raw_dir: Path) -> int:
    """Write the rows of `raw.<source>` loaded after the last export to one new Parquet file
    in `raw_dir/<source>/`. Returns the number of rows written."""
    folder = raw_dir / source
    folder.mkdir(parents=True, exist_ok=True)
    table = f"raw.{source}"
    (latest,) = con.execute(f"SELECT max(_loaded_at) FROM {table}").fetchone()
    watermark = exported_watermark(folder)
    if watermark is not None and (latest is None or watermark > latest):
        # The folder is ahead of the table: the warehouse was rebuilt. Export it afresh.
        shutil.rmtree(folder)
        folder.mkdir()
        watermark = None
    if latest is None or latest == watermark:
        if not any(folder.glob("*.parquet")):
            _copy(con, f"SELECT * FROM {table} LIMIT 0", folder / EMPTY_FILE)
        return 0
    where = "" if watermark is None else f" WHERE _loaded_at > TIMESTAMP '{watermark.isoformat()}'"
    select = f"SELECT * FROM {table}{where}"
    (rows,) = con.execute(f"SELECT count(*) FROM ({select})").fetchone()
    _copy(con, select, folder / export_file_name(latest))
    return rows


def _copy(con: duckdb.DuckDBPyConnection, select: str, path: Path) -> None:
    hidden = path.with_name(f".{path.name}.writing")
    con.execute(f"COPY ({select}) TO '{hidden}' (FORMAT parquet)")
    hidden.replace(path)
