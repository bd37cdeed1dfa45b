"""Reading a CSV file without losing or hiding a record.

Fast path: a file without quotes or blank lines holds one record per line; polars reads it and
its result is trusted when it has one row per line and every line has the header's number of
commas. Otherwise the file is read record by record with the standard library. A record may
span several lines only through a quoted field, and is accepted then only with the header's
number of fields: else the quote that opened it is unbalanced, its first line is rejected
alone and reading starts again at the next line, so one stray quote costs one record.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass

import polars as pl

from pipelines.ingestion.file_formats.contents import (
    LINE_COLUMN,
    FileContents,
    UnparseableRecord,
    UnreadableFileError,
    empty_contents,
    has_invalid_utf8,
    printable,
    with_lines,
)
from pipelines.ingestion.file_formats.header import usable_columns
from pipelines.ingestion.file_formats.text_bytes import (
    count_lines,
    is_blank,
    may_have_blank_lines,
    without_ending,
)

# The standard library refuses fields over 128 KiB by default; a long free-text field (notes,
# a pasted e-mail) is data like any other.
csv.field_size_limit(2**31 - 1)
# A quoted field holding more line breaks than this is taken for an unbalanced quote, which
# bounds the cost of re-reading after each stray quote.
MAX_RECORD_LINES = 10_000
# The csv module's message for it asks about universal-newline mode.
CARRIAGE_RETURN = ("a carriage return (\\r) outside quotes breaks this line; quote the value "
                   "or remove the character")


def read_csv(data: bytes, wanted: list[str] | None, delimiter: str = ",",
             quote: str = '"') -> FileContents:
    if not data or data.isspace():
        return empty_contents("csv")
    if (delimiter, quote) == (",", '"') and b'"' not in data and not may_have_blank_lines(data):
        contents = _read_fast(data, wanted)
        if contents is not None:
            return contents
    return _read_by_record(data, wanted, delimiter, quote)


def _read_fast(data: bytes, wanted: list[str] | None) -> FileContents | None:
    header_end = data.find(b"\n")
    try:
        names = data[:header_end if header_end >= 0 else len(data)].rstrip(b"\r") \
            .decode("utf-8").split(",")
    except UnicodeDecodeError:
        return None  # the careful path says which part is not UTF-8
    header = usable_columns(names, wanted)
    try:
        frame = pl.read_csv(io.BytesIO(data), infer_schema=False, encoding="utf8")
    except Exception:  # noqa: BLE001 - any failure sends the file to the careful path
        return None
    records = count_lines(data) - 1
    if frame.height != records or frame.width != len(names) \
            or data.count(b",") != (len(names) - 1) * (records + 1):
        return None
    # By position: polars renames repeated names itself. The line column comes first.
    frame = with_lines(frame, 2).select(
        pl.col(LINE_COLUMN), *(pl.nth(p + 1).alias(n) for p, n in zip(header.keep, header.names,
                                                                       strict=True)))
    return FileContents(frame, "csv", columns=header.names, notes=header.notes)


@dataclass
class _Record:
    first: int  # index of its first line
    end: int  # index after its last line
    row: list[str] | None
    problem: str | None = None


def _read_by_record(data: bytes, wanted: list[str] | None, delimiter: str = ",",
                    quote: str = '"') -> FileContents:
    try:
        text, valid_utf8 = data.decode("utf-8"), True
    except UnicodeDecodeError:
        text, valid_utf8 = data.decode("utf-8", errors="surrogateescape"), False
    lines = text.split("\n")
    if text.endswith("\n"):
        lines.pop()  # the ending of the last line, not a line
    splitter = _RecordSplitter(lines, delimiter, quote)
    header_record = splitter.next_record(width=None)
    if header_record is None:
        return empty_contents("csv")
    if header_record.row is None:
        raise UnreadableFileError(f"cannot read the CSV header: {header_record.problem}")
    if header_record.end - header_record.first > 1:
        raise UnreadableFileError(
            f"the header (line {header_record.first + 1}) runs over "
            f"{header_record.end - header_record.first} lines: a quote in it is unbalanced, or a "
            "column name holds a line break; fix the header and export the file again")
    if any(has_invalid_utf8(name) for name in header_record.row):
        raise UnreadableFileError("the header is not valid UTF-8 text")
    header = usable_columns(header_record.row, wanted)
    width = len(header_record.row)
    continuation = 0
    rows: list[list[str]] = []
    line_numbers: list[int] = []
    unparseable: list[UnparseableRecord] = []
    while (record := splitter.next_record(width)) is not None:
        line = record.first + 1
        if record.row is None:
            unparseable.append(UnparseableRecord(line, record.problem or "", _raw(lines, record)))
            continue
        # A record that spans lines has the header's width (the splitter saw to it): whether
        # it loads or not, its lines after the first belong to it.
        continuation += _non_blank(lines, record.first + 1, record.end)
        if len(record.row) != width:
            raw = _raw(lines, record)
            reason = f"expected {width} fields, found {len(record.row)}"
            if raw.count('"') % 2:  # e.g. a quote opened on the last line, never closed
                reason = f"unbalanced quote: a quote on this line has no partner; {reason}"
            unparseable.append(UnparseableRecord(line, reason, raw))
        elif not valid_utf8 and (bad := _invalid_field(header_record.row, record.row)):
            unparseable.append(UnparseableRecord(
                line, "value is not valid UTF-8 text (re-export the file as UTF-8)",
                _raw(lines, record), bad))
        else:
            rows.append(record.row)
            line_numbers.append(line)
    frame = pl.DataFrame(
        {**{name: [r[p] for r in rows] for p, name in zip(header.keep, header.names, strict=True)},
         LINE_COLUMN: line_numbers},
        schema={**{name: pl.String for name in header.names}, LINE_COLUMN: pl.Int64},
    )
    return FileContents(frame, "csv", unparseable, header.names, continuation, header.notes)


class _RecordSplitter:
    """Splits lines into records with one csv reader, started again after a bad record."""

    def __init__(self, lines: list[str], delimiter: str = ",", quote: str = '"') -> None:
        self.lines, self.dialect = lines, {"delimiter": delimiter, "quotechar": quote}
        self.limit, self.hit_limit = 0, False
        self._restart(0)

    def _restart(self, position: int) -> None:
        self.position = position  # index of the next line the csv reader gets
        self.reader = csv.reader(self._feed(), **self.dialect)

    def _feed(self) -> Iterator[str]:
        while self.position < len(self.lines):
            if self.position >= self.limit:
                self.hit_limit = True
                return
            self.position += 1
            yield self.lines[self.position - 1] + "\n"

    def next_record(self, width: int | None) -> _Record | None:
        """The next record, blank lines skipped; None at the end. Once `width` (the header's
        number of fields) is known, a record of several lines must have that many fields."""
        while self.position < len(self.lines) and is_blank(self.lines[self.position]):
            self.position += 1
        if self.position >= len(self.lines):
            return None
        first = self.position
        self.limit, self.hit_limit = first + MAX_RECORD_LINES, False
        try:
            record = _Record(first, 0, next(self.reader))
        except csv.Error as exc:
            problem = CARRIAGE_RETURN if _has_lone_carriage_return(self.lines, first, self.position) \
                else f"malformed CSV record: {exc}"
            self._restart(first + 1)
            return _Record(first, first + 1, None, problem)
        record.end = self.position
        if self.hit_limit:
            self._restart(first + 1)
            return _Record(first, first + 1, None, _unbalanced_quote(record, width, cut=True))
        if width is not None and record.end - first > 1 and len(record.row) != width:
            self._restart(first + 1)
            return _Record(first, first + 1, None, _unbalanced_quote(record, width))
        return record


def _has_lone_carriage_return(lines: list[str], first: int, end: int) -> bool:
    return any("\r" in line.rstrip("\r") for line in lines[first:end])


def _unbalanced_quote(record: _Record, width: int | None, cut: bool = False) -> str:
    if cut:
        where = f"does not close within {MAX_RECORD_LINES} lines"
    else:
        where = (f"runs over {record.end - record.first} lines into a record of "
                 f"{len(record.row or [])} fields, not the header's {width}")
    return (f"unbalanced quote: the quoted field opened on this line {where}; "
            "the line was rejected alone and reading went on at the next line")


def _raw(lines: list[str], record: _Record) -> str:
    return printable(without_ending("\n".join(lines[record.first:record.end])))


def _non_blank(lines: list[str], start: int, end: int) -> int:
    return sum(1 for line in lines[start:end] if not is_blank(line))


def _invalid_field(header: list[str], row: list[str]) -> str | None:
    return next((h for h, v in zip(header, row, strict=True) if has_invalid_utf8(v)), None)
