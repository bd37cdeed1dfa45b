"""Reading inbox files cannot hide or lose a record: one small hand-written file per kind of
trouble, written byte for byte (BOMs, CRLF, quotes).

Each case checks that the records counted in the file without its parser equal what the
parser accounted for (loaded + rejected + exact repeats, plus the extra lines of multi-line
records), what the rejected rows say (line, field, reason, raw text), and that a clean file of
the same source, read after the bad one, still loads.
"""

import csv
import io
import json
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipelines.ingestion import prepare as prepare_module
from pipelines.ingestion.balance import balance_of_files
from pipelines.ingestion.file_formats import csv_reader, ndjson_reader
from pipelines.ingestion.ingest import ingest_source

HEADER = b"event_id,visitor_id,occurred_at,event_type,page_url,email,time_on_page_s"
CLEAN_FILE = "z_clean.csv"  # sorts after every bad file: read after it, in the same run
CLEAN = HEADER + b"\nclean1,v9,2026-01-06T10:00:00,page_view,/ok,,\n"


def row(event_id: str, page_url: str = "/a") -> bytes:
    return f"{event_id},v1,2026-01-05T10:00:00,page_view,{page_url},,".encode()


@pytest.fixture
def inbox(tmp_path) -> Path:
    return tmp_path / "inbox"


@pytest.fixture
def con(tmp_path):
    connection = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    yield connection
    connection.close()


def ingest(con, inbox: Path, files: dict[str, bytes], with_clean_file: bool = True):
    folder = inbox / "web_visits"
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in {**files, **({CLEAN_FILE: CLEAN} if with_clean_file else {})}.items():
        (folder / name).write_bytes(content)
    return ingest_source(con, "web_visits", inbox, [])


def ledger(con, name: str) -> dict:
    cursor = con.execute("SELECT * FROM raw._ingested_files WHERE file_path = ?",
                         [f"web_visits/{name}"])
    names = [d[0] for d in cursor.description]
    return dict(zip(names, cursor.fetchone(), strict=True))


def rejected(con, name: str) -> list[tuple]:
    return con.execute(
        "SELECT line_number, field, reason, raw_record FROM raw.web_visits_rejected "
        "WHERE source_file = ? ORDER BY line_number", [f"web_visits/{name}"]).fetchall()


def loaded(con, name: str) -> list[tuple]:
    return con.execute("SELECT event_id, page_url, _source_line FROM raw.web_visits "
                       "WHERE _source_file = ? ORDER BY _source_line",
                       [f"web_visits/{name}"]).fetchall()


def assert_accounted(con, result, name: str, records: int, continuation_lines: int = 0) -> None:
    """`records`: counted by the test from the bytes it wrote. Also: the clean file loads and
    every file of the run balances."""
    entry = ledger(con, name)
    assert entry["status"] == "loaded"
    assert entry["lines_counted"] == records
    assert entry["continuation_lines"] == continuation_lines
    assert records == (entry["rows_loaded"] + entry["rows_rejected"] + entry["rows_repeated"]
                       + continuation_lines)
    assert result.is_balanced, result.unbalanced_files
    assert loaded(con, CLEAN_FILE) == [("clean1", "/ok", 2)]


def assert_refused(con, result, name: str, *words: str) -> None:
    entry = ledger(con, name)
    assert entry["status"] == "unreadable"
    assert all(w in entry["message"] for w in words), entry["message"]
    errors = [str(p) for p in result.problems if p.severity == "error"]
    assert any(e.startswith(f"web_visits/{name}: ") and all(w in e for w in words) for e in errors)
    assert rejected(con, name) == [(None, None, entry["message"], None)]
    assert result.is_balanced and loaded(con, CLEAN_FILE) == [("clean1", "/ok", 2)]


# --- 2. an unbalanced quote costs the record it opens, no more -------------------------------

