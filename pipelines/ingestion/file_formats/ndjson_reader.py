"""Reading an NDJSON file: one JSON object per line, the wanted columns taken from each.

Fast path: polars reads the whole file, trusted when it gives one row per line. A value that
is an object or an array cannot be one field of the contract: its row is rejected naming the
field (polars hands such values over as JSON text, so rows whose text starts like one are
checked against their line). Otherwise the file is read line by line.
"""

from __future__ import annotations

import io
import json

import polars as pl

from pipelines.ingestion.file_formats.contents import (
    LINE_COLUMN,
    FileContents,
    UnparseableRecord,
    has_invalid_utf8,
    printable,
    with_lines,
)
from pipelines.ingestion.file_formats.text_bytes import (
    count_lines,
    is_blank,
    may_have_blank_lines,
    without_ending,
)


def read_ndjson(data: bytes, columns: list[str]) -> FileContents:
    if not may_have_blank_lines(data) and not any(_is_path(c) for c in columns):
        try:
            frame = pl.read_ndjson(io.BytesIO(data), schema={c: pl.String for c in columns})
        except Exception:  # noqa: BLE001 - any failure sends the file to the careful path
            frame = None
        if frame is not None and frame.height == count_lines(data):
            contents = _reject_nested_values(with_lines(frame, 1), data, columns)
            if contents is not None:
                return contents
    return _read_by_line(data, columns)


def _reject_nested_values(frame: pl.DataFrame, data: bytes, columns: list[str]
                          ) -> FileContents | None:
    looks_nested = pl.any_horizontal(
        pl.col(c).str.starts_with("{") | pl.col(c).str.starts_with("[") for c in columns
    ) if columns else pl.lit(False)
    suspects = frame.filter(looks_nested).get_column(LINE_COLUMN).to_list()
    unparseable: list[UnparseableRecord] = []
    if suspects:
        lines = data.split(b"\n")
        for number in suspects:
            try:
                text = without_ending(lines[number - 1].decode("utf-8"))
                record = json.loads(text)
            except (UnicodeDecodeError, json.JSONDecodeError):
                record = None
            if not isinstance(record, dict):
                return None  # polars and the standard library disagree: read line by line
            nested = _nested_field(record, columns)
            if nested:
                unparseable.append(UnparseableRecord(number, _nested_reason(nested), text, nested))
        rejected = [u.line for u in unparseable]
        frame = frame.filter(~pl.col(LINE_COLUMN).is_in(rejected))
    return FileContents(frame, "ndjson", unparseable, list(columns))


def _read_by_line(data: bytes, columns: list[str]) -> FileContents:
    values: dict[str, list[str | None]] = {c: [] for c in columns}
    lines: list[int] = []
    unparseable: list[UnparseableRecord] = []
    for number, raw_line in enumerate(data.split(b"\n"), start=1):
        if is_blank(raw_line):
            continue
        text = without_ending(raw_line.decode("utf-8", errors="surrogateescape"))
        if has_invalid_utf8(text):
            unparseable.append(UnparseableRecord(
                number, "line is not valid UTF-8 text (re-export the file as UTF-8)",
                printable(text)))
            continue
        try:
            record = json.loads(text)
        except json.JSONDecodeError as exc:
            unparseable.append(UnparseableRecord(
                number, f"not valid JSON: {exc.msg} (at character {exc.pos + 1})", text))
            continue
        if not isinstance(record, dict):
            unparseable.append(UnparseableRecord(number, "not a JSON object", text))
            continue
        picked = {c: _value_at(record, c) for c in columns}
        nested = next((c for c, v in picked.items() if isinstance(v, (dict, list))), None)
        if nested:
            unparseable.append(UnparseableRecord(number, _nested_reason(nested), text, nested))
            continue
        for c in columns:
            values[c].append(_json_value_to_text(picked[c]))
        lines.append(number)
    frame = pl.DataFrame({**values, LINE_COLUMN: lines},
                         schema={**{c: pl.String for c in columns}, LINE_COLUMN: pl.Int64})
    return FileContents(frame, "ndjson", unparseable, list(columns))


def _nested_field(record: dict, columns: list[str]) -> str | None:
    return next((c for c in columns if isinstance(record.get(c), (dict, list))), None)


def _is_path(column: str) -> bool:
    return "." in column or column.endswith("]")


def _value_at(record: dict, column: str) -> object:
    """A top-level key, else a path into nested objects: `traffic_source.source`, and
    `event_params[page_location]` for a list of {key, value} pairs (GA4; {name, value} pairs
    too: Marketo's activity attributes), whose value object
    gives its one non-null typed value (string_value, int_value, double_value, ...), and
    `attributes.emails[0]` for the first item of a list of values (Outreach's emails)."""
    if column in record or not _is_path(column):
        return record.get(column)
    value: object = record
    for part in column.replace("[", ".[").split("."):
        if part.startswith("[") and part.endswith("]") and isinstance(value, list):
            key = part[1:-1]
            if key.isdigit() and not any(isinstance(p, dict) and ("key" in p or "name" in p)
                                         for p in value):
                value = value[int(key)] if int(key) < len(value) else None  # a position
                continue
            pair = next((p for p in value if isinstance(p, dict)
                         and p.get("key", p.get("name")) == key), None)
            value = pair.get("value") if pair else None
            if isinstance(value, dict):
                value = next((v for v in value.values() if v is not None), None)
        elif isinstance(value, dict):
            value = value.get(part)
        else:
            return None
    return value


def _nested_reason(column: str) -> str:
    return (f"'{column}' holds a JSON object or array; one value (text, number, true/false) "
            "was expected")


def _json_value_to_text(value: object) -> str | None:
    """As polars writes it on the fast path: an integral number without '.0' (an id
    exported as 71200502.0 stays '71200502')."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
