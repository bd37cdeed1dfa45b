"""Reading a Parquet file: only the columns the mapping or contract uses.

A used column that cannot give one text or number per row (a list, struct or map; a type
polars cannot take) rejects the rows that hold a value there, naming the column; a binary
column is read as UTF-8 text and its rows that are not UTF-8 are rejected. A nested column
nobody uses is never read.
"""

from __future__ import annotations

import io
import json

import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from pipelines.ingestion.file_formats.contents import (
    LINE_COLUMN,
    FileContents,
    UnparseableRecord,
    UnreadableFileError,
    with_lines,
)
from pipelines.ingestion.file_formats.header import usable_columns

_BINARY = (pa.types.is_binary, pa.types.is_large_binary, pa.types.is_fixed_size_binary,
           pa.types.is_binary_view)


def read_parquet(data: bytes, wanted: list[str] | None) -> FileContents:
    try:
        file = pq.ParquetFile(io.BytesIO(data))
        header = usable_columns(file.schema_arrow.names, wanted)
        used = [n for n in header.names if wanted is None or n in wanted]
        plain = used and all(_is_plain(file.schema_arrow.field(n).type) for n in used)
        frame = _read_plain(data, used) if plain else None
        table = file.read(columns=used) if frame is None else None
    except UnreadableFileError:
        raise
    except Exception as exc:  # pyarrow raises several error types for a corrupt file
        raise UnreadableFileError(f"not a readable Parquet file: {exc}") from exc
    unparseable = []
    if table is not None:  # column by column: some used column needs care
        problems: dict[int, tuple[str, str]] = {}  # row index -> (column, reason), first wins
        frame = pl.from_arrow(table) if not used else \
            pl.DataFrame([_column(table, name, problems) for name in table.column_names])
        for index in sorted(problems):
            column, reason = problems[index]
            unparseable.append(UnparseableRecord(index + 1, reason, _row_text(table, index), column))
    frame = with_lines(frame, 1)
    if unparseable:
        frame = frame.filter(~pl.col(LINE_COLUMN).is_in([u.line for u in unparseable]))
    return FileContents(frame, "parquet", unparseable, header.names, notes=header.notes)


def _read_plain(data: bytes, used: list[str]) -> pl.DataFrame | None:
    try:
        return pl.read_parquet(io.BytesIO(data), columns=used)
    except Exception:  # noqa: BLE001 - a type polars refuses: column by column instead
        return None


def _is_plain(arrow_type: pa.DataType) -> bool:
    if pa.types.is_dictionary(arrow_type):
        return _is_plain(arrow_type.value_type)
    return not pa.types.is_nested(arrow_type) and not any(is_kind(arrow_type) for is_kind in _BINARY)


def _column(table: pa.Table, name: str, problems: dict[int, tuple[str, str]]) -> pl.Series:
    """The column as polars takes it, or as text; rows whose value cannot be read are noted in
    `problems` and left null."""
    column = table.column(name)
    arrow_type = column.type
    if pa.types.is_dictionary(arrow_type):
        column = column.cast(arrow_type.value_type)
        arrow_type = column.type
    if any(is_kind(arrow_type) for is_kind in _BINARY):
        return _binary_as_text(name, column, problems)
    if _is_plain(arrow_type):
        try:
            return pl.Series(name, column)
        except Exception:  # noqa: BLE001 - polars refuses the type: try it as text
            pass
        try:
            return pl.Series(name, pc.cast(column, pa.string()))
        except Exception:  # noqa: BLE001 - not even as text: the column's rows are rejected
            pass
    reason = (f"column '{name}' holds nested {arrow_type} values in this Parquet file; one value "
              "(text, number, timestamp) per row was expected")
    for index in pc.indices_nonzero(pc.is_valid(column)).to_pylist():
        problems.setdefault(index, (name, reason))
    return pl.Series(name, [None] * len(column), dtype=pl.String)


def _binary_as_text(name: str, column: pa.ChunkedArray, problems) -> pl.Series:
    try:
        return pl.Series(name, pc.cast(column, pa.string()))  # every value is UTF-8
    except pa.ArrowInvalid:
        pass
    values: list[str | None] = []
    for index, value in enumerate(column.to_pylist()):
        try:
            values.append(None if value is None else value.decode("utf-8"))
        except UnicodeDecodeError:
            values.append(None)
            problems.setdefault(index, (name, f"binary value in column '{name}' is not UTF-8 text"))
    return pl.Series(name, values, dtype=pl.String)


def _row_text(table: pa.Table, index: int) -> str:
    """The row as JSON, bytes that are not UTF-8 shown as \\x escapes."""
    row = table.slice(index, 1).to_pylist()[0]
    return json.dumps(row, default=_as_text, ensure_ascii=False)


def _as_text(value: object) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="backslashreplace")
    return str(value)
