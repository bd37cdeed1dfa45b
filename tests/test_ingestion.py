"""Ingestion on small hand-written files whose right answer is known."""

import gzip
import json
from datetime import datetime
from pathlib import Path

import duckdb
import polars as pl
import pytest

from pipelines.ingestion.ingest import ingest_inbox, ingest_source
from pipelines.ingestion.mapping import MappingError, load_mapping, load_mappings

WEB_HEADER = "event_id,visitor_id,occurred_at,event_type,page_url,email,time_on_page_s"


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(gzip.compress(content, mtime=0) if path.suffix == ".gz" else content)
    return path


@pytest.fixture
def data_dir(tmp_path):
    (tmp_path / "inbox").mkdir()
    return tmp_path


@pytest.fixture
def con(data_dir):
    connection = duckdb.connect(str(data_dir / "warehouse.duckdb"))
    yield connection
    connection.close()


@pytest.fixture
def hashed(monkeypatch) -> list[str]:
    """The names of the files ingestion hashes (clear it to start counting)."""
    from pipelines.ingestion import ingest as ingest_module

    names: list[str] = []
    real_sha256 = ingest_module.file_sha256
    monkeypatch.setattr(ingest_module, "file_sha256",
                        lambda path: names.append(path.name) or real_sha256(path))
    return names


def ingest(con, data_dir, source="web_visits"):
    mappings = load_mappings(data_dir / "mappings")
    return ingest_source(con, source, data_dir / "inbox", mappings)


def rows(con, sql):
    return con.execute(sql).fetchall()


def test_each_malformed_row_kind_is_rejected_with_line_field_and_reason(con, data_dir):
    write(data_dir / "inbox/web_visits/day1.csv", "\n".join([
        WEB_HEADER,
        "e1,v1,2026-01-05T10:00:00,page_view,/a,,12",
        "e2,v1,2026-13-45T99:00,page_view,/a,,",        # bad timestamp
        ",v1,2026-01-05T10:01:00,page_view,/a,,",        # missing key
        "e4,v1,2026-01-05T10:02:00,page_view,/a,,n/a",   # wrong type
        "e5,v1,2026-01-05T10:03:00,page_view",           # too few fields
        "e6,,2026-01-05T10:04:00,page_view,/a,,",        # required field empty
        "",
    ]))
    result = ingest(con, data_dir)
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (6, 1, 5)
    rejected = rows(con, "SELECT line_number, field, reason FROM raw.web_visits_rejected ORDER BY 1")
    assert [(r[0], r[1]) for r in rejected] == [
        (3, "occurred_at"), (4, "event_id"), (5, "time_on_page_s"), (6, None), (7, "visitor_id")]
    assert "2026-13-45T99:00" in rejected[0][2]
    assert "missing key" in rejected[1][2]
    assert "'n/a'" in rejected[2][2]
    assert "expected 7 fields, found 4" in rejected[3][2]
    messages = [str(p) for p in result.problems]
    assert "web_visits/day1.csv, line 3, field 'occurred_at': row rejected: " \
           "occurred_at: not an ISO 8601 timestamp: '2026-13-45T99:00'" in messages
    raw_record = rows(con, "SELECT raw_record FROM raw.web_visits_rejected WHERE line_number = 5")[0][0]
    assert json.loads(raw_record)["time_on_page_s"] == "n/a"