def test_an_unbalanced_quote_rejects_its_line_alone_and_the_rest_loads(con, inbox):
    bad = row("e1", '"/a')
    content = b"\n".join([HEADER, bad, row("e2"), row("e3"), row("e3"), b""])
    result = ingest(con, inbox, {"quote.csv": content})
    assert [r[0] for r in loaded(con, "quote.csv")] == ["e2", "e3"]
    [(line, field, reason, raw)] = rejected(con, "quote.csv")
    assert (line, field, raw) == (2, None, bad.decode())
    assert reason.startswith("unbalanced quote")
    assert ledger(con, "quote.csv")["rows_repeated"] == 1
    assert_accounted(con, result, "quote.csv", records=4)


def test_after_an_unbalanced_quote_each_following_record_is_recovered_or_quarantined(con, inbox):
    opening = row("e2", '"/b')
    closing = b'still the same note",x'  # where the quote would have closed: a record of 2 fields
    content = b"\r\n".join([HEADER, row("e1"), opening, closing, row("e4"), b""])
    result = ingest(con, inbox, {"quote.csv": content})
    assert [r[0] for r in loaded(con, "quote.csv")] == ["e1", "e4"]
    assert [(r[0], r[3]) for r in rejected(con, "quote.csv")] == [
        (3, opening.decode()), (4, closing.decode())]
    reasons = [r[2] for r in rejected(con, "quote.csv")]
    assert reasons[0].startswith("unbalanced quote") and reasons[1].endswith("expected 7 fields, found 2")
    assert_accounted(con, result, "quote.csv", records=4)


def test_a_well_formed_multi_line_record_loads_and_its_extra_lines_are_accounted(con, inbox):
    content = (HEADER + b'\r\ne1,v1,2026-01-05T10:00:00,page_view,"/a\r\n\r\nsecond line",,\r\n'
               + row("e2") + b"\r\n\r\n   \r\n" + row("e3") + b"\r\n")
    result = ingest(con, inbox, {"notes.csv": content})
    assert loaded(con, "notes.csv") == [("e1", "/a\r\n\r\nsecond line", 2), ("e2", "/a", 5),
                                        ("e3", "/a", 8)]
    # Non-blank lines after the header: e1's two, e2, e3.
    assert_accounted(con, result, "notes.csv", records=4, continuation_lines=1)


@pytest.mark.parametrize("split", [row("e2", "/a\rb"), row("e2") + b"\rtrailing,text"],
                         ids=["inside a field", "between fields"])
def test_a_carriage_return_inside_an_unquoted_field_rejects_that_line(con, inbox, split):
    content = b"\n".join([HEADER, row("e1", '"/quoted"'), split, row("e3"), b""])
    result = ingest(con, inbox, {"cr.csv": content})
    assert [r[0] for r in loaded(con, "cr.csv")] == ["e1", "e3"]
    [(line, _, reason, raw)] = rejected(con, "cr.csv")
    assert (line, raw) == (3, split.decode()) and "carriage return" in reason
    assert_accounted(con, result, "cr.csv", records=3)


def test_old_mac_line_endings_load(con, inbox):
    result = ingest(con, inbox, {"mac.csv": b"\r".join([HEADER, row("e1"), row("e2"), b""])})
    assert [r[0] for r in loaded(con, "mac.csv")] == ["e1", "e2"]
    assert_accounted(con, result, "mac.csv", records=2)


# --- 3. byte order marks on every reader path ------------------------------------------------

QUOTED_HEADER = b'"event_id","visitor_id","occurred_at","event_type","page_url"'
QUOTED_ROW = b'"e1","v1","2026-01-05T10:00:00","page_view","/a, b"'


