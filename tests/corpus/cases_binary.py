"""Corpus cases about archives, Parquet types and NDJSON shapes."""

from __future__ import annotations

import random
from decimal import Decimal

import pyarrow as pa

from .case import DUPLICATE_NAME, LOADED, UNREADABLE, reject, said
from .files import AT, case, csv, either, gz, ndjson, parquet, parquet_with_names, web

CORRUPT = ("truncated", "ended", "corrupt", "incomplete", "end-of-stream", "end of stream")
NOT_PARQUET = ("parquet",)
NOT_JSON = ("json",)
NOT_SCALAR = ("object", "array", "list", "nested", "scalar", "not a single value")
EMPTY = ("empty", "missing", "required")
NO_ROWS = said(any_of=("no rows", "no records", "empty"))
WEB_COLUMNS = {"event_id": ["e1", "e2"], "visitor_id": ["v1", "v1"], "occurred_at": [AT, AT],
               "event_type": ["page_view", "page_view"], "page_url": ["/a", "/b"]}
CONTACT_COLUMNS = {"contact_id": ["c1", "c2"], "created_at": [AT, AT]}
_GOOD_GZ = gz(csv("web_visits", *(web(f"e{n}") for n in range(1, 40))))


def web_json(event_id: object = "e1", **fields: object) -> dict:
    return {"event_id": event_id, "visitor_id": "v1", "occurred_at": AT, "event_type": "page_view",
            "page_url": "/a", **fields}