def test_timestamps_become_utc_and_emails_are_normalised(con, data_dir):
    write(data_dir / "inbox/web_visits/day1.csv", "\n".join([
        WEB_HEADER,
        "e1,v1,2026-01-05T10:00:00+02:00,page_view,/a, Jane.Doe@Example.COM ,",
        "e2,v1,2026-01-05T10:00:00Z,page_view,/a,,",
        "e3,v1,2026-01-05 10:00:00,page_view,/a,,",
        "e4,v1,2026-01-05T10:00:00-05:00,page_view,/a,,",
        "e5,v1,2026-01-05 10:00:00.250 UTC,page_view,/a,,",  # BigQuery's CSV spelling
    ]))
    ingest(con, data_dir)
    got = dict(rows(con, "SELECT event_id, occurred_at FROM raw.web_visits"))
    assert got == {"e1": datetime(2026, 1, 5, 8), "e2": datetime(2026, 1, 5, 10),
                   "e3": datetime(2026, 1, 5, 10), "e4": datetime(2026, 1, 5, 15),
                   "e5": datetime(2026, 1, 5, 10, 0, 0, 250000)}
    assert rows(con, "SELECT email FROM raw.web_visits WHERE event_id = 'e1'") == [("jane.doe@example.com",)]


def test_unknown_category_value_is_loaded_and_reported(con, data_dir):
    write(data_dir / "inbox/web_visits/day1.csv",
          f"{WEB_HEADER}\ne1,v1,2026-01-05T10:00:00,webinar_join,/a,,\n")
    result = ingest(con, data_dir)
    assert result.rows_loaded == 1
    assert result.unknown_values == {"event_type": {"webinar_join": 1}}
    assert any("unknown value 'webinar_join'" in str(p) for p in result.problems)


def test_unknown_column_is_ignored_with_a_message(con, data_dir):
    write(data_dir / "inbox/web_visits/day1.csv",
          f"{WEB_HEADER},favourite_colour\ne1,v1,2026-01-05T10:00:00,page_view,/a,,,blue\n")
    result = ingest(con, data_dir)
    assert result.rows_loaded == 1
    assert any(p.field == "favourite_colour" and "not in the web_visits contract" in p.message
               for p in result.problems)


def test_missing_required_column_quarantines_every_row(con, data_dir):
    write(data_dir / "inbox/web_visits/day1.csv",
          "event_id,visitor_id,event_type,page_url\ne1,v1,page_view,/a\ne2,v1,page_view,/b\n")
    result = ingest(con, data_dir)
    assert (result.rows_loaded, result.rows_rejected) == (0, 2)
    reasons = rows(con, "SELECT DISTINCT field, reason FROM raw.web_visits_rejected")
    assert reasons == [("occurred_at", "occurred_at: required column 'occurred_at' is missing from the file")]


def test_empty_and_header_only_files_load_nothing_and_are_recorded(con, data_dir):
    write(data_dir / "inbox/web_visits/empty.csv", "")
    write(data_dir / "inbox/web_visits/header_only.csv", WEB_HEADER + "\n")
    result = ingest(con, data_dir)
    assert (result.files_ingested, result.rows_read, result.rows_loaded) == (2, 0, 0)
    ledger = rows(con, "SELECT file_path, status, rows_read FROM raw._ingested_files ORDER BY 1")
    assert ledger == [("web_visits/empty.csv", "loaded", 0), ("web_visits/header_only.csv", "loaded", 0)]


def test_non_utf8_rows_are_rejected_and_the_rest_loaded(con, data_dir):
    content = (f"{WEB_HEADER}\ne1,v1,2026-01-05T10:00:00,page_view,/caf\xe9,,\n"
               f"e2,v1,2026-01-05T10:00:00,page_view,/ok,,\n").encode("latin-1")
    write(data_dir / "inbox/web_visits/latin1.csv", content)
    result = ingest(con, data_dir)
    assert (result.rows_loaded, result.rows_rejected) == (1, 1)
    assert rows(con, "SELECT line_number, field FROM raw.web_visits_rejected") == [(2, "page_url")]
    assert "UTF-8" in rows(con, "SELECT reason FROM raw.web_visits_rejected")[0][0]


