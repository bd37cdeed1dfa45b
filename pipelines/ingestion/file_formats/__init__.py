"""Reading one inbox file into a polars frame, whatever its format, without losing a row.

Each format has its reader (csv_reader, ndjson_reader, parquet_reader): a fast path where the
whole file is read at once when its result can be trusted line for line, and a careful path
that returns every record it cannot split into fields as an unparseable record with its line
number and raw text. Independently of them, record_count counts the records in the bytes, so
that the balance can tell when a reader lost one.
"""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path

from pipelines.ingestion.file_formats import csv_reader, ndjson_reader, parquet_reader
from pipelines.ingestion.file_formats.contents import (
    LINE_COLUMN,
    FileContents,
    UnparseableRecord,
    UnreadableFileError,
)
from pipelines.ingestion.file_formats.record_count import count_records
from pipelines.ingestion.file_formats.text_bytes import has_byte_order_mark, normalise_text

__all__ = ["FORMATS", "LINE_COLUMN", "FileContents", "UnparseableRecord", "UnreadableFileError",
           "detect_format", "read_inbox_file"]

FORMATS = ("csv", "parquet", "ndjson")
_EXTENSIONS = {"csv": "csv", "txt": "csv", "parquet": "parquet", "pq": "parquet",
               "ndjson": "ndjson", "jsonl": "ndjson", "json": "ndjson"}


def detect_format(path: Path) -> tuple[str, bool]:
    """('csv' | 'parquet' | 'ndjson', gzipped?) from the file name."""
    suffixes = [s.lower() for s in path.suffixes]
    compressed = bool(suffixes) and suffixes[-1] == ".gz"
    if compressed:
        suffixes = suffixes[:-1]
    ext = suffixes[-1].lstrip(".") if suffixes else ""
    if ext not in _EXTENSIONS:
        raise UnreadableFileError(
            f"unknown file type '{path.name}': expected .csv, .parquet or .ndjson (optionally .gz)"
        )
    return _EXTENSIONS[ext], compressed


def read_inbox_file(path: Path, columns: list[str] | None = None,
                    options: dict | None = None) -> FileContents:
    """Read a CSV, Parquet or NDJSON file (gzip allowed). `columns` names the columns the caller
    uses: the only ones read from Parquet, the ones taken from NDJSON objects (NDJSON has no
    header to tell them), the ones whose name the header may not repeat (None: all).
    `options`: a mapping's `read:` (encoding, skip_rows, delimiter, quote)."""
    options = options or {}
    file_format, compressed = detect_format(path)
    data = _read_bytes(path, compressed)
    if file_format != "parquet":
        data = normalise_text(_recoded(data, options.get("encoding")))
        if options.get("skip_rows"):
            data = b"\n".join(data.split(b"\n")[int(options["skip_rows"]):])
    if file_format == "parquet":
        contents = parquet_reader.read_parquet(data, columns)
    elif file_format == "csv":
        dialect = [str(options.get(k) or d) for k, d in (("delimiter", ","), ("quote", '"'))]
        contents = csv_reader.read_csv(data, columns, *dialect) if dialect != [",", '"'] \
            else csv_reader.read_csv(data, columns)
    else:
        contents = ndjson_reader.read_ndjson(data, columns or [])
    contents.lines_counted = count_records(data, file_format)
    return contents


def _read_bytes(path: Path, compressed: bool) -> bytes:
    try:
        raw = path.read_bytes()
        return gzip.decompress(raw) if compressed else raw
    except (OSError, EOFError, zlib.error) as exc:
        raise UnreadableFileError(f"cannot read {path.name}: {exc}") from exc


def _recoded(data: bytes, encoding: str | None) -> bytes:
    """The bytes as UTF-8, from the encoding a mapping declares (none: UTF-8, or the BOM's).
    A byte order mark says what the file is, whatever the mapping declares: a Latin-1 mapping
    reading an export re-saved as UTF-8 with a mark would otherwise name the first column
    'ï»¿Id' and report the column `Id` missing."""
    if not encoding or encoding.lower().replace("-", "") in ("utf8", "utf8sig") \
            or has_byte_order_mark(data):
        return data
    try:
        return data.decode(encoding).encode("utf-8")
    except (LookupError, UnicodeDecodeError) as exc:
        raise UnreadableFileError(f"cannot read the file as {encoding}: {exc}") from exc


def header_names(path: Path, options: dict | None = None) -> list[str] | None:
    """The column names of a file, for recognising it by its header (None: cannot tell), read
    with a mapping's `read:` options (encoding, rows to skip, delimiter, quote) as the file
    itself will be."""
    options = options or {}
    try:
        file_format, compressed = detect_format(path)
        data = _read_bytes(path, compressed)
        if file_format == "parquet":
            import io

            import polars as pl
            return list(pl.read_parquet_schema(io.BytesIO(data)))
        data = normalise_text(_recoded(data, options.get("encoding")))
        if options.get("skip_rows"):
            data = b"\n".join(data.split(b"\n")[int(options["skip_rows"]):])
        first = data.split(b"\n", 1)[0].decode("utf-8", errors="replace")
        if file_format == "ndjson":
            import json
            record = json.loads(first)
            return list(record) if isinstance(record, dict) else None
        import csv
        if options.get("delimiter") or options.get("quote"):
            dialect = {"delimiter": str(options.get("delimiter") or ","),
                       "quotechar": str(options.get("quote") or '"')}
            return next(csv.reader([first.rstrip("\r")], **dialect)) if first else None
        if not first.strip():
            return None
        try:
            dialect = csv.Sniffer().sniff(first, delimiters=",;\t|")
        except csv.Error:  # one field: no delimiter to find
            return [first.strip()]
        return next(csv.reader([first], dialect))
    except Exception:  # noqa: BLE001 - a file we cannot peek into is matched by its name alone
        return None