@pytest.mark.parametrize("name, content", [
    ("bom_fast.csv", b"\xef\xbb\xbf" + HEADER + b"\r\n" + row("e1") + b"\r\n"),
    ("bom_quoted.csv", b"\xef\xbb\xbf" + QUOTED_HEADER + b"\n" + QUOTED_ROW + b"\n"),
    ("utf16le.csv", (b"\xff\xfe" + (QUOTED_HEADER + b"\r\n" + QUOTED_ROW).decode().encode("utf-16-le"))),
    ("utf16be.csv", (b"\xfe\xff" + (HEADER + b"\n" + row("e1")).decode().encode("utf-16-be"))),
    ("bom.ndjson", b'\xef\xbb\xbf{"event_id":"e1","visitor_id":"v1","occurred_at":"2026-01-05T10:00:00",'
                   b'"event_type":"page_view","page_url":"/a"}\n'),
    ("bom_blank_line.ndjson", b'\xef\xbb\xbf{"event_id":"e1","visitor_id":"v1","occurred_at":'
                              b'"2026-01-05T10:00:00","event_type":"page_view","page_url":"/a"}\n\n'),
])
def test_a_byte_order_mark_hides_no_column(con, inbox, name, content):
    result = ingest(con, inbox, {name: content})
    assert [r[0] for r in loaded(con, name)] == ["e1"]
    assert rejected(con, name) == []
    assert not any(p.file.endswith(name) for p in result.problems), result.problems
    assert_accounted(con, result, name, records=1)


def test_a_plain_file_stays_on_the_fast_path(con, inbox, monkeypatch):
    def careful_path(*args):
        raise AssertionError("a file without quotes went to the record-by-record reader")

    monkeypatch.setattr(csv_reader, "_read_by_record", careful_path)
    content = b"\xef\xbb\xbf" + b"\r\n".join([HEADER, row("e1"), row("e2")])  # no final newline
    result = ingest(con, inbox, {"plain.csv": content})
    assert [r[0] for r in loaded(con, "plain.csv")] == ["e1", "e2"]
    assert_accounted(con, result, "plain.csv", records=2)


# --- 4. header names -------------------------------------------------------------------------

@pytest.mark.parametrize("content", [
    b"event_id,visitor_id,occurred_at,event_id\ne1,v1,2026-01-05T10:00:00,e2\n",
    b'"event_id","visitor_id","occurred_at","event_id"\n"e1","v1","2026-01-05T10:00:00","e2"\n',
])
def test_a_used_column_named_twice_refuses_the_file(con, inbox, content):
    result = ingest(con, inbox, {"dup.csv": content})
    assert_refused(con, result, "dup.csv", "'event_id' at columns 1 and 4")


def test_unused_repeated_and_unnamed_columns_are_ignored_with_a_note(con, inbox):
    content = HEADER + b",notes,notes,\n" + row("e1") + b",a,b,\n"
    result = ingest(con, inbox, {"extra.csv": content})
    assert [r[0] for r in loaded(con, "extra.csv")] == ["e1"]
    notes = [p.message for p in result.problems if p.file == "web_visits/extra.csv"]
    assert "the header names 'notes' at columns 8 and 9; the column is not used and was ignored" \
        in notes
    assert "column 10 of the header has no name; the values there were ignored" in notes
    assert_accounted(con, result, "extra.csv", records=1)


# --- 5. field sizes --------------------------------------------------------------------------

def test_a_field_over_128_kib_in_a_quoted_file_loads(con, inbox):
    long_url = "/" + "x" * 200_000
    content = HEADER + b"\n" + row("e1", f'"{long_url}"') + b"\n" + row("e2") + b"\n"
    result = ingest(con, inbox, {"long.csv": content})
    assert loaded(con, "long.csv") == [("e1", long_url, 2), ("e2", "/a", 3)]
    assert_accounted(con, result, "long.csv", records=2)