def test_unreadable_file_is_named_recorded_and_the_run_continues(con, data_dir):
    write(data_dir / "inbox/web_visits/broken.csv.gz", b"")  # placeholder, replaced below
    (data_dir / "inbox/web_visits/broken.csv.gz").write_bytes(b"this is not gzip")
    write(data_dir / "inbox/web_visits/good.csv", f"{WEB_HEADER}\ne1,v1,2026-01-05T10:00:00,page_view,/a,,\n")
    result = ingest(con, data_dir)
    assert result.rows_loaded == 1
    errors = [p for p in result.problems if p.severity == "error"]
    assert len(errors) == 1 and errors[0].file == "web_visits/broken.csv.gz"
    assert "could not be read" in errors[0].message
    assert rows(con, "SELECT source_file, line_number FROM raw.web_visits_rejected") == \
        [("web_visits/broken.csv.gz", None)]
    assert rows(con, "SELECT status FROM raw._ingested_files WHERE file_path LIKE '%broken%'") == \
        [("unreadable",)]


def test_ndjson_with_mixed_types_and_a_broken_line(con, data_dir):
    lines = [
        {"event_id": "e1", "visitor_id": "v1", "occurred_at": "2026-01-05T10:00:00Z",
         "event_type": "page_view", "page_url": "/a", "time_on_page_s": 3},
        {"event_id": 2, "visitor_id": "v1", "occurred_at": "2026-01-05T10:00:00Z",
         "event_type": "page_view", "page_url": "/a", "time_on_page_s": "4.5"},
    ]
    text = "\n".join(json.dumps(x) for x in lines) + "\n{not json\n"
    write(data_dir / "inbox/web_visits/day1.ndjson.gz", text)
    result = ingest(con, data_dir)
    assert (result.rows_loaded, result.rows_rejected) == (2, 1)
    assert rows(con, "SELECT event_id, time_on_page_s FROM raw.web_visits ORDER BY 1") == \
        [("2", 4.5), ("e1", 3.0)]
    assert rows(con, "SELECT line_number FROM raw.web_visits_rejected") == [(3,)]


def test_parquet_with_zoned_timestamps(con, data_dir):
    frame = pl.DataFrame({
        "event_id": ["e1"], "visitor_id": ["v1"],
        "occurred_at": [datetime(2026, 1, 5, 12)], "event_type": ["page_view"], "page_url": ["/a"],
    }).with_columns(pl.col("occurred_at").dt.replace_time_zone("Europe/Paris"))
    path = data_dir / "inbox/web_visits/day1.parquet"
    path.parent.mkdir(parents=True)
    frame.write_parquet(path)
    ingest(con, data_dir)
    assert rows(con, "SELECT occurred_at FROM raw.web_visits") == [(datetime(2026, 1, 5, 11),)]


def test_exact_repeats_are_dropped_and_new_versions_kept(con, data_dir):
    header = "contact_id,created_at,email,updated_at"
    write(data_dir / "inbox/contacts/day1.csv",
          f"{header}\nc1,2026-01-05,a@x.io,2026-01-05\nc1,2026-01-05,a@x.io,2026-01-05\n")
    write(data_dir / "inbox/contacts/day2.csv",
          f"{header}\nc1,2026-01-05, A@X.IO ,2026-01-05\nc1,2026-01-05,a@x.io,2026-01-06\n")
    result = ingest(con, data_dir, "contacts")
    # Row 2 repeats row 1; day2 line 2 equals the first version after normalisation.
    assert (result.rows_read, result.rows_loaded, result.rows_repeated) == (4, 2, 2)
    assert result.is_balanced
    assert rows(con, "SELECT count(DISTINCT updated_at) FROM raw.contacts") == [(2,)]


