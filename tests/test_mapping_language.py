"""The mapping language (README "Column mappings"): expressions, row filters counted in the
balance, several rows from one, lookups in the mapping's version, read options, time zones,
loose value maps, nested NDJSON paths, header signatures. Figures worked out by hand."""

import json
from datetime import datetime

import duckdb
import pytest

from pipelines.ingestion.balance import balance_of_files
from pipelines.ingestion.batches import mapping_digest
from pipelines.ingestion.ingest import ingest_source
from pipelines.ingestion.mapping import MappingError, load_mapping, load_mappings
from pipelines.ingestion.raw_store import LEDGER, ensure_raw_schema


@pytest.fixture
def data_dir(tmp_path):
    for folder in ("inbox", "mappings", "lookups"):
        (tmp_path / folder).mkdir()
    return tmp_path


@pytest.fixture
def con(data_dir):
    connection = duckdb.connect(str(data_dir / "warehouse.duckdb"))
    ensure_raw_schema(connection)
    yield connection
    connection.close()


def put(path, content):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


def ingest(con, data_dir, source):
    return ingest_source(con, source, data_dir / "inbox", load_mappings(data_dir / "mappings"))


def balanced(con):
    hashes = [h for (h,) in con.execute(f"SELECT file_hash FROM {LEDGER}").fetchall()]
    return all(item["is_balanced"] for item in balance_of_files(con, hashes))


SALESFORCE_OPPORTUNITY = """\
source: opportunities
header: [Id, IsWon, IsClosed, CloseDate]
columns:
  opportunity_id: Id
  contact_id: ContactId
  created_at: CreatedDate
  amount: Amount
  stage:
    expr: "case when IsWon = 'true' then 'closed_won' when IsClosed = 'true' then 'closed_lost' else 'discovery' end"
  closed_at:
    expr: "case when IsClosed = 'true' then CloseDate end"
filter: "IsDeleted <> 'true'"
"""


def test_expressions_filter_and_header_signature(con, data_dir):
    put(data_dir / "mappings/sf_opps.yml", SALESFORCE_OPPORTUNITY)
    put(data_dir / "inbox/opportunities/any name at all.csv",
        "Id,ContactId,CreatedDate,Amount,IsWon,IsClosed,CloseDate,IsDeleted\n"
        "006A,003A,2026-01-02T10:00:00.000+0000,1000,true,true,2026-01-20,false\n"
        "006B,003B,2026-01-03T10:00:00.000+0000,500,false,true,2026-01-21,false\n"
        "006C,003C,2026-01-04T10:00:00.000+0000,700,false,false,2026-02-28,false\n"
        "006D,003D,2026-01-05T10:00:00.000+0000,900,true,true,2026-01-22,true\n")
    result = ingest(con, data_dir, "opportunities")
    rows = con.execute("SELECT opportunity_id, stage, closed_at, amount FROM raw.opportunities "
                       "ORDER BY 1").fetchall()
    assert rows == [("006A", "closed_won", datetime(2026, 1, 20), 1000.0),
                    ("006B", "closed_lost", datetime(2026, 1, 21), 500.0),
                    ("006C", "discovery", None, 700.0)]
    ledger = con.execute(f"SELECT rows_read, rows_loaded, rows_filtered, mapping_file FROM {LEDGER}").fetchall()
    assert ledger == [(4, 3, 1, "sf_opps.yml")]
    assert balanced(con)
    assert any("recognised by mapping sf_opps.yml" in str(p) for p in result.problems)


MAILING = """\
source: sales_interactions
files: "*.csv"
columns:
  contact_id: Prospect
  interaction_id: {expr: "MailingId || '-' || 'x'"}
rows:
  - when: "Sent is not null and Sent <> ''"
    columns: {interaction_type: {value: email_sent}, occurred_at: Sent,
              interaction_id: {expr: "MailingId || '-sent'"}}
  - when: "Opened <> ''"
    columns: {interaction_type: {value: email_opened}, occurred_at: Opened,
              interaction_id: {expr: "MailingId || '-opened'"}}
  - when: "Replied <> ''"
    columns: {interaction_type: {value: email_replied}, occurred_at: Replied,
              interaction_id: {expr: "MailingId || '-replied'"}}
"""


