"""Reading one inbox file into a polars frame, whatever its format, without losing a row.

Fast path: polars reads the whole file. When the fast path fails or cannot vouch for its
line numbers (a ragged row, invalid UTF-8, a quoted line break, a broken JSON line), the file is
re-read record by record with the standard library, and every record that cannot be split into
fields is returned as an unparseable record with its line number, never dropped.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

LINE_COLUMN = "_source_line"
FORMATS = ("csv", "parquet", "ndjson")


class UnreadableFileError(Exception):
    """The file as a whole cannot be read (corrupt archive, not a table, unknown format)."""


@dataclass
class UnparseableRecord:
    line: int
    reason: str
    text: str
    field: str | None = None


@dataclass
class FileContents:
    frame: pl.DataFrame  # columns as named in the file, plus LINE_COLUMN
    file_format: str
    unparseable: list[UnparseableRecord] = field(default_factory=list)

    @property
    def records_read(self) -> int:
        return self.frame.height + len(self.unparseable)


def detect_format(path: Path) -> tuple[str, bool]:
    """('csv' | 'parquet' | 'ndjson', gzipped?) from the file name."""
    suffixes = [s.lower() for s in path.suffixes]
    compressed = bool(suffixes) and suffixes[-1] == ".gz"
    if compressed:
        suffixes = suffixes[:-1]
    ext = suffixes[-1].lstrip(".") if suffixes else ""
    aliases = {"csv": "csv", "txt": "csv", "parquet": "parquet", "pq": "parquet",
               "ndjson": "ndjson", "jsonl": "ndjson", "json": "ndjson"}
    if ext not in aliases:
        raise UnreadableFileError(
            f"unknown file type '{path.name}': expected .csv, .parquet or .ndjson (optionally .gz)"
        )
    return aliases[ext], compressed


def read_inbox_file(path: Path, json_columns: list[str] | None = None) -> FileContents:
    """Read a CSV, Parquet or NDJSON file (gzip allowed). `json_columns` names the columns to
    take from NDJSON objects (NDJSON has no header to tell them)."""
    file_format, compressed = detect_format(path)
    data = _read_bytes(path, compressed)
    if file_format == "parquet":
        return _read_parquet(data)
    if file_format == "csv":
        return _read_csv(data)
    return _read_ndjson(data, json_columns or [])


def _read_bytes(path: Path, compressed: bool) -> bytes:
    try:
        raw = path.read_bytes()
        return gzip.decompress(raw) if compressed else raw
    except (OSError, EOFError, zlib.error) as exc:
        raise UnreadableFileError(f"cannot read {path.name}: {exc}") from exc


def _with_lines(frame: pl.DataFrame, first_line: int) -> pl.DataFrame:
    return frame.with_row_index(LINE_COLUMN, offset=first_line).with_columns(
        pl.col(LINE_COLUMN).cast(pl.Int64)
    )


def _read_parquet(data: bytes) -> FileContents:
    try:
        frame = pl.read_parquet(io.BytesIO(data))
    except Exception as exc:  # polars raises several error types for a corrupt file
        raise UnreadableFileError(f"not a readable Parquet file: {exc}") from exc
    return FileContents(_with_lines(frame, 1), "parquet")


def _count_lines(data: bytes) -> int:
    return data.count(b"\n") + (0 if data.endswith(b"\n") or not data else 1)


def _read_csv(data: bytes) -> FileContents:
    if not data.strip():
        return FileContents(pl.DataFrame({LINE_COLUMN: []}, schema={LINE_COLUMN: pl.Int64}), "csv")
    if b'"' not in data:
        # Without quotes every record is one line with the header's number of commas;
        # when that holds polars' result can be trusted line for line.
        try:
            frame = pl.read_csv(io.BytesIO(data), infer_schema=False, encoding="utf8")
        except Exception:  # noqa: BLE001 - any failure sends the file to the careful path
            frame = None
        if frame is not None:
            records = _count_lines(data)  # no blank line allowed: one record per line
            expected_commas = (frame.width - 1) * records
            if frame.height == records - 1 and data.count(b",") == expected_commas \
                    and b"\n\n" not in data and not data.startswith(b"\n"):
                return FileContents(_with_lines(frame, 2), "csv")
    return _read_csv_by_record(data)


def _read_csv_by_record(data: bytes) -> FileContents:
    text = data.decode("utf-8", errors="surrogateescape")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        header = []
    except csv.Error as exc:
        raise UnreadableFileError(f"cannot read the CSV header: {exc}") from exc
    bad_header = [h for h in header if _has_invalid_utf8(h)]
    if bad_header:
        raise UnreadableFileError("the header is not valid UTF-8 text")
    rows: list[list[str]] = []
    lines: list[int] = []
    unparseable: list[UnparseableRecord] = []
    start_line = reader.line_num + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            unparseable.append(UnparseableRecord(start_line, f"malformed CSV record: {exc}", ""))
            start_line = reader.line_num + 1
            continue
        line, start_line = start_line, reader.line_num + 1
        if not row or (len(row) == 1 and not row[0].strip()):
            continue  # a blank line is not a record
        text_of_row = ",".join(row)
        if len(row) != len(header):
            unparseable.append(UnparseableRecord(
                line, f"expected {len(header)} fields, found {len(row)}", _printable(text_of_row)))
            continue
        invalid = [h for h, v in zip(header, row, strict=False) if _has_invalid_utf8(v)]
        if invalid:
            unparseable.append(UnparseableRecord(
                line, "value is not valid UTF-8 text (re-export the file as UTF-8)",
                _printable(text_of_row), field=invalid[0]))
            continue
        rows.append(row)
        lines.append(line)
    frame = pl.DataFrame(
        {name: [r[i] for r in rows] for i, name in enumerate(header)},
        schema={name: pl.String for name in header},
    ).with_columns(pl.Series(LINE_COLUMN, lines, dtype=pl.Int64))
    return FileContents(frame, "csv", unparseable)


def _read_ndjson(data: bytes, columns: list[str]) -> FileContents:
    schema = {c: pl.String for c in columns}
    try:
        frame = pl.read_ndjson(io.BytesIO(data), schema=schema)
        non_blank = [ln for ln in data.split(b"\n") if ln.strip()]
        if frame.height == len(non_blank) and len(non_blank) == _count_lines(data):
            return FileContents(_with_lines(frame, 1), "ndjson")
    except Exception:  # noqa: BLE001 - any failure sends the file to the careful path
        frame = None
    return _read_ndjson_by_line(data, columns)


def _read_ndjson_by_line(data: bytes, columns: list[str]) -> FileContents:
    values: dict[str, list[str | None]] = {c: [] for c in columns}
    lines: list[int] = []
    unparseable: list[UnparseableRecord] = []
    for number, raw_line in enumerate(data.split(b"\n"), start=1):
        if not raw_line.strip():
            continue
        text = raw_line.decode("utf-8", errors="surrogateescape")
        if _has_invalid_utf8(text):
            unparseable.append(UnparseableRecord(
                number, "line is not valid UTF-8 text (re-export the file as UTF-8)",
                _printable(text)))
            continue
        try:
            record = json.loads(text)
        except json.JSONDecodeError as exc:
            unparseable.append(UnparseableRecord(number, f"not valid JSON: {exc.msg}", text))
            continue
        if not isinstance(record, dict):
            unparseable.append(UnparseableRecord(number, "not a JSON object", text))
            continue
        for c in columns:
            values[c].append(_json_value_to_text(record.get(c)))
        lines.append(number)
    frame = pl.DataFrame(values, schema={c: pl.String for c in columns}).with_columns(
        pl.Series(LINE_COLUMN, lines, dtype=pl.Int64)
    )
    return FileContents(frame, "ndjson", unparseable)


def _json_value_to_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return str(value)


def _has_invalid_utf8(text: str) -> bool:
    return any("\udc80" <= ch <= "\udcff" for ch in text)


def _printable(text: str) -> str:
    return text.encode("utf-8", errors="surrogateescape").decode("utf-8", errors="replace")