def test_a_record_the_csv_module_refuses_is_quarantined_with_its_raw_text(con, inbox):
    previous = csv.field_size_limit(1000)  # stands in for any csv.Error
    try:
        too_long = row("e1", '"/' + "x" * 2000 + '"')
        content = b"\n".join([HEADER, too_long, row("e2"), b""])
        result = ingest(con, inbox, {"refused.csv": content})
    finally:
        csv.field_size_limit(previous)
    [(line, _, reason, raw)] = rejected(con, "refused.csv")
    assert (line, raw) == (2, too_long.decode()) and "field larger than field limit" in reason
    assert [r[0] for r in loaded(con, "refused.csv")] == ["e2"]
    assert_accounted(con, result, "refused.csv", records=2)


# --- 6. Parquet types ------------------------------------------------------------------------

def write_parquet(columns: dict) -> bytes:
    buffer = io.BytesIO()
    pq.write_table(pa.table(columns), buffer)
    return buffer.getvalue()


def test_parquet_nested_and_binary_columns(con, inbox):
    content = write_parquet({
        "event_id": ["e1", "e2", "e3", "e4"],
        "visitor_id": pa.array([b"v1", b"caf\xe9", b"v3", b"v4"], type=pa.binary()),
        "occurred_at": ["2026-01-05T10:00:00"] * 4,
        "event_type": ["page_view"] * 4,
        "page_url": ["/a", "/b", "/c", "/d"],
        "utm_source": pa.array([None, None, {"name": "x"}, None]),  # a used column, nested
        "event_params": pa.array([[1, 2], [3], None, [4]]),  # not in the contract: never read
    })
    result = ingest(con, inbox, {"types.parquet": content})
    assert [r[0] for r in loaded(con, "types.parquet")] == ["e1", "e4"]
    got = rejected(con, "types.parquet")
    assert [(r[0], r[1]) for r in got] == [(2, "visitor_id"), (3, "utm_source")]
    assert "not UTF-8" in got[0][2] and "struct<name: string>" in got[1][2]
    assert json.loads(got[0][3])["visitor_id"] == "caf\\xe9"
    assert json.loads(got[1][3])["utm_source"] == {"name": "x"}
    assert_accounted(con, result, "types.parquet", records=4)


def test_a_parquet_binary_column_of_utf8_text_loads_as_text(con, inbox):
    content = write_parquet({
        "event_id": pa.array([b"e1", "é2".encode()], type=pa.binary()),
        "visitor_id": ["v1", "v2"], "occurred_at": ["2026-01-05T10:00:00"] * 2,
        "event_type": ["page_view"] * 2, "page_url": ["/a", "/b"],
    })
    result = ingest(con, inbox, {"binary.parquet": content})
    assert [r[0] for r in loaded(con, "binary.parquet")] == ["e1", "é2"]
    assert_accounted(con, result, "binary.parquet", records=2)


def test_a_parquet_file_without_the_used_columns_rejects_every_row(con, inbox):
    content = write_parquet({"something_else": [[1], [2]]})
    result = ingest(con, inbox, {"other.parquet": content})
    assert [r[0] for r in rejected(con, "other.parquet")] == [1, 2]
    assert_accounted(con, result, "other.parquet", records=2)


def test_a_corrupt_parquet_file_is_refused(con, inbox):
    result = ingest(con, inbox, {"corrupt.parquet": b"PAR1 this is no table PAR1"})
    assert_refused(con, result, "corrupt.parquet", "not a readable Parquet file")


# --- 7. NDJSON values that are not one value -------------------------------------------------

NDJSON_OK = (b'{"event_id":"e1","visitor_id":"v1","occurred_at":"2026-01-05T10:00:00",'
             b'"event_type":"page_view","page_url":"[draft] /a","params":{"k":[1]}}')
NDJSON_OBJECT = (b'{"event_id":{"id":"e2"},"visitor_id":"v1","occurred_at":"2026-01-05T10:00:00",'
                 b'"event_type":"page_view","page_url":"/a"}')
NDJSON_ARRAY = (b'{"event_id":"e3","visitor_id":["v1","v2"],"occurred_at":"2026-01-05T10:00:00",'
                b'"event_type":"page_view","page_url":"/a"}')