def test_several_rows_from_one_and_the_balance(con, data_dir):
    put(data_dir / "mappings/mailings.yml", MAILING)
    put(data_dir / "inbox/sales_interactions/mailings.csv",
        "MailingId,Prospect,Sent,Opened,Replied\n"
        "m1,c1,2026-01-02 09:00:00,2026-01-02 10:00:00,2026-01-03 08:00:00\n"
        "m2,c2,2026-01-02 09:00:00,,\n"
        "m3,c3,,,\n")
    ingest(con, data_dir, "sales_interactions")
    ids = [r[0] for r in con.execute("SELECT interaction_id FROM raw.sales_interactions ORDER BY 1").fetchall()]
    assert ids == ["m1-opened", "m1-replied", "m1-sent", "m2-sent"]
    assert con.execute(f"SELECT rows_read, rows_loaded, rows_filtered, rows_derived FROM {LEDGER}"
                       ).fetchall() == [(3, 4, 1, 2)]
    assert balanced(con)


HUBSPOT_DEALS = """\
source: opportunities
files: "*.csv"
columns:
  opportunity_id: "Record ID"
  contact_id: "Contact ID"
  created_at: "Create Date"
  stage: {expr: "case when stages.is_won = 'true' then 'closed_won' when stages.is_closed = 'true' then 'closed_lost' else 'discovery' end"}
lookups:
  stages: {file: deal_stages.csv, key: stage_id, on: "Deal Stage"}
"""


def test_lookup_resolves_values_and_is_part_of_the_mapping_version(con, data_dir):
    mapping = put(data_dir / "mappings/deals.yml", HUBSPOT_DEALS)
    stages = put(data_dir / "lookups/deal_stages.csv",
                 "stage_id,label,is_won,is_closed\n1001,Won,true,true\n1002,Lost,false,true\n1003,Demo,false,false\n")
    put(data_dir / "inbox/opportunities/deals.csv",
        "Record ID,Contact ID,Create Date,Deal Stage\nd1,c1,2026-01-01,1001\nd2,c2,2026-01-01,1003\nd3,c3,2026-01-01,9999\n")
    ingest(con, data_dir, "opportunities")
    assert con.execute("SELECT opportunity_id, stage FROM raw.opportunities ORDER BY 1").fetchall() == [
        ("d1", "closed_won"), ("d2", "discovery"), ("d3", "discovery")]
    before = mapping_digest(mapping)
    stages.write_text("stage_id,label,is_won,is_closed\n1001,Won,true,true\n1003,Demo,true,true\n")
    assert mapping_digest(mapping) != before


def test_read_options_timezone_and_loose_value_maps(con, data_dir):
    put(data_dir / "mappings/de.yml", """\
source: contacts
files: "*.csv"
read: {encoding: latin-1, delimiter: ";", skip_rows: 2}
timezone: Europe/Berlin
values_ignore_case: true
value_defaults: {lifecycle_stage: lead}
columns: {contact_id: Nr, created_at: Erstellt, company: Firma, lifecycle_stage: Phase}
values: {lifecycle_stage: {Marketing Qualified Lead: mql}}
""")
    put(data_dir / "inbox/contacts/export.csv",
        "Bericht Kontakte\nerstellt am 05.01.2026\nNr;Erstellt;Firma;Phase\n"
        "1;2026-01-05 10:00:00;Müller GmbH;marketing qualified lead\n"
        "2;2026-07-01 10:00:00;Bäcker;Something Else\n"
        "3;2026-01-05;Zoë;\n".encode("latin-1"))
    ingest(con, data_dir, "contacts")
    assert con.execute("SELECT contact_id, created_at, company, lifecycle_stage FROM raw.contacts ORDER BY 1"
                       ).fetchall() == [
        ("1", datetime(2026, 1, 5, 9), "Müller GmbH", "mql"),
        ("2", datetime(2026, 7, 1, 8), "Bäcker", "lead"),
        ("3", datetime(2026, 1, 5), "Zoë", None)]


