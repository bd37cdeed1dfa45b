"""The bytes of a text file (CSV, NDJSON) as every reader sees them, and what a line is.

One definition, shared by the readers and by the independent record count: lines end with
"\\n" (a "\\r" before it is part of the ending), and a line is blank when it holds only ASCII
whitespace. Blank lines are not records.
"""

from __future__ import annotations

import re

from pipelines.ingestion.file_formats.contents import UnreadableFileError

WHITESPACE = " \t\r\x0b\x0c"  # what a blank line may hold besides its "\n"
_BLANK_LINE = re.compile(rb"^(?:[ \t\r\x0b\x0c]*\n|[ \t\r\x0b\x0c]+\Z)", re.MULTILINE)
_BLANK_LINE_START = re.compile(rb"\n[ \t\r\x0b\x0c\n]")

_UTF8_MARK = b"\xef\xbb\xbf"
# Longest first: the UTF-32 LE mark begins with the UTF-16 LE one.
_BYTE_ORDER_MARKS = (
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)


def has_byte_order_mark(data: bytes) -> bool:
    return data.startswith(_UTF8_MARK) or any(data.startswith(m) for m, _ in _BYTE_ORDER_MARKS)


def normalise_text(data: bytes) -> bytes:
    """UTF-8 bytes without a byte order mark and with "\\n" line endings. A UTF-16 or UTF-32
    file (recognised by its mark) is re-encoded; a file whose lines end with a lone "\\r" (old
    Mac exports) gets "\\n" instead. Marks repeated at the start (a file re-saved by a tool
    that adds one) all go: none may stick to the first column's name."""
    if data.startswith(_UTF8_MARK):
        data = data[3:]
    else:
        for mark, encoding in _BYTE_ORDER_MARKS:
            if data.startswith(mark):
                try:
                    data = data[len(mark):].decode(encoding).encode("utf-8")
                except UnicodeError as exc:
                    raise UnreadableFileError(
                        f"the file starts with a {encoding.upper()} byte order mark but is not "
                        f"valid {encoding.upper()} text ({exc.reason} at byte {exc.start})"
                    ) from exc
                break
    while data.startswith(_UTF8_MARK):  # a file saved again with a mark before its mark
        data = data[3:]
    if b"\n" not in data and b"\r" in data:
        data = data.replace(b"\r", b"\n")
    return data


def is_blank(line: str | bytes) -> bool:
    return not (line.strip(WHITESPACE) if isinstance(line, str) else line.strip(b" \t\r\x0b\x0c"))


def without_ending(line: str) -> str:
    """A line (or lines) as the file shows it, without the "\r" of a CRLF ending."""
    return line[:-1] if line.endswith("\r") else line


def may_have_blank_lines(data: bytes) -> bool:
    """False when the data certainly holds no blank line: cheap substring searches only."""
    return not data or data[:1].isspace() or _BLANK_LINE_START.search(data) is not None


def count_lines(data: bytes) -> int:
    """Physical lines, blank or not; a last line without "\\n" counts."""
    return data.count(b"\n") + (0 if not data or data.endswith(b"\n") else 1)


def count_non_blank_lines(data: bytes) -> int:
    lines = count_lines(data)
    if not may_have_blank_lines(data):
        return lines
    return lines - sum(1 for _ in _BLANK_LINE.finditer(data))