ARCHIVE_CASES = [
    # A gzip file cut short: the whole file is refused, named with the reason.
    case("gz_truncated", "web_visits", _GOOD_GZ[: len(_GOOD_GZ) // 2], ext="csv.gz",
         outcomes=either(UNREADABLE), refusal=said(any_of=CORRUPT)),
    # A valid gzip member holding random bytes, not a table.
    case("gz_of_garbage", "web_visits", gz(random.Random(14).randbytes(4096)), ext="csv.gz",
         outcomes=either(UNREADABLE), refusal=said(any_of=("utf-8", "text", "binary", "header"))),
    # A '.gz' name on a file that is not gzip: refused saying so (or read as the CSV it is).
    case("gz_not_gzip", "web_visits", csv("web_visits", web("e1")), ext="csv.gz",
         outcomes=either(UNREADABLE, LOADED), refusal=said(any_of=("gzip", "gzipped"))),
    # Two gzip members one after the other (what `cat a.gz b.gz` makes): both are read.
    case("gz_two_members", "web_visits", gz(csv("web_visits", web("e1"))) + gz(
        (web("e2") + "\n").encode()), ext="csv.gz", values={3: {"event_id": "e2"}}),
    # A gzip of nothing.
    case("gz_of_nothing", "web_visits", gz(b""), ext="csv.gz", said=(NO_ROWS,)),
    # A broken line inside a gzipped NDJSON file.
    case("gz_ndjson_broken_line", "web_visits", gz(ndjson(web_json("e1"), '{"event_id": "e2",', web_json("e3"))),
         ext="ndjson.gz", rejected={2: reject(None, *NOT_JSON)}),
]

PARQUET_CASES = [
    # The first bytes of a Parquet file only.
    case("pq_corrupt", "web_visits", parquet(WEB_COLUMNS)[:100], ext="parquet",
         outcomes=either(UNREADABLE), refusal=said(any_of=NOT_PARQUET)),
    # CSV text under a Parquet name.
    case("pq_not_parquet", "web_visits", csv("web_visits", web("e1")), ext="parquet",
         outcomes=either(UNREADABLE), refusal=said(any_of=NOT_PARQUET)),
    # A list column for a scalar contract column: its rows (or the file) quarantined naming it.
    case("pq_list_column", "web_visits", parquet({**WEB_COLUMNS, "utm_source": [["google"], ["a", "b"]]}),
         ext="parquet", outcomes=either(LOADED, UNREADABLE), refusal=said("utm_source"),
         rejected={1: reject("utm_source", *NOT_SCALAR), 2: reject("utm_source", *NOT_SCALAR)}),
    # A struct column for a scalar contract column.
    case("pq_struct_column", "contacts", parquet({**CONTACT_COLUMNS, "email": [
        {"address": "a@x.com"}, {"address": "b@x.com"}]}), ext="parquet",
         outcomes=either(LOADED, UNREADABLE), refusal=said("email"),
         rejected={1: reject("email", *NOT_SCALAR), 2: reject("email", *NOT_SCALAR)}),
    # A binary column holding bytes that are not UTF-8 text.
    case("pq_binary_not_utf8", "contacts", parquet({**CONTACT_COLUMNS, "first_name": pa.array(
        [b"Ann", b"Jos\xe9"], pa.binary())}), ext="parquet",
         outcomes=either(LOADED, UNREADABLE), refusal=said("first_name"),
         rejected={2: reject("first_name", "utf-8", "binary", "text")}, may_reject=frozenset({1})),
    # A nested column the contract does not use is ignored; the rows load.
    case("pq_unused_nested_column", "web_visits", parquet({**WEB_COLUMNS, "tags": [["x"], []]}),
         ext="parquet", said=(said("tags"),)),
    # Float ids (what pandas writes for an id column with gaps) load without '.0'.
    case("pq_float_ids", "contacts", parquet({
        "contact_id": pa.array([71200502.0, 3.0], pa.float64()), "created_at": [AT, AT],
        "owner_id": pa.array([123456789.0, None], pa.float64())}), ext="parquet",
        values={1: {"contact_id": "71200502", "owner_id": "123456789"}, 2: {"contact_id": "3"}}),
    # Integer ids load as their digits.
    case("pq_integer_ids", "web_visits", parquet({**WEB_COLUMNS, "event_id": pa.array([1, 2], pa.int64())}),
         ext="parquet", values={1: {"event_id": "1"}, 2: {"event_id": "2"}}),
    # A column of Parquet type null (every value missing) in an optional column.
    case("pq_null_typed_column", "web_visits", parquet({**WEB_COLUMNS, "email": pa.nulls(2)}),
         ext="parquet", values={1: {"email": None}}),
    # A decimal amount.
    case("pq_decimal_amount", "opportunities", parquet({
        "opportunity_id": ["o1"], "contact_id": ["c1"], "created_at": [AT], "stage": ["proposal"],
        "amount": pa.array([Decimal("1234.50")], pa.decimal128(12, 2))}),
         ext="parquet", values={1: {"amount": 1234.5}}),
    # Two columns of one name in a Parquet file: refused naming the column.
    case("pq_duplicate_columns", "web_visits", parquet_with_names(
        [*WEB_COLUMNS, "page_url"], [pa.array(v) for v in WEB_COLUMNS.values()] + [pa.array(["/x", "/y"])]),
        ext="parquet", outcomes=either(UNREADABLE), refusal=said("page_url", any_of=DUPLICATE_NAME)),
    # A Parquet file with the contract's columns and no rows.
    case("pq_no_rows", "web_visits", parquet({k: pa.array([], pa.string()) for k in WEB_COLUMNS}),
         ext="parquet", said=(NO_ROWS,)),
]

NDJSON_CASES = [
    # A line that is not valid JSON; the lines around it load.
    case("nd_broken_line", "web_visits", ndjson(web_json("e1"), '{"event_id": "e2", "visitor_id"', web_json("e3")),
         ext="ndjson", rejected={2: reject(None, *NOT_JSON)}),
    # A JSON array where an object belongs.
    case("nd_array_line", "web_visits", ndjson(web_json("e1"), '["e2", "v1"]'), ext="ndjson",
         rejected={2: reject(None, "object")}),
    # An object as the key.
    case("nd_object_key", "web_visits", ndjson(web_json("e1"), web_json({"id": "e2"})), ext="ndjson",
         rejected={2: reject("event_id", *NOT_SCALAR)}),
    # Numbers as keys load as their digits, an integral float without '.0'.
    case("nd_number_key", "web_visits", ndjson(web_json(123), web_json(71200502.0)), ext="ndjson",
         values={1: {"event_id": "123"}, 2: {"event_id": "71200502"}}),
    # A nested object for a scalar column.
    case("nd_nested_scalar", "web_visits", ndjson(web_json("e1"), web_json("e2", utm_source={"name": "g"})),
         ext="ndjson", rejected={2: reject("utm_source", *NOT_SCALAR)}),
    # An array for a scalar column.
    case("nd_array_scalar", "web_visits", ndjson(web_json("e1"), web_json("e2", page_url=["/a", "/b"])),
         ext="ndjson", rejected={2: reject("page_url", *NOT_SCALAR)}),
    # JSON null in a required field.
    case("nd_null_required", "web_visits", ndjson(web_json("e1"), web_json("e2", visitor_id=None)),
         ext="ndjson", rejected={2: reject("visitor_id", *EMPTY)}),
    # A pretty-printed JSON document: each line quarantined (or the file refused), none lost.
    case("nd_pretty_printed", "web_visits", b'{\n  "event_id": "e1",\n  "visitor_id": "v1"\n}\n',
         ext="ndjson", outcomes=either(LOADED, UNREADABLE), refusal=said(any_of=NOT_JSON),
         rejected={n: reject(None, *NOT_JSON) for n in (1, 2, 3, 4)}),
    # Windows line ends in NDJSON.
    case("nd_crlf", "web_visits", ndjson(web_json("e1"), web_json("e2")).replace(b"\n", b"\r\n"),
         ext="ndjson", values={2: {"page_url": "/a"}}),
]