def test_nested_ndjson_paths_and_key_value_arrays(con, data_dir):
    put(data_dir / "mappings/ga4.yml", """\
source: web_visits
files: "*.ndjson"
columns:
  visitor_id: user_pseudo_id
  event_type: event_name
  utm_source: traffic_source.source
  page_url: "event_params[page_location]"
  occurred_at: {expr: "make_timestamp(cast(event_timestamp as bigint))"}
  time_on_page_s: {expr: "cast(\\"event_params[engagement_time_msec]\\" as double) / 1000"}
  event_id: {expr: "md5(user_pseudo_id || event_timestamp || event_name)"}
""")
    event = {"event_timestamp": "1767261600000000", "event_name": "page_view", "user_pseudo_id": "u1",
             "traffic_source": {"source": "google", "medium": "cpc"},
             "event_params": [{"key": "page_location", "value": {"string_value": "https://x.io/a"}},
                              {"key": "engagement_time_msec", "value": {"int_value": 2500}}]}
    put(data_dir / "inbox/web_visits/events.ndjson", json.dumps(event) + "\n")
    ingest(con, data_dir, "web_visits")
    row = con.execute("SELECT visitor_id, utm_source, page_url, occurred_at, time_on_page_s, event_id "
                      "FROM raw.web_visits").fetchone()
    import hashlib
    assert row == ("u1", "google", "https://x.io/a", datetime(2026, 1, 1, 10), 2.5,
                   hashlib.md5(b"u11767261600000000page_view").hexdigest())


def test_an_expression_error_names_the_mapping(tmp_path):
    path = put(tmp_path / "mappings/bad.yml",
               "source: contacts\nfiles: '*'\ncolumns: {contact_id: {expr: 'case when then'}}\n")
    with pytest.raises(MappingError, match="not a valid SQL expression"):
        load_mapping(path)


def test_custom_fields_are_kept_as_one_json_object_on_both_paths(con, data_dir):
    """A plain-rename mapping and an expression mapping keep the listed columns the same way;
    a listed column the file lacks is null, with the usual missing-column message."""
    put(data_dir / "mappings/plain.yml", """\
source: contacts
files: "plain_*.csv"
columns: {contact_id: Id, created_at: Created}
custom_fields: [Industry, "Lead Score"]
""")
    put(data_dir / "mappings/engine.yml", """\
source: contacts
files: "engine_*.csv"
columns: {contact_id: Id, created_at: Created}
custom_fields: {industry: Industry, tier: Tier}
filter: "Id <> 'c9'"
""")
    put(data_dir / "inbox/contacts/plain_1.csv",
        'Id,Created,Industry,Lead Score\nc1,2026-01-05, Software ,87\nc2,2026-01-05,"",12\n')
    put(data_dir / "inbox/contacts/engine_1.csv",
        "Id,Created,Industry\nc3,2026-01-06,Retail\nc9,2026-01-06,Retail\n")
    result = ingest(con, data_dir, "contacts")
    rows = dict(con.execute("SELECT contact_id, custom_fields FROM raw.contacts").fetchall())
    assert {k: json.loads(v) for k, v in rows.items()} == {
        "c1": {"Industry": "Software", "Lead Score": "87"},
        "c2": {"Industry": None, "Lead Score": "12"},
        "c3": {"industry": "Retail", "tier": None},
    }
    assert any(p.field == "Tier" and "not in the file" in p.message for p in result.problems)
    assert balanced(con)


def test_custom_fields_of_a_source_without_them_is_a_mapping_error(data_dir):
    path = put(data_dir / "mappings/spend.yml", """\
source: marketing_spend
files: "*"
columns: {spend_date: Day, channel: Channel, amount: Cost}
custom_fields: [Campaign]
""")
    with pytest.raises(MappingError, match="custom_fields"):
        load_mapping(path)
