"""Text is cleaned once, at the door: ingestion trims every text column of every source, turns
empty text into null and lower-cases emails, and the dbt models (staging included) and
publishing do not clean again. These tests hold ingestion to that promise, checked with the
engine's own functions that staging used to apply, and hold the dbt fixtures (which write raw
tables without ingestion) to what ingestion stores."""

import sys
import unicodedata
from datetime import datetime

import duckdb
import polars as pl
import pytest
from reference.adversarial import as_ingested

from pipelines.contract import EMAIL, NUMBER, SOURCES, STRING, TIMESTAMP
from pipelines.ingestion.file_formats import LINE_COLUMN
from pipelines.ingestion.validation import validate

NOW = datetime(2026, 2, 1)
FILLER = {STRING: "x", EMAIL: "a@b.io", TIMESTAMP: "2026-01-05T10:00:00", NUMBER: "1"}


def _awkward_characters() -> list[str]:
    """Every space, separator, control and format character, and every character whose case
    changes: what trimming, emptiness and lower-casing can disagree on."""
    chars = []
    for code in range(sys.maxunicode + 1):
        c = chr(code)
        if unicodedata.category(c) in ("Cs", "Co", "Cn"):
            continue
        if (c.isspace() or unicodedata.category(c) in ("Zs", "Zl", "Zp", "Cc", "Cf")
                or c.lower() != c or c.upper() != c):
            chars.append(c)
    return chars


def _values() -> list[str]:
    values = []
    for c in _awkward_characters():
        values += [c, c * 3, f"{c}x{c}", f" {c}Ab {c}x\t", f"{c.upper()}{c}@Example.COM{c}"]
    return values


# Columns of a closed value set (associations' types) take only its values: not free text.
TEXT_COLUMNS = [(source.name, column) for source in SOURCES.values()
                for column, kind in source.columns.items()
                if kind in (STRING, EMAIL) and column not in source.allowed_values]


def _filler(source, column: str, kind: str) -> str:
    allowed = source.allowed_values.get(column)
    return allowed[0] if allowed else FILLER[kind]


@pytest.fixture(scope="module")
def values() -> list[str]:
    return _values()


@pytest.mark.parametrize(("source_name", "column"), TEXT_COLUMNS,
                         ids=[f"{s}.{c}" for s, c in TEXT_COLUMNS])
def test_loaded_text_is_already_what_staging_would_make_of_it(values, source_name, column):
    source = SOURCES[source_name]
    frame = pl.DataFrame({
        **{c: [_filler(source, c, kind)] * len(values) for c, kind in source.columns.items()},
        column: values,
        LINE_COLUMN: list(range(1, len(values) + 1)),
    })
    valid = validate(frame, source, now=NOW).valid
    assert valid.height > len(values) // 2, "most rows must load for the check to mean anything"
    con = duckdb.connect()
    con.register("loaded", valid.select(pl.col(column).alias("v")).to_arrow())
    cleaned = "nullif(lower(trim(v)), '')" if source.columns[column] == EMAIL else "nullif(trim(v), '')"
    differing = con.sql(f"SELECT v, {cleaned} FROM loaded WHERE v IS DISTINCT FROM {cleaned} "
                        "LIMIT 5").fetchall()
    con.close()
    assert differing == [], f"{source_name}.{column}: staging's cleaning would still change these"


def test_fixture_rows_are_what_ingestion_stores():
    """tests/dbt_fixtures.py writes `as_ingested` rows: the same as validation's on the values
    the dbt tests use (padding, tabs, no-break spaces, blanks, mixed-case emails)."""
    rows = [{"event_id": " e1\t", "visitor_id": "\u00a0V1 ", "occurred_at": "2024-03-01 10:00:00",
             "event_type": "page_view ", "page_url": " /a", "email": "  Jane.Doe@Example.COM ",
             "utm_source": " Google ", "utm_medium": "  ", "utm_campaign": "", "country": "\u2003"}]
    source = SOURCES["web_visits"]
    frame = pl.DataFrame([{**{c: None for c in source.columns}, **row} for row in rows],
                         schema={c: pl.String for c in source.columns}).with_columns(
        pl.Series(LINE_COLUMN, [1]))
    loaded = validate(frame, source, now=NOW).valid.drop(LINE_COLUMN)
    expected = as_ingested({**{c: None for c in source.columns}, **rows[0]})
    got = loaded.row(0, named=True)
    assert {c: got[c] for c in source.columns if source.columns[c] in (STRING, EMAIL)} == \
        {c: expected[c] for c in source.columns if source.columns[c] in (STRING, EMAIL)}
    assert got["email"] == "jane.doe@example.com" and got["utm_medium"] is None