@pytest.mark.parametrize("separator", [b"\n", b"\n\n"], ids=["fast path", "line by line"])
def test_an_ndjson_object_or_array_value_is_a_rejected_row(con, inbox, separator):
    content = separator.join([NDJSON_OK, NDJSON_OBJECT, NDJSON_ARRAY]) + b"\n"
    result = ingest(con, inbox, {"nested.ndjson": content})
    assert loaded(con, "nested.ndjson") == [("e1", "[draft] /a", 1)]
    step = len(separator)
    got = rejected(con, "nested.ndjson")
    assert [(r[0], r[1], r[3]) for r in got] == [
        (1 + step, "event_id", NDJSON_OBJECT.decode()), (1 + 2 * step, "visitor_id", NDJSON_ARRAY.decode())]
    assert all("holds a JSON object or array" in r[2] for r in got)
    assert_accounted(con, result, "nested.ndjson", records=3)


@pytest.mark.parametrize("separator", [b"\n", b"\n\n"], ids=["fast path", "line by line"])
def test_ndjson_values_read_the_same_on_both_paths(con, inbox, separator):
    line = (b'{"event_id":71200502.0,"visitor_id":7,"occurred_at":"2026-01-05T10:00:00",'
            b'"event_type":"page_view","page_url":"/a","time_on_page_s":4.50}')
    result = ingest(con, inbox, {"numbers.ndjson": separator.join([line, b""])})
    assert con.execute("SELECT event_id, visitor_id, time_on_page_s FROM raw.web_visits "
                       "WHERE event_id <> 'clean1'").fetchall() == [("71200502", "7", 4.5)]
    assert_accounted(con, result, "numbers.ndjson", records=1)


def test_a_broken_ndjson_line_keeps_its_text(con, inbox):
    broken = b'{"event_id":"e2", oops}'
    result = ingest(con, inbox, {"broken.ndjson": b"\n".join([NDJSON_OK, broken, b""])})
    [(line, _, reason, raw)] = rejected(con, "broken.ndjson")
    assert (line, raw) == (2, broken.decode()) and reason.startswith("not valid JSON")
    assert_accounted(con, result, "broken.ndjson", records=2)


# --- 8. no bad file stops its source ---------------------------------------------------------

def test_an_unexpected_error_in_one_file_becomes_its_unreadable_entry(con, inbox, monkeypatch):
    real = csv_reader.read_csv

    def failing(data, wanted):
        if b"boom" in data:
            raise KeyError("boom")
        return real(data, wanted)

    monkeypatch.setattr(csv_reader, "read_csv", failing)
    result = ingest(con, inbox, {"boom.csv": HEADER + b"\n" + row("boom") + b"\n"})
    assert_refused(con, result, "boom.csv", "unexpected KeyError", "'boom'")


def test_an_error_while_mapping_becomes_the_file_s_unreadable_entry(con, inbox, monkeypatch):
    def failing_validate(frame, *args):
        if "e1" in frame.get_column("event_id").to_list():
            raise ValueError("a bug in validation")
        return real_validate(frame, *args)

    real_validate = prepare_module.validate
    monkeypatch.setattr(prepare_module, "validate", failing_validate)
    result = ingest(con, inbox, {"e1.csv": HEADER + b"\n" + row("e1") + b"\n"})
    assert_refused(con, result, "e1.csv", "unexpected ValueError: a bug in validation")


# --- 1. the record count does not trust the parser -------------------------------------------

