"""How many records a file holds, counted without the parser that loads it.

The balance compares this count with what the parser accounted for (rows loaded, rejected
and repeated, plus the extra lines of multi-line records), so a parser that swallows or drops
a record fails the balance instead of losing it silently. The count must therefore stay
simple enough to be obviously right: non-blank physical lines for text formats, the row count
the Parquet writer put in the file's footer.
"""

from __future__ import annotations

import io

import pyarrow.parquet as pq

from pipelines.ingestion.file_formats.contents import UnreadableFileError
from pipelines.ingestion.file_formats.text_bytes import count_non_blank_lines


def count_records(data: bytes, file_format: str) -> int:
    """`data` as the readers see it (decompressed; text normalised by normalise_text)."""
    if file_format == "parquet":
        try:
            return pq.ParquetFile(io.BytesIO(data)).metadata.num_rows
        except Exception as exc:  # pyarrow raises several error types for a corrupt file
            raise UnreadableFileError(f"not a readable Parquet file: {exc}") from exc
    lines = count_non_blank_lines(data)
    return max(lines - 1, 0) if file_format == "csv" else lines  # a CSV's first line is its header
