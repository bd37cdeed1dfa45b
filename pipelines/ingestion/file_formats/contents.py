"""What a reader returns for one file: its rows as a polars frame, the records it could not
split into fields (each with its line and raw text), and what the balance needs to know."""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

LINE_COLUMN = "_source_line"


class UnreadableFileError(Exception):
    """The file as a whole cannot be read (corrupt archive, not a table, unknown format,
    a header that names a used column twice)."""


@dataclass
class UnparseableRecord:
    line: int
    reason: str
    text: str  # the record as it stands in the file, never empty
    field: str | None = None


@dataclass
class FileContents:
    frame: pl.DataFrame  # the usable columns read, plus LINE_COLUMN
    file_format: str
    unparseable: list[UnparseableRecord] = field(default_factory=list)
    # The file's usable column names (unique, named), read into the frame or not.
    columns: list[str] = field(default_factory=list)
    # Physical lines beyond the first of the well-formed records (and header) that span
    # several lines: a quoted field holding line breaks.
    continuation_lines: int = 0
    notes: list[str] = field(default_factory=list)  # warnings about the file as a whole
    # Set by read_inbox_file from the bytes, never by a reader: see record_count.
    lines_counted: int | None = None

    @property
    def records_read(self) -> int:
        return self.frame.height + len(self.unparseable)

    def unparseable_frame(self) -> pl.DataFrame:
        return pl.DataFrame(
            {"line_number": [u.line for u in self.unparseable],
             "field": [u.field for u in self.unparseable],
             "reason": [u.reason for u in self.unparseable],
             "raw_record": [u.text for u in self.unparseable]},
            schema={"line_number": pl.Int64, "field": pl.String, "reason": pl.String,
                    "raw_record": pl.String},
        )


def empty_contents(file_format: str) -> FileContents:
    return FileContents(pl.DataFrame(schema={LINE_COLUMN: pl.Int64}), file_format)


def with_lines(frame: pl.DataFrame, first_line: int) -> pl.DataFrame:
    return frame.with_row_index(LINE_COLUMN, offset=first_line).with_columns(
        pl.col(LINE_COLUMN).cast(pl.Int64)
    )


def has_invalid_utf8(text: str) -> bool:
    """True when text decoded with errors='surrogateescape' held bytes that are not UTF-8."""
    return any("\udc80" <= ch <= "\udcff" for ch in text)


def printable(text: str) -> str:
    return text.encode("utf-8", errors="surrogateescape").decode("utf-8", errors="replace")