@pytest.mark.parametrize("reader, attribute, content", [
    (csv_reader, "read_csv", b"\n".join([HEADER, row("e1"), row("e2"), b""])),
    (csv_reader, "read_csv", b"\n".join([HEADER, row("e1", '"/a"'), row("e2"), b""])),
    (ndjson_reader, "read_ndjson", b"\n".join([NDJSON_OK, NDJSON_OK.replace(b"e1", b"e2")])),
])
def test_a_reader_that_swallows_a_record_fails_the_balance(con, inbox, monkeypatch,
                                                           reader, attribute, content):
    real = getattr(reader, attribute)

    def swallowing(*args):
        contents = real(*args)
        contents.frame = contents.frame.head(contents.frame.height - 1)
        return contents

    monkeypatch.setattr(reader, attribute, swallowing)
    name = "day1.csv" if reader is csv_reader else "day1.ndjson"
    result = ingest(con, inbox, {name: content}, with_clean_file=False)
    assert [f["file_path"] for f in result.unbalanced_files] == [f"web_visits/{name}"]
    entry = ledger(con, name)
    assert (entry["lines_counted"], entry["rows_read"], entry["rows_loaded"]) == (2, 1, 1)


def test_a_ledger_entry_from_before_the_count_still_balances(con, inbox):
    ingest(con, inbox, {"day1.csv": HEADER + b"\n" + row("e1") + b"\n"})
    con.execute("UPDATE raw._ingested_files SET lines_counted = NULL, continuation_lines = NULL")
    hashes = [h for (h,) in con.execute("SELECT file_hash FROM raw._ingested_files").fetchall()]
    assert all(item["is_balanced"] for item in balance_of_files(con, hashes))


def test_the_contents_a_reader_returns_have_one_row_per_line_number(tmp_path):
    """The frame's line numbers are the file's physical lines, header and blank lines
    included, whichever path read the file."""
    from pipelines.ingestion.file_formats import read_inbox_file

    path = tmp_path / "lines.csv"
    path.write_bytes(b"\n".join([b"", HEADER, row("e1"), b"  ", row("e2", '"/x"'), b""]))
    contents = read_inbox_file(path, None)
    assert contents.frame.get_column("_source_line").to_list() == [3, 5]
    assert contents.frame.get_column("page_url").to_list() == ["/a", "/x"]
    assert contents.lines_counted == 2


def test_whatever_the_bytes_every_counted_line_is_accounted_for(tmp_path):
    """A seeded corpus of small CSV and NDJSON files built from troublesome pieces (quotes that
    open or close alone, line breaks in and out of quotes, CR, blank lines, BOMs, bytes that
    are not UTF-8, nested JSON): every file the readers accept accounts for each line the
    independent count sees, and no rejected record is without its raw text."""
    import random

    from pipelines.ingestion.file_formats import UnreadableFileError, read_inbox_file

    rng = random.Random(14)
    pieces = [b"x", b"", b'"q"', b'"a,b"', b'"two\nlines"', b'"crlf\r\nline"', b'"open',
              b'close"', b'"with ""escaped"""', b" ", b"\xe9", b"\r", b'{"k":1}', b"[1]"]
    checked = 0
    for i in range(300):
        width = rng.randint(1, 4)
        lines = [b",".join(b"h%d" % j for j in range(width))]
        for _ in range(rng.randint(0, 8)):
            fields = width + rng.choice([0, 0, 0, -1, 1])
            lines.append(b",".join(rng.choice(pieces) for _ in range(max(fields, 1))))
            if rng.random() < 0.15:
                lines.append(rng.choice([b"", b"  ", b"\r"]))
        ending = rng.choice([b"\n", b"\r\n", b"\r"])
        data = rng.choice([b"", b"\xef\xbb\xbf"]) + ending.join(lines) + rng.choice([b"", ending])
        suffix = rng.choice([".csv", ".ndjson"])
        path = tmp_path / f"case{i}{suffix}"
        path.write_bytes(data if suffix == ".csv" else data.replace(b"h0", b'{"h0":1}'))
        try:
            contents = read_inbox_file(path, ["h0", "h1"])
        except UnreadableFileError:
            continue
        checked += 1
        assert contents.lines_counted == contents.records_read + contents.continuation_lines, data
        assert all(u.text and u.line >= 1 for u in contents.unparseable), data
    assert checked > 200
