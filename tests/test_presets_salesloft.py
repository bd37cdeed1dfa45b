"""The salesloft preset (issue 15) on fixtures in the shape Salesloft's API v2 returns them
(tests/exports/salesloft): /v2/activities/emails and /v2/people records, one a line, with
links to other records as {id, _href} objects.

Salesloft keeps counts (views, clicks, replies) on an email, not their times: the derived
interactions are dated at the send. Figures come from the session warehouse of conftest
(`preset_warehouse`), filtered to the preset's ids: people 6620xxx, emails 7730xxx.
"""

from __future__ import annotations

from datetime import datetime

SALESLOFT_INTERACTIONS = "interaction_id like '7730%'"


def _rows(con, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


def test_salesloft_one_email_becomes_up_to_four_interactions(preset_warehouse):
    # salesloft_emails_2026-01-21.ndjson, 6 emails:
    #   7730001 sent, views 2, clicks 1, replies 1 -> sent, opened, clicked, replied (4)
    #   7730002 sent, views 1                      -> sent, opened (2)
    #   7730003 sent, no counts                    -> sent (1)
    #   7730004 sent but bounced                   -> filtered
    #   7730005 scheduled, sent_at null            -> filtered
    #   7730006 sent to no person (recipient null) -> filtered
    # sent 3, opened 2, clicked 1, replied 1: 7 rows from 6 file rows, 4 derived, 3 filtered.
    counts = dict(_rows(preset_warehouse, "select interaction_type, count(*) from "
                        f"marts.fct_sales_interactions where {SALESLOFT_INTERACTIONS} group by 1"))
    assert counts == {"email_sent": 3, "email_opened": 2, "email_clicked": 1, "email_replied": 1}
    ledger = _rows(preset_warehouse, "select rows_read, rows_loaded, rows_filtered, rows_derived "
                   "from raw._ingested_files where file_path like 'sales_interactions/salesloft_emails%'")
    assert ledger == [(6, 7, 3, 4)]


def test_salesloft_counts_are_dated_at_the_send(preset_warehouse):
    # sent_at "2026-01-19T15:00:00.000000+00:00": microseconds and an offset.
    rows = _rows(preset_warehouse, "select interaction_id, occurred_at, direction, owner_id, content_id "
                 "from marts.fct_sales_interactions where interaction_id like '7730001-%' order by 1")
    sent = datetime(2026, 1, 19, 15)
    assert rows == [("7730001-clicked", sent, "inbound", "31", "8801"),
                    ("7730001-opened", sent, "inbound", "31", "8801"),
                    ("7730001-replied", sent, "inbound", "31", "8801"),
                    ("7730001-sent", sent, "outbound", "31", "8801")]


def test_salesloft_emails_point_at_the_people(preset_warehouse):
    # 6620001: 4 (7730001); 6620002: 3 (7730002 sent + opened, 7730003 sent); 6620003's emails
    # bounced or are not sent yet.
    per_contact = dict(_rows(preset_warehouse, "select i.contact_id, count(*) from "
                             "marts.fct_sales_interactions i join marts.dim_contacts c using (contact_id) "
                             f"where {SALESLOFT_INTERACTIONS} group by 1"))
    assert per_contact == {"6620001": 4, "6620002": 3}


def test_salesloft_people_become_contacts(preset_warehouse):
    # 6620001: stage 103 Meeting Booked -> sql, work phone; email lower-cased at the door.
    # 6620002: stage 101 Prospecting -> lead, mobile phone (no work phone).
    # 6620003: no stage -> lead, no phone.
    rows = _rows(preset_warehouse, "select contact_id, email, phone, company, lead_status, "
                 "lifecycle_stage, created_at from marts.dim_contacts where contact_id like '6620%' order by 1")
    assert rows == [
        ("6620001", "li.wei@cyberdyne.example", "+86 10 5550 0130", "Cyberdyne Systems",
         "Meeting Booked", "sql", datetime(2026, 1, 15, 9)),
        ("6620002", "sara.khan@oscorp.example", "+971 50 555 0140", "Oscorp", "Prospecting", "lead",
         datetime(2026, 1, 16, 9, 30)),
        ("6620003", "juan.perez@gringotts.example", None, "Gringotts", None, "lead",
         datetime(2026, 1, 17, 12))]
