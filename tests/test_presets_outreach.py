"""The outreach preset (issue 15) on fixtures in the shape Outreach's API v2 returns them
(tests/exports/outreach): JSON:API resource objects, one a line, with the values under
`attributes` and the links to other records under `relationships`.

Figures come from the session warehouse of conftest (`preset_warehouse`), filtered to the
preset's ids: prospects 3310xxx, mailings 4410xxx.
"""

from __future__ import annotations

from datetime import datetime

OUTREACH_INTERACTIONS = "interaction_id like '4410%'"


def _rows(con, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


def test_outreach_one_mailing_becomes_up_to_four_interactions(preset_warehouse):
    # outreach_mailings_2026-01-16.ndjson, 5 mailings:
    #   4410001 delivered, opened, clicked, replied -> 4 interactions
    #   4410002 delivered, opened                   -> 2
    #   4410003 delivered                           -> 1
    #   4410004 bounced (never delivered)           -> 0, filtered
    #   4410005 scheduled (not sent yet)            -> 0, filtered
    # sent 3, opened 2, clicked 1, replied 1: 7 rows from 5 file rows, 4 derived, 2 filtered.
    counts = dict(_rows(preset_warehouse, "select interaction_type, count(*) from "
                        f"marts.fct_sales_interactions where {OUTREACH_INTERACTIONS} group by 1"))
    assert counts == {"email_sent": 3, "email_opened": 2, "email_clicked": 1, "email_replied": 1}
    ledger = _rows(preset_warehouse, "select rows_read, rows_loaded, rows_filtered, rows_derived "
                   "from raw._ingested_files where file_path like 'sales_interactions/outreach_mailings%'")
    assert ledger == [(5, 7, 2, 4)]


def test_outreach_each_interaction_at_its_own_time(preset_warehouse):
    rows = _rows(preset_warehouse, "select interaction_id, interaction_type, occurred_at, contact_id, "
                 "direction from marts.fct_sales_interactions where interaction_id like '4410001-%' "
                 "order by occurred_at")
    assert rows == [
        ("4410001-sent", "email_sent", datetime(2026, 1, 13, 14, 0, 5), "3310001", "outbound"),
        ("4410001-opened", "email_opened", datetime(2026, 1, 13, 14, 20), "3310001", "inbound"),
        ("4410001-clicked", "email_clicked", datetime(2026, 1, 13, 14, 21, 30), "3310001", "inbound"),
        ("4410001-replied", "email_replied", datetime(2026, 1, 13, 16, 2), "3310001", "inbound")]


def test_outreach_mailings_point_at_the_prospects(preset_warehouse):
    # 3310001: 4 (mailing 4410001); 3310002: 3 (4410002 sent + opened, 4410003 sent); every
    # prospect id is in the prospects file.
    per_contact = dict(_rows(preset_warehouse, "select i.contact_id, count(*) from "
                             "marts.fct_sales_interactions i join marts.dim_contacts c using (contact_id) "
                             f"where {OUTREACH_INTERACTIONS} group by 1"))
    assert per_contact == {"3310001": 4, "3310002": 3}


def test_outreach_prospects_become_contacts(preset_warehouse):
    # 3310001: first of two emails (lower-cased at the door), work phone, stage 4 Interested -> sql.
    # 3310002: mobile phone (no work phone), stage 2 Approaching -> lead.
    # 3310003: no email, no phone, no stage -> lead.
    rows = _rows(preset_warehouse, "select contact_id, email, phone, company, lead_status, "
                 "lifecycle_stage from marts.dim_contacts where contact_id like '3310%' order by 1")
    assert rows == [
        ("3310001", "priya.nair@wayne.example", "+1 212 555 0110", "Wayne Enterprises", "Interested", "sql"),
        ("3310002", "tom.becker@stark.example", "+49 151 5550 0120", "Stark Industries", "Approaching", "lead"),
        ("3310003", None, None, "Tyrell Corp", None, "lead")]
