"""Daily batch files: which format each file gets, and its bytes.

Formats rotate with the day and the source, so every format shows up within any five days.
Output is byte-for-byte reproducible: gzip without a time stamp or file name in its header,
Parquet and text written by polars from frames in a fixed row order.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from pathlib import Path

import numpy as np
import polars as pl

FORMATS = ("csv", "parquet", "ndjson", "csv.gz", "ndjson.gz")
_SOURCE_OFFSET = {"web_visits": 0, "contacts": 1, "opportunities": 2, "sales_interactions": 3}


def file_format(day_index: int, source: str) -> str:
    return FORMATS[(day_index + _SOURCE_OFFSET[source]) % len(FORMATS)]


def write_batch(
    path: Path, frame: pl.DataFrame, file_format: str, rng: np.random.Generator,
    broken: list[dict[str, object]] | None = None,
) -> int:
    """Write `frame` (plus `broken` records, at random places) as `file_format`; rows written."""
    broken = broken or []
    if file_format == "parquet":
        if broken:
            raise ValueError("Parquet files are typed; they carry no malformed records")
        buffer = io.BytesIO()
        frame.write_parquet(buffer)
        data = buffer.getvalue()
    elif file_format.startswith("csv"):
        data = _with_records_inserted(_csv_bytes(frame), _csv_lines(frame.columns, broken),
                                      rng, header_lines=1)
    else:
        buffer = io.BytesIO()
        frame.write_ndjson(buffer)
        lines = [json.dumps(r, ensure_ascii=False, separators=(",", ":")).encode()
                 for r in broken]
        data = _with_records_inserted(buffer.getvalue(), lines, rng, header_lines=0)
    if file_format.endswith(".gz"):
        data = gzip.compress(data, compresslevel=6, mtime=0)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return frame.height + len(broken)


def _csv_bytes(frame: pl.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.write_csv(buffer)
    return buffer.getvalue()


def _csv_lines(columns: list[str], records: list[dict[str, object]]) -> list[bytes]:
    lines = []
    for record in records:
        text = io.StringIO()
        csv.writer(text, lineterminator="").writerow(
            ["" if record.get(c) is None else record[c] for c in columns])
        lines.append(text.getvalue().encode())
    return lines


def _with_records_inserted(
    body: bytes, records: list[bytes], rng: np.random.Generator, header_lines: int
) -> bytes:
    if not records:
        return body
    lines = body.split(b"\n")[:-1]  # polars ends every line with \n
    places = np.sort(rng.integers(header_lines, len(lines) + 1, len(records)))
    out = lines[:header_lines]
    previous = header_lines
    for place, record in zip(places, records, strict=True):
        out.extend(lines[previous:place])
        out.append(record)
        previous = place
    out.extend(lines[previous:])
    return b"\n".join(out) + b"\n"