def test_second_run_ingests_nothing_and_changes_nothing(con, data_dir):
    write(data_dir / "inbox/web_visits/day1.csv", f"{WEB_HEADER}\ne1,v1,2026-01-05T10:00:00,page_view,/a,,\n")
    write(data_dir / "inbox/web_visits/bad.csv", f"{WEB_HEADER}\ne2,v1,nope,page_view,/a,,\n")
    ingest(con, data_dir)
    snapshot = {t: rows(con, f"SELECT * FROM raw.{t} ORDER BY ALL")
                for t in ("web_visits", "web_visits_rejected", "_ingested_files")}
    again = ingest(con, data_dir)
    assert (again.files_ingested, again.rows_read) == (0, 0)
    assert snapshot == {t: rows(con, f"SELECT * FROM raw.{t} ORDER BY ALL") for t in snapshot}


def test_files_already_ingested_are_not_read_again(con, data_dir, hashed):
    """A file at the same path with the same size and modification time is known from the
    ledger without hashing it again (the inbox keeps every file ever received); a file
    rewritten in place is hashed and ingested."""
    import os

    day1 = write(data_dir / "inbox/web_visits/day1.csv",
                 f"{WEB_HEADER}\ne1,v1,2026-01-05T10:00:00,page_view,/a,,\n")
    ingest(con, data_dir)
    hashed.clear()
    write(data_dir / "inbox/web_visits/day2.csv", f"{WEB_HEADER}\ne2,v1,2026-01-06T10:00:00,page_view,/b,,\n")
    second = ingest(con, data_dir)
    assert hashed == ["day2.csv"]
    assert (second.files_ingested, second.rows_loaded) == (1, 1)

    hashed.clear()
    write(day1, f"{WEB_HEADER}\ne3,v1,2026-01-05T10:00:00,page_view,/c,,\n")  # same size
    os.utime(day1, ns=(day1.stat().st_atime_ns, day1.stat().st_mtime_ns + 1_000_000_000))
    third = ingest(con, data_dir)
    assert hashed == ["day1.csv"]
    assert (third.files_ingested, third.rows_loaded) == (1, 1)
    assert rows(con, "SELECT event_id FROM raw.web_visits ORDER BY 1") == [("e1",), ("e2",), ("e3",)]


def test_a_ledger_from_before_file_times_is_upgraded(con, data_dir):
    con.execute("CREATE SCHEMA raw")
    con.execute("CREATE TABLE raw._ingested_files (file_hash VARCHAR PRIMARY KEY, source VARCHAR, "
                "file_path VARCHAR, file_format VARCHAR, file_bytes BIGINT, mapping_file VARCHAR, "
                "status VARCHAR, message VARCHAR, rows_read BIGINT, rows_loaded BIGINT, "
                "rows_rejected BIGINT, rows_repeated BIGINT, run_id VARCHAR, ingested_at TIMESTAMP)")
    write(data_dir / "inbox/web_visits/day1.csv", f"{WEB_HEADER}\ne1,v1,2026-01-05T10:00:00,page_view,/a,,\n")
    result = ingest(con, data_dir)
    assert (result.files_ingested, result.rows_loaded) == (1, 1)
    assert rows(con, "SELECT file_path, file_mtime_ns IS NOT NULL FROM raw._ingested_files") == [
        ("web_visits/day1.csv", True)]


def test_files_ingested_before_the_ledger_kept_times_are_hashed_once_more(con, data_dir, hashed):
    write(data_dir / "inbox/web_visits/day1.csv", f"{WEB_HEADER}\ne1,v1,2026-01-05T10:00:00,page_view,/a,,\n")
    ingest(con, data_dir)
    con.execute("UPDATE raw._ingested_files SET file_mtime_ns = NULL")  # as an upgraded ledger
    hashed.clear()
    for _ in range(2):
        again = ingest(con, data_dir)
        assert (again.files_ingested, again.rows_read) == (0, 0)
    assert hashed == ["day1.csv"]


def test_same_content_under_a_new_name_is_ingested_once(con, data_dir):
    content = f"{WEB_HEADER}\ne1,v1,2026-01-05T10:00:00,page_view,/a,,\n"
    write(data_dir / "inbox/web_visits/a.csv", content)
    write(data_dir / "inbox/web_visits/copy_of_a.csv", content)
    result = ingest(con, data_dir)
    assert (result.files_ingested, result.rows_loaded) == (1, 1)


