"""The marketo preset (issue 15) on fixtures in the shapes Marketo writes (tests/exports/marketo):
the Bulk Lead Extract (REST field names, `null` for an empty field), a smart-list export from
the UI (display labels, UTF-8 with a byte order mark, CRLF, times in the subscription's zone)
and Bulk Activity Extract files, one per activity type, with the attributes as JSON; and the
REST API's Get Lead Activities result as NDJSON (attributes as {name, value} pairs).

Figures come from the session warehouse of conftest (`preset_warehouse`), filtered to the
preset's ids: people 8800xxx, activities 912000xxx.
"""

from __future__ import annotations

from datetime import datetime

MARKETO_CONTACTS = "contact_id like '88002%' or contact_id like '88001%'"
MARKETO_INTERACTIONS = "interaction_id like '912000%'"


def _rows(con, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


def test_marketo_people_and_their_lifecycle_stage(preset_warehouse):
    # Bulk extract: 8800101 "Marketing Qualified" -> mql; 8800102 "New" -> lead;
    # 8800103 status `null` -> subscriber; 8800104 "sales qualified" (any case) -> sql.
    # UI export: 8800201 "Open" -> lead; 8800202 "MQL" -> mql.
    # 6 people: subscriber 1, lead 2, mql 2, sql 1.
    stages = dict(_rows(preset_warehouse, "select contact_id, lifecycle_stage from marts.dim_contacts "
                        f"where {MARKETO_CONTACTS}"))
    assert stages == {"8800101": "mql", "8800102": "lead", "8800103": "subscriber",
                      "8800104": "sql", "8800201": "lead", "8800202": "mql"}


def test_marketo_bulk_extract_null_is_no_value(preset_warehouse):
    # 8800102's phone and 8800103's company, title, phone, country and status are `null` in
    # the file: empty in the warehouse, so they count as missing fields, not as values.
    rows = _rows(preset_warehouse, "select contact_id, company, phone, lead_status, email "
                 "from marts.dim_contacts where contact_id in ('8800102', '8800103') order by 1")
    assert rows == [("8800102", "Hooli", None, "New", "ken.ito@hooli.example"),
                    ("8800103", None, None, None, "lena.berg@vandelay.example")]


def test_marketo_ui_export_with_a_byte_order_mark_loads_every_column(preset_warehouse):
    # The first column `Id` follows the mark: recognised and loaded. "Created At" is
    # America/Chicago time (UTC-6 in January): 08:15 -> 14:15 UTC; 17:30 -> 23:30 UTC.
    rows = _rows(preset_warehouse, "select contact_id, first_name, company, email, created_at "
                 "from marts.dim_contacts where contact_id like '88002%' order by 1")
    assert rows == [
        ("8800201", "Omar", "Soylent", "omar.haddad@soylent.example", datetime(2026, 1, 10, 14, 15)),
        ("8800202", "Mia", "Massive Dynamic, Inc.", "mia.wong@massive.example",
         datetime(2026, 1, 13, 23, 30))]
    ledger = _rows(preset_warehouse, "select mapping_file, rows_loaded, rows_rejected "
                   "from raw._ingested_files where file_path like 'contacts/Marketo Leads%'")
    assert ledger == [("marketo_leads_ui.yml", 2, 0)]


def test_marketo_activities_per_type(preset_warehouse):
    # Send Email (6): 912000101 (8800101), 912000102 (8800102), 912000103 (8800201) -> 3 sent.
    # Open Email (10): 912000121 (8800101), 912000122 (8800201)                     -> 2 opened.
    # Click Email (11): 912000131 (8800101)                                          -> 1 clicked.
    # Receive Sales Email (45): 912000141 (8800201's reply)                          -> 1 replied.
    # Email Delivered (7): 3 rows, not an interaction: filtered.
    # REST API NDJSON (marketo_rest_activities_2026-01-15.ndjson), all 8800104: Send Sales
    # Email (39) 912000151, Open Sales Email (40) 912000152, Click Sales Email (41) 912000153;
    # Fill Out Form (2) 912000154 filtered.
    # sent 3 + 1 = 4, opened 2 + 1 = 3, clicked 1 + 1 = 2, replied 1.
    counts = dict(_rows(preset_warehouse, "select interaction_type, count(*) from "
                        f"marts.fct_sales_interactions where {MARKETO_INTERACTIONS} group by 1"))
    assert counts == {"email_sent": 4, "email_opened": 3, "email_clicked": 2, "email_replied": 1}
    filtered = _rows(preset_warehouse, "select rows_loaded, rows_filtered from raw._ingested_files "
                     "where file_path = 'sales_interactions/marketo_activities_email_delivered.csv'")
    assert filtered == [(0, 3)]
    rest = _rows(preset_warehouse, "select mapping_file, rows_loaded, rows_filtered from "
                 "raw._ingested_files where file_path like 'sales_interactions/marketo_rest%'")
    assert rest == [("marketo_activities_rest.yml", 3, 1)]


def test_marketo_activities_point_at_marketo_people(preset_warehouse):
    # Every leadId is a person of the lead files: 8800101 has 3 activities (sent, opened,
    # clicked), 8800102 1 (sent), 8800104 3 (REST: sent, opened, clicked), 8800201 3 (sent,
    # opened, replied); none unknown.
    per_contact = dict(_rows(preset_warehouse, "select i.contact_id, count(*) from "
                             "marts.fct_sales_interactions i join marts.dim_contacts c using (contact_id) "
                             f"where {MARKETO_INTERACTIONS} group by 1"))
    assert per_contact == {"8800101": 3, "8800102": 1, "8800104": 3, "8800201": 3}


def test_marketo_click_keeps_its_link_and_the_email_asset(preset_warehouse):
    rows = _rows(preset_warehouse, "select content_id, direction, outcome, occurred_at "
                 "from marts.fct_sales_interactions where interaction_id = '912000131'")
    assert rows == [("5120", "inbound", "https://example.com/webinar?utm_source=marketo",
                     datetime(2026, 1, 12, 18, 23, 10))]
    # The REST API's attributes are {name, value} pairs: `attributes[Link]`.
    rest = _rows(preset_warehouse, "select content_id, outcome from marts.fct_sales_interactions "
                 "where interaction_id = '912000153'")
    assert rest == [("5130", "https://example.com/pricing")]
