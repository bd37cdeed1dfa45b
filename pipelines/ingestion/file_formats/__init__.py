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
from pipelines.ingestion.file_formats.text_bytes import normalise_text

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
    """The bytes as UTF-8, from the encoding a mapping declares (none: UTF-8, or the BOM's)."""
    if not encoding or encoding.lower().replace("-", "") in ("utf8", "utf8sig"):
        return data
    try:
        return data.decode(encoding).encode("utf-8")
    except (LookupError, UnicodeDecodeError) as exc:
        raise UnreadableFileError(f"cannot read the file as {encoding}: {exc}") from exc


# Lines of a file kept for recognising it by a header after some title lines (read.skip_rows).
HEADER_LINES = 20


class Header(list):
    """The column names of a file's first line, and (`lines`) those of each of its first
    HEADER_LINES lines, so that a mapping with `read: {skip_rows: n}` (an ad platform's report
    with a title and a date range above its header) is told by line n."""

    def __init__(self, lines: list[list[str] | None]):
        super().__init__(lines[0] or [])
        self.lines = lines

    def at(self, skip_rows: int) -> list[str] | None:
        return self.lines[skip_rows] if skip_rows < len(self.lines) else None


def header_names(path: Path) -> Header | list[str] | None:
    """The column names of a file, for recognising it by its header (None: cannot tell)."""
    try:
        file_format, compressed = detect_format(path)
        data = _read_bytes(path, compressed)
        if file_format == "parquet":
            import io

            import polars as pl
            return list(pl.read_parquet_schema(io.BytesIO(data)))
        text = normalise_text(data)
        if file_format == "ndjson":
            import json
            record = json.loads(text.split(b"\n", 1)[0].decode("utf-8", errors="replace"))
            return list(record) if isinstance(record, dict) else None
        lines = [line.decode("utf-8", errors="replace")
                 for line in text.split(b"\n", HEADER_LINES)[:HEADER_LINES]]
        header = Header([_fields(line) for line in lines])
        return header if header.lines[0] is not None else None
    except Exception:  # noqa: BLE001 - a file we cannot peek into is matched by its name alone
        return None


def _fields(line: str) -> list[str] | None:
    import csv
    try:
        dialect = csv.Sniffer().sniff(line, delimiters=",;\t|") if line else None
    except csv.Error:  # one field: no delimiter to find
        return [line.strip()] if line.strip() else None
    return next(csv.reader([line], dialect)) if dialect else None