MAPPING = """
source: contacts
files: "crm_export_*.csv"
columns:
  contact_id: "Record ID"
  created_at: "Create Date"
  updated_at: "Create Date"
  email: "Email"
  lifecycle_stage: "Lifecycle Stage"
values:
  lifecycle_stage: {marketingqualifiedlead: mql, salesqualifiedlead: sql}
timestamp_format: "%d/%m/%Y %H:%M"
constants:
  original_source: OFFLINE
"""


def test_mapping_renames_maps_values_parses_format_and_adds_constants(con, data_dir):
    write(data_dir / "mappings/crm.yml", MAPPING)
    write(data_dir / "inbox/contacts/crm_export_1.csv", "\n".join([
        "Record ID,Create Date,Email,Lifecycle Stage,Notes",
        "101,05/01/2026 09:30,Jane@X.io,marketingqualifiedlead,call back",
        "102,06/01/2026 10:00,bob@x.io,customer,",
        "103,2026-01-06T10:00:00,c@x.io,lead,",
    ]))
    result = ingest(con, data_dir, "contacts")
    got = rows(con, "SELECT contact_id, created_at, updated_at, email, lifecycle_stage, original_source "
                    "FROM raw.contacts ORDER BY 1")
    assert got == [
        ("101", datetime(2026, 1, 5, 9, 30), datetime(2026, 1, 5, 9, 30), "jane@x.io", "mql", "OFFLINE"),
        ("102", datetime(2026, 1, 6, 10), datetime(2026, 1, 6, 10), "bob@x.io", "customer", "OFFLINE"),
    ]
    # The mapping's format is the contract for this file: an ISO date is a rejected row here.
    assert rows(con, "SELECT line_number, field FROM raw.contacts_rejected") == [(4, "created_at")]
    assert not any(p.field == "Notes" for p in result.problems), "unmapped columns are ignored silently"


def test_files_the_mapping_does_not_match_use_contract_names(con, data_dir):
    write(data_dir / "mappings/crm.yml", MAPPING)
    write(data_dir / "inbox/contacts/contacts_day1.csv", "contact_id,created_at\nc9,2026-01-05\n")
    ingest(con, data_dir, "contacts")
    assert rows(con, "SELECT contact_id FROM raw.contacts") == [("c9",)]


@pytest.mark.parametrize("text, message", [
    ("source: leads\nfiles: '*'\ncolumns: {}", "source 'leads' is not one of"),
    ("source: contacts\nfiles: '*'\ncolumns: {shoe_size: X}", "'shoe_size' is not a column"),
    ("source: contacts\ncolumns: {}", "missing key 'files'"),
    ("source: contacts\nfiles: '*'\ncolumns: {}\ncolour: red", "unknown key"),
])
def test_invalid_mapping_names_the_file_and_the_problem(tmp_path, text, message):
    path = write(tmp_path / "bad.yml", text)
    with pytest.raises(MappingError, match=message) as info:
        load_mapping(path)
    assert str(path) in str(info.value)


def test_ingest_inbox_covers_every_source(con, data_dir):
    write(data_dir / "inbox/sales_interactions/s.csv",
          "interaction_id,contact_id,occurred_at,interaction_type\ni1,c1,2026-01-05,call\n")
    results = ingest_inbox(con, data_dir / "inbox", [])
    assert set(results) == {"web_visits", "contacts", "opportunities", "sales_interactions",
                            "marketing_spend", "associations"}
    assert results["sales_interactions"].rows_loaded == 1


