"""Corpus cases about text files: encodings, line endings and CSV structure."""

from __future__ import annotations

from .case import DUPLICATE_NAME, UNREADABLE, reject, said
from .files import HEADERS, case, contact, csv, either, gz, lines, ndjson, web

BOM = b"\xef\xbb\xbf"
QUOTED_WEB_HEADER = ",".join(f'"{c}"' for c in HEADERS["web_visits"].split(","))
FIELDS = ("fields", "columns")
QUOTE = ("quote",)
BIG = "x" * (200 * 1024)  # over the 128 KiB a CSV reader allows a field by default
WEB_JSON = {"visitor_id": "v1", "occurred_at": "2026-02-02T10:00:00", "event_type": "page_view",
            "page_url": "/a"}

ENCODING_CASES = [
    # A UTF-8 byte order mark before a quoted header: every column is found.
    case("enc_bom_quoted_header", "web_visits", BOM + lines(
        QUOTED_WEB_HEADER, '"e1","v1","2026-02-02T10:00:00","page_view","/a","",""')),
    # A byte order mark before a plain header.
    case("enc_bom_plain_header", "web_visits", BOM + csv("web_visits", web("e1"), web("e2"))),
    # A byte order mark inside a gzipped CSV with quotes.
    case("enc_bom_gzipped", "web_visits", gz(BOM + lines(
        QUOTED_WEB_HEADER, '"e1","v1","2026-02-02T10:00:00","page_view","/a","",""')), ext="csv.gz"),
    # A byte order mark before the first NDJSON line.
    case("enc_bom_ndjson", "web_visits", BOM + ndjson({"event_id": "e1", **WEB_JSON}), ext="ndjson"),
    # UTF-16 (Excel's 'Unicode text'): read as such, or refused saying which encoding is expected.
    case("enc_utf16", "web_visits", csv("web_visits", web("e1"), web("e2")).decode().encode("utf-16"),
         outcomes=either("loaded", UNREADABLE), refusal=said(any_of=("utf-16", "utf-8", "encoding"))),
    # A Latin-1 byte in a value: that row is rejected naming the field, the rest load.
    case("enc_latin1_value", "contacts", csv(
        "contacts", contact("c1"), b"c2,2026-02-02T10:00:00,,,Jos\xe9", contact("c3")),
        rejected={3: reject("first_name", "utf-8")}),
    # Invalid UTF-8 in the header: the file cannot be read.
    case("enc_bad_header", "web_visits", lines(
        b"event_id,visitor_id,occurred_at,event_type,page_url,caf\xe9", web("e1")),
        outcomes=either(UNREADABLE), refusal=said(any_of=("utf-8", "header"))),
    # A Latin-1 byte in an NDJSON line.
    case("enc_latin1_ndjson", "web_visits", ndjson(
        {"event_id": "e1", **WEB_JSON},
        b'{"event_id": "e2", "visitor_id": "v1", "occurred_at": "2026-02-02T10:00:00", '
        b'"event_type": "page_view", "page_url": "/caf\xe9"}'), ext="ndjson",
        rejected={2: reject(None, "utf-8")}),
]

LINE_END_CASES = [
    # Windows line ends: no carriage return is left in a value.
    case("eol_crlf", "contacts", csv("contacts", contact("c1"), contact("c2", first_name='"Bo"'),
                                     eol=b"\r\n"),
         values={2: {"first_name": "Ann"}, 3: {"first_name": "Bo"}}),
    # Old Mac line ends (a carriage return alone).
    case("eol_cr_only", "web_visits", csv("web_visits", web("e1"), web("e2"), web("e3"), eol=b"\r"),
         values={4: {"event_id": "e3"}}),
    # Mixed line ends in one file.
    case("eol_mixed", "web_visits", lines(
        HEADERS["web_visits"], web("e1"), eol=b"\r\n", final=True) + lines(web("e2"), web("e3"))),
    # No line end after the last record.
    case("eol_no_final_newline", "web_visits", csv("web_visits", web("e1"), web("e2"), final=False),
         values={3: {"event_id": "e2"}}),
    # Blank and whitespace-only lines are not records; line numbers stay physical.
    case("eol_blank_lines", "web_visits", csv(
        "web_visits", web("e1"), "", "   ", web("e2"), "", "") + b"\n\n",
        values={2: {"event_id": "e1"}, 5: {"event_id": "e2"}}),
    # A blank line before the header: the first non-blank line is the header.
    case("eol_blank_line_first", "web_visits", b"\n" + csv("web_visits", web("e1")),
         values={3: {"event_id": "e1"}}),
]

