"""Corpus cases about mappings, the inbox itself, keys and repeats."""

from __future__ import annotations

from datetime import datetime

from .case import IGNORED, LOADED, UNREADABLE, reject, said
from .files import AT, case, contact, csv, either, lines, web

HUBSPOT_HEADER = "Record ID,Created,Email"
HUBSPOT_ROWS = ("101,2026-02-02 10:00:00,a@x.com", "102,2026-02-02 11:00:00,b@x.com")
TWO_VERSIONS = ("version", "twice", "more than once", "conflict", "duplicate")
CONTRACT_NAMED_CONTACTS = csv("contacts", contact("c1"), contact("c2"))


def hubspot_mapping(name: str, columns: str = '{contact_id: "Record ID", created_at: "Created"}',
                    extra: str = "") -> str:
    return f'source: contacts\nfiles: "{name}.csv"\ncolumns: {columns}\n{extra}'


MAPPING_CASES = [
    # A mapping that is not valid YAML: named with its line, and only its source is affected
    # (the file it meant may wait for a fixed mapping). Left out of the nights: it stays broken.
    case("map_invalid_yaml", "contacts", CONTRACT_NAMED_CONTACTS,
         mapping='source: contacts\nfiles: "map_invalid_yaml.csv"\ncolumns:\n  contact_id: [unclosed\n',
         outcomes=either(LOADED, IGNORED), nightly=False,
         said=(said("line ", any_of=("yaml",), of_mapping=True),)),
    # A mapping with a misspelt key.
    case("map_unknown_key", "contacts", CONTRACT_NAMED_CONTACTS,
         mapping='source: contacts\nfiles: "map_unknown_key.csv"\ncolums: {contact_id: id}\n',
         outcomes=either(LOADED, IGNORED), nightly=False,
         said=(said("colums", of_mapping=True),)),
    # A mapping naming a contract column that does not exist.
    case("map_unknown_contract_column", "contacts", CONTRACT_NAMED_CONTACTS,
         mapping=hubspot_mapping("map_unknown_contract_column", '{contact_key: "Record ID"}'),
         outcomes=either(LOADED, IGNORED), nightly=False,
         said=(said("contact_key", of_mapping=True),)),
    # A mapping for a source that does not exist.
    case("map_unknown_source", "contacts", CONTRACT_NAMED_CONTACTS,
         mapping='source: leads\nfiles: "map_unknown_source.csv"\ncolumns: {contact_id: id}\n',
         outcomes=either(LOADED, IGNORED), nightly=False,
         said=(said("leads", of_mapping=True),)),
    # A mapping naming a file column the file lacks: named, and the rows rejected for the
    # required column it should have filled.
    case("map_column_not_in_file", "contacts", lines(HUBSPOT_HEADER, *HUBSPOT_ROWS),
         mapping=hubspot_mapping("map_column_not_in_file", '{contact_id: "Record ID", created_at: "Create Date"}'),
         rejected={2: reject("created_at", "missing", "required"), 3: reject("created_at", "missing", "required")},
         said=(said("Create Date"),)),
    # A mapping's timestamp format: values in it load, ISO values that do not match are rejected.
    case("map_timestamp_format", "contacts", lines(
        HUBSPOT_HEADER, "101,03/02/2026 10:00,a@x.com", f"102,{AT},b@x.com"),
        mapping=hubspot_mapping("map_timestamp_format", extra='timestamp_format: "%d/%m/%Y %H:%M"\n'),
        rejected={3: reject("created_at", "format")},
        values={2: {"contact_id": "101", "created_at": datetime(2026, 2, 3, 10)}}),
]

INBOX_CASES = [
    # A folder that is no source (a typo): its file is named, not silently skipped.
    case("inbox_unknown_folder", "webvisits", csv("web_visits", web("e1")), outcomes=either(IGNORED),
         refusal=said(any_of=("unknown", "not a source", "no source", "folder"))),
    # A symbolic link to a file that is gone.
    case("inbox_dangling_link", "web_visits", None, outcomes=either(IGNORED),
         refusal=said(any_of=("link", "missing", "not found", "does not exist", "no such"))),
    # A file type ingestion does not read.
    case("inbox_unknown_extension", "web_visits", b"PK\x03\x04 not really a workbook", ext="xlsx",
         outcomes=either(UNREADABLE, IGNORED), refusal=said(any_of=("file type", "extension", ".xlsx"))),
]

KEY_CASES = [
    # Two versions of one key in one batch: both kept (the later line wins downstream), a
    # warning names the key; never a block.
    case("key_two_versions", "web_visits", csv("web_visits", web("e1", page="/a"), web("e1", page="/b")),
         values={2: {"page_url": "/a"}, 3: {"page_url": "/b"}}, said=(said("e1", any_of=TWO_VERSIONS),)),
    # Two versions of a contact with the same updated_at.
    case("key_two_versions_same_update", "contacts", csv(
        "contacts", contact("c1", updated=AT, email="a@x.com"), contact("c1", updated=AT, email="b@x.com")),
        said=(said("c1", any_of=TWO_VERSIONS),)),
    # Keys with surrounding whitespace are trimmed; a key of blanks is a missing key.
    case("key_whitespace", "web_visits", csv("web_visits", web(" e1 "), web("\te2"), web('"   "')),
         values={2: {"event_id": "e1"}, 3: {"event_id": "e2"}},
         rejected={4: reject("event_id", "missing key", "empty")}),
    # The same row three times: one loaded, two exact repeats.
    case("rows_exact_repeats", "web_visits", csv("web_visits", web("e1"), web("e1"), web("e1"), web("e2")),
         repeats=2),
    # Rows equal once trimmed and lower-cased (emails) are exact repeats too.
    case("rows_repeat_after_normalising", "web_visits", csv(
        "web_visits", web("e1", email="Jane@X.com"), web("e1 ", email=" jane@x.com ")), repeats=1),
]