def test_marketing_spend_is_ingested_like_the_others(con, data_dir):
    write(data_dir / "inbox/marketing_spend/2026-01.csv",
          "spend_date,channel,campaign,amount\n2026-01-05,paid_search,brand,120.5\n"
          "2026-01-05,paid_search,brand,120.5\n2026-01-05,tv,launch,900\n2026-01-06,email,,abc\n")
    result = ingest(con, data_dir, "marketing_spend")
    assert (result.rows_read, result.rows_loaded, result.rows_repeated, result.rows_rejected) == (4, 2, 1, 1)
    assert result.unknown_values == {"channel": {"tv": 1}}


def test_associations_load_and_a_type_outside_the_set_is_rejected_at_the_door(con, data_dir):
    write(data_dir / "inbox/associations/deal_contacts.csv", "\n".join([
        "from_type,from_id,to_type,to_id,role,is_primary,created_at",
        "opportunity,o1,contact,c1,decision_maker,true,2026-01-05T10:00:00",
        "opportunity,o1,contact,c2,,false,2026-01-05T11:00:00",
        "opportunity,o1,contact,c1,decision_maker,true,2026-01-05T10:00:00",  # exact repeat
        "opportunity,o1,contact,c1,champion,true,2026-01-05T10:00:00",  # another version
        "deal,o2,contact,c1,,,",                                         # not a type
        "interaction,i1,company,a1,,,",                                  # not a type
        "",
    ]))
    result = ingest(con, data_dir, "associations")
    assert (result.rows_read, result.rows_loaded, result.rows_repeated, result.rows_rejected) \
        == (6, 3, 1, 2)
    rejected = rows(con, "SELECT source_file, line_number, field, reason "
                         "FROM raw.associations_rejected ORDER BY line_number")
    assert [r[:3] for r in rejected] == [("associations/deal_contacts.csv", 6, "from_type"),
                                         ("associations/deal_contacts.csv", 7, "to_type")]
    assert "not one of opportunity, interaction, contact, account: 'deal'" in rejected[0][3]
    messages = [str(p) for p in result.problems]
    assert any(m.startswith("associations/deal_contacts.csv, line 7, field 'to_type'")
               for m in messages)
    assert rows(con, "SELECT count(*) FROM raw.associations WHERE to_id = 'c1'") == [(2,)]


def test_opportunities_and_interactions_load_without_a_contact_id(con, data_dir):
    write(data_dir / "inbox/opportunities/o.csv",
          "opportunity_id,created_at,stage\no1,2026-01-05,prospecting\n")
    write(data_dir / "inbox/sales_interactions/s.csv",
          "interaction_id,contact_email,occurred_at,interaction_type\n"
          "i1, Jane.Doe@Example.COM ,2026-01-05,call\n")
    assert ingest(con, data_dir, "opportunities").rows_loaded == 1
    assert ingest(con, data_dir, "sales_interactions").rows_loaded == 1
    assert rows(con, "SELECT contact_id, contact_email FROM raw.sales_interactions") \
        == [(None, "jane.doe@example.com")]


def test_a_copy_of_an_ingested_file_is_named_and_not_loaded_twice(con, data_dir):
    content = "\n".join([WEB_HEADER, "e1,v1,2026-01-05T10:00:00,page_view,/a,,12", ""])
    write(data_dir / "inbox/web_visits/day1.csv", content)
    assert ingest(con, data_dir).rows_loaded == 1
    write(data_dir / "inbox/web_visits/day1 (copy).csv", content)
    write(data_dir / "inbox/web_visits/day1 (copy 2).csv", content)
    result = ingest(con, data_dir)
    assert result.rows_loaded == 0 and result.files_ingested == 0
    said = sorted(str(f) for f in result.ignored_files)
    assert said == [
        "inbox/web_visits/day1 (copy 2).csv: same content as web_visits/day1.csv, which is "
        "ingested already: not loaded twice (remove the copy)",
        "inbox/web_visits/day1 (copy).csv: same content as web_visits/day1.csv, which is "
        "ingested already: not loaded twice (remove the copy)"]