CSV_CASES = [
    # An unbalanced quote mid-file loses at most its own record; the following records are
    # recovered or each quarantined.
    case("csv_unbalanced_quote", "web_visits", csv(
        "web_visits", web("e1"), web("e2", page='"/open?x=1'), web("e3"), web("e4"), web("e5")),
        rejected={3: reject(None, *QUOTE)}, may_reject=frozenset({4, 5, 6})),
    # An unbalanced quote in the last record.
    case("csv_unbalanced_quote_last", "web_visits", csv(
        "web_visits", web("e1"), web("e2"), web("e3", page='"/open')),
        rejected={4: reject(None, *QUOTE)}),
    # A stray quote inside an unquoted field: loaded as text or rejected, never lost.
    case("csv_stray_quote", "web_visits", csv("web_visits", web("e1"), web("e2", page='/a"b'), web("e3")),
         may_reject=frozenset({3})),
    # A record with one field too many.
    case("csv_too_many_fields", "web_visits", csv("web_visits", web("e1"), web("e2") + ",extra"),
         rejected={3: reject(None, *FIELDS)}),
    # A record with fields missing.
    case("csv_too_few_fields", "web_visits", csv("web_visits", web("e1"), "e2,v1,2026-02-02T10:00:00"),
         rejected={3: reject(None, *FIELDS)}),
    # A record of empty fields only.
    case("csv_only_commas", "web_visits", csv("web_visits", web("e1"), ",,,,,,"),
         rejected={3: reject("event_id", "missing key", "empty")}),
    # Two columns of the same name: the file is refused naming the column, never a silent pick.
    case("csv_duplicate_header", "web_visits", lines(
        HEADERS["web_visits"] + ",page_url", web("e1") + ",/other"),
        outcomes=either(UNREADABLE), refusal=said("page_url", any_of=DUPLICATE_NAME)),
    # The same with a quoted header (quoting used to decide which column was kept).
    case("csv_duplicate_header_quoted", "web_visits", lines(
        QUOTED_WEB_HEADER + ',"visitor_id"', '"e1","v1","2026-02-02T10:00:00","page_view","/a","","","v2"'),
        outcomes=either(UNREADABLE), refusal=said("visitor_id", any_of=DUPLICATE_NAME)),
    # A header and no records: nothing loaded, said so.
    case("csv_header_only", "web_visits", csv("web_visits"),
         said=(said(any_of=("no rows", "no records", "empty")),)),
    # A file of zero bytes.
    case("csv_empty_file", "web_visits", b"", said=(said(any_of=("no rows", "no records", "empty")),)),
    # A 200 KiB field in a quoted file loads, or is quarantined with its raw record.
    case("csv_big_quoted_field", "web_visits", csv("web_visits", web("e1"), web("e2", page=f'"/{BIG}"')),
         may_reject=frozenset({3}), values={3: {"page_url": f"/{BIG}"}}),
    # A 200 KiB field in a file without quotes.
    case("csv_big_plain_field", "web_visits", csv("web_visits", web("e1"), web("e2", page=f"/{BIG}")),
         may_reject=frozenset({3}), values={3: {"page_url": f"/{BIG}"}}),
    # A quoted field holding line breaks is one record spanning three lines.
    case("csv_embedded_newline", "contacts", csv(
        "contacts", contact("c1", first_name='"Ann\nMarie\r\nLou"'), contact("c2")), spans=2,
        values={2: {"first_name": "Ann\nMarie\r\nLou"}, 5: {"contact_id": "c2"}}),
    # Escaped quotes inside a quoted field.
    case("csv_escaped_quotes", "contacts", csv("contacts", contact("c1", first_name='"Ann ""the"" Best"')),
         values={2: {"first_name": 'Ann "the" Best'}}),
    # A required column missing from the file: every row rejected naming it.
    case("csv_missing_required_column", "web_visits", lines(
        "event_id,occurred_at,event_type,page_url", "e1,2026-02-02T10:00:00,page_view,/a",
        "e2,2026-02-02T10:00:00,page_view,/a"),
        rejected={n: reject("visitor_id", "missing", "required") for n in (2, 3)}),
    # A column the contract does not know is ignored with a message naming it.
    case("csv_extra_column", "web_visits", lines(
        HEADERS["web_visits"] + ",favourite_colour", web("e1") + ",blue"),
        said=(said("favourite_colour"),)),
    # A semicolon-separated export: whatever ingestion makes of it, no row is lost.
    case("csv_semicolons", "web_visits", lines(
        HEADERS["web_visits"].replace(",", ";"), web("e1").replace(",", ";"), web("e2").replace(",", ";")),
        may_reject=frozenset({2, 3})),
    # A NUL byte inside a value.
    case("csv_nul_byte", "web_visits", csv("web_visits", web("e1"), web("e2", page="/a\x00b"), web("e3")),
         may_reject=frozenset({3})),
]
