"""Edge cases of the metric definitions (dbt_project/models/glossary.md), each asserted on the
marts built by `dbt build` from hand-made raw rows. The project is built once per module."""

from __future__ import annotations

import hashlib
from datetime import date

import polars as pl
import pytest
from dbt_fixtures import CORE_SELECTION, RawData, failed_nodes, read_table, run_dbt, ts


def md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


def sid(visitor: str, first_event: str) -> str:
    return md5(f"{visitor}|{first_event}")


def pv(event_id, visitor, at, event_type="page_view", **extra):
    return {"event_id": event_id, "visitor_id": visitor, "occurred_at": ts(at),
            "event_type": event_type, "page_url": f"https://acme-analytics.example/{event_id}",
            **extra}


COMPLETE = {"first_name": "Jane", "last_name": "Doe", "phone": "+1 555 0100",
            "company": "Initech", "job_title": "VP Marketing", "country": "US"}


def raw_rows() -> RawData:
    raw = RawData()
    raw.add("web_visits", [
        # V1: gap of exactly 30:00 starts a new session; 29:59 does not.
        pv("e1a", "V1", "2024-03-01 10:00:00"),
        pv("e1b", "V1", "2024-03-01 10:30:00"),
        pv("e1c", "V1", "2024-03-01 10:59:59"),
        # V2: a new campaign inside a session starts a new session; empty UTMs and the same
        # campaign do not.
        pv("e2a", "V2", "2024-03-02 09:00:00",
           utm_source="google", utm_medium="cpc", utm_campaign="spring"),
        pv("e2b", "V2", "2024-03-02 09:05:00", event_type="form_submit"),
        pv("e2c", "V2", "2024-03-02 09:10:00",
           utm_source="google", utm_medium="cpc", utm_campaign="spring"),
        pv("e2d", "V2", "2024-03-02 09:15:00",
           utm_source="linkedin", utm_medium="paid_social", utm_campaign="summer"),
        # V3: a session with no campaign, then a campaign event: new session.
        pv("e3a", "V3", "2024-03-02 12:00:00", referrer_url="https://www.Google.com/search?q=x"),
        pv("e3b", "V3", "2024-03-02 12:10:00",
           utm_source="Newsletter", utm_medium="Email", utm_campaign="march"),
        pv("e3c", "V3", "2024-03-02 12:12:00",
           utm_source="Newsletter", utm_medium="Email", utm_campaign="march"),
        # V4: a session crossing midnight, referred by our own site (direct).
        pv("e4a", "V4", "2024-03-03 23:50:00",
           referrer_url="https://acme-analytics.example/pricing"),
        pv("e4b", "V4", "2024-03-04 00:10:00", event_type="pricing_view"),
        # V5: identified only by an email in mixed case with spaces (staging normalises it).
        pv("e5a", "V5", "2024-03-05 08:00:00", referrer_url="https://news.ycombinator.com/item"),
        pv("e5b", "V5", "2024-03-05 08:05:00", event_type="form_submit",
           email="  Jane.Doe@Example.COM "),
        # V6: matches C3 (by contact_id, 10:01) and C2 (by email, 10:02): C3 wins.
        pv("e6a", "V6", "2024-03-06 10:00:00", utm_source="linkedin", utm_medium="social"),
        pv("e6b", "V6", "2024-03-06 10:01:00", contact_id="C3"),
        pv("e6c", "V6", "2024-03-06 10:02:00", event_type="form_submit", email="c2@corp.io"),
        # V7: C5's only session comes after C5 was created.
        pv("e7a", "V7", "2024-03-08 10:00:00", contact_id="C5"),
        # V8: C6's only session comes after C6 was created (C6 has a CRM source).
        pv("e8a", "V8", "2024-03-08 11:00:00", email="c6@corp.io"),
        # V9: an unknown event type is kept and counted as a site interaction.
        pv("e9a", "V9", "2024-03-09 14:00:00"),
        pv("e9b", "V9", "2024-03-09 14:01:00", event_type="hologram_view"),
        # V10: email shared by C8 and C9: goes to the first-created, C9.
        pv("e10a", "V10", "2024-03-16 08:00:00", email="shared@dup.com"),
        # Channel rules: a social source with a paid medium is paid_social, not paid_search;
        # another site's referrer without UTM is referral.
        pv("e11a", "V11", "2024-03-17 08:00:00", utm_source="facebook", utm_medium="cpc"),
        pv("e12a", "V12", "2024-03-17 09:00:00", referrer_url="https://partner-blog.io/post"),
    ])
    # Two versions of one event: the later file wins, whatever the load time.
    raw.add("web_visits", pv("e13", "V13", "2024-03-18 08:00:00", _loaded_at=ts("2024-06-02")),
            source_file="web_visits/2024-03-18a.csv")
    raw.add("web_visits", pv("e13", "V13", "2024-03-18 08:00:00", event_type="demo_request",
                             _loaded_at=ts("2024-06-01")),
            source_file="web_visits/2024-03-18b.csv")

    raw.add("contacts", [
        # C1: complete; two versions (stage at creation subscriber, latest lead).
        {"contact_id": "C1", "created_at": ts("2024-03-05 08:05:00"),
         "updated_at": ts("2024-03-05 08:05:00"), "email": "jane.doe@example.com",
         "lifecycle_stage": "subscriber", **COMPLETE, "first_name": "J"},
        {"contact_id": "C1", "created_at": ts("2024-03-05 08:05:00"),
         "updated_at": ts("2024-03-06 12:00:00"), "email": "jane.doe@example.com",
         "lifecycle_stage": "lead", **COMPLETE},
        # C2: identified by V6 only after V6 was given to C3; its CRM source decides.
        {"contact_id": "C2", "created_at": ts("2024-03-06 10:02:00"), "email": "c2@corp.io",
         "original_source": " Paid_Social", "owner_id": "rep_1", "lifecycle_stage": "lead"},
        {"contact_id": "C3", "created_at": ts("2024-03-06 10:30:00"), "email": "c3@corp.io",
         "lifecycle_stage": "subscriber"},
        # C4: created by sales, no web history: outbound.
        {"contact_id": "C4", "created_at": ts("2024-03-07 09:00:00"), "owner_id": "rep_1",
         "email": "c4@corp.io", "lifecycle_stage": "sql"},
        # C5: owner, session only after creation, no CRM source: unknown.
        {"contact_id": "C5", "created_at": ts("2024-03-08 09:00:00"), "owner_id": "rep_2"},
        # C6: session only after creation, CRM source: crm_original_source.
        {"contact_id": "C6", "created_at": ts("2024-03-08 09:00:00"), "email": "c6@corp.io",
         "original_source": "DIRECT_TRAFFIC"},
        # C7: incomplete: invalid email, no last name, blank company, no phone.
        {"contact_id": "C7", "created_at": ts("2024-03-15 10:00:00"), "email": "not-an-email",
         "first_name": "Ann", "company": "  ", "job_title": "CTO", "country": "DE",
         "lifecycle_stage": "mql", "owner_id": "rep_2"},
        # C8, C9: one email, two contact_ids; C9 was created first.
        {"contact_id": "C8", "created_at": ts("2024-03-16 10:00:00"), "email": "shared@dup.com",
         **COMPLETE},
        {"contact_id": "C9", "created_at": ts("2024-03-16 09:00:00"), "email": "shared@dup.com",
         **COMPLETE},
    ])

    raw.add("opportunities", [
        # O1: its contact is not known: counted under unknown.
        {"opportunity_id": "O1", "contact_id": "C_GHOST", "created_at": ts("2024-03-10 10:00"),
         "stage": "prospecting", "amount": 500.0, "segment": "smb"},
        # O2: won on 2024-03-20 (latest version by updated_at; a null updated_at sorts last).
        {"opportunity_id": "O2", "contact_id": "C1", "created_at": ts("2024-03-11 10:00"),
         "stage": "proposal", "amount": 900.0, "updated_at": ts("2024-03-15 10:00")},
        {"opportunity_id": "O2", "contact_id": "C1", "created_at": ts("2024-03-11 10:00"),
         "stage": "closed_won", "amount": 1000.0, "closed_at": ts("2024-03-20 15:00"),
         "updated_at": ts("2024-03-20 15:00"), "segment": "mid_market"},
        {"opportunity_id": "O2", "contact_id": "C1", "created_at": ts("2024-03-11 10:00"),
         "stage": "discovery", "amount": 1.0},
        # O3: C1's second win, no closed_at: closes on updated_at; revenue, not a new customer.
        {"opportunity_id": "O3", "contact_id": "C1", "created_at": ts("2024-03-12 10:00"),
         "stage": "closed_won", "amount": 2000.0, "updated_at": ts("2024-03-25 11:00")},
        # O4: lost, no amount.
        {"opportunity_id": "O4", "contact_id": "C4", "created_at": ts("2024-03-12 11:00"),
         "stage": "closed_lost", "closed_at": ts("2024-03-21 09:00"),
         "updated_at": ts("2024-03-21 09:00")},
    ])

    raw.add("sales_interactions", [
        # C4: open before the next send counts for the send; an open after the next send (or
        # at the same instant) goes to the next send; a reply before any send counts for none.
        {"interaction_id": "I10", "contact_id": "C4", "occurred_at": ts("2024-03-12 08:00"),
         "interaction_type": "email_replied"},
        {"interaction_id": "I1", "contact_id": "C4", "occurred_at": ts("2024-03-12 09:00"),
         "interaction_type": "email_sent"},
        {"interaction_id": "I2", "contact_id": "C4", "occurred_at": ts("2024-03-12 10:00"),
         "interaction_type": "email_opened"},
        {"interaction_id": "I3", "contact_id": "C4", "occurred_at": ts("2024-03-13 09:00"),
         "interaction_type": "email_sent"},
        {"interaction_id": "I4", "contact_id": "C4", "occurred_at": ts("2024-03-13 09:30"),
         "interaction_type": "email_opened"},
        {"interaction_id": "I5", "contact_id": "C4", "occurred_at": ts("2024-03-13 09:40"),
         "interaction_type": "email_clicked"},
        {"interaction_id": "I6", "contact_id": "C4", "occurred_at": ts("2024-03-14 09:00"),
         "interaction_type": "email_sent"},
        {"interaction_id": "I11", "contact_id": "C4", "occurred_at": ts("2024-03-14 09:00"),
         "interaction_type": "email_opened"},
        {"interaction_id": "I7", "contact_id": "C4", "occurred_at": ts("2024-03-14 10:00"),
         "interaction_type": "call"},
        {"interaction_id": "I8", "contact_id": "C4", "occurred_at": ts("2024-03-14 11:00"),
         "interaction_type": "meeting"},
        {"interaction_id": "I9", "contact_id": "C4", "occurred_at": ts("2024-03-14 12:00"),
         "interaction_type": "document_viewed", "content_id": "deck"},
        # Unknown contact: kept, channel unknown.
        {"interaction_id": "I20", "contact_id": "C_GHOST", "occurred_at": ts("2024-03-10 11:00"),
         "interaction_type": "call"},
    ])
    return raw


@pytest.fixture(scope="module")
def build(tmp_path_factory):
    """(data dir, dbt result) of one `dbt build` of the core models on the rows above."""
    data_dir = tmp_path_factory.mktemp("dbt_edge_cases")
    raw_rows().write(data_dir)
    result = run_dbt(data_dir, ["build", *CORE_SELECTION])
    problems = [p for p in failed_nodes(result) if p.split(":")[1].strip() != "warn"]
    assert result.success and not problems, "\n".join(problems or failed_nodes(result))
    return data_dir, result


@pytest.fixture(scope="module")
def warehouse(build):
    return build[0]


@pytest.fixture(scope="module")
def sessions(warehouse) -> pl.DataFrame:
    return read_table(warehouse, "marts.fct_sessions", order_by="visitor_id, started_at")


@pytest.fixture(scope="module")
def contacts(warehouse) -> dict[str, dict]:
    frame = read_table(warehouse, "marts.dim_contacts")
    return {row["contact_id"]: row for row in frame.iter_rows(named=True)}


@pytest.fixture(scope="module")
def daily(warehouse) -> dict[tuple[date, str], dict]:
    frame = read_table(warehouse, "marts.mart_funnel_daily")
    return {(row["metric_date"], row["channel"]): row for row in frame.iter_rows(named=True)}


def visitor_sessions(sessions: pl.DataFrame, visitor: str) -> list[dict]:
    return sessions.filter(pl.col("visitor_id") == visitor).to_dicts()


def test_only_the_expected_checks_warn(build):
    """Unknown contacts and an unknown event type are kept and reported as warnings; nothing
    else warns and nothing fails."""
    _, result = build
    assert result.success
    warned = sorted(p.split(":")[0] for p in failed_nodes(result))
    expected = (
        "relationships_fct_opportunities_contact_id",
        "relationships_fct_sales_interactions_contact_id",
        "accepted_values_int_web_events_sessionized_event_type",
    )
    assert len(warned) == len(expected), warned
    assert all(any(name.startswith(prefix) for name in warned) for prefix in expected), warned


def test_gap_of_exactly_30_minutes_starts_a_session_and_29_59_does_not(sessions):
    rows = visitor_sessions(sessions, "V1")
    assert [r["session_id"] for r in rows] == [sid("V1", "e1a"), sid("V1", "e1b")]
    assert [r["event_count"] for r in rows] == [1, 2]
    assert rows[0]["is_bounce"] and not rows[1]["is_bounce"]
    assert rows[1]["duration_seconds"] == 1799.0


def test_new_campaign_inside_a_session_starts_a_session(sessions):
    rows = visitor_sessions(sessions, "V2")
    assert [r["session_id"] for r in rows] == [sid("V2", "e2a"), sid("V2", "e2d")]
    assert [r["event_count"] for r in rows] == [3, 1]
    assert [(r["pageviews"], r["site_interactions"]) for r in rows] == [(2, 1), (1, 0)]
    assert [r["channel"] for r in rows] == ["paid_search", "paid_social"]
    assert rows[1]["utm_campaign"] == "summer"


def test_campaign_after_an_uncampaigned_start_starts_a_session(sessions):
    rows = visitor_sessions(sessions, "V3")
    assert [r["session_id"] for r in rows] == [sid("V3", "e3a"), sid("V3", "e3b")]
    assert [r["event_count"] for r in rows] == [1, 2]
    assert rows[0]["channel"] == "organic_search"
    assert rows[0]["referrer_host"] == "google.com"
    assert rows[1]["channel"] == "email"


def test_session_crossing_midnight_is_one_session_dated_by_its_start(sessions, daily):
    [row] = visitor_sessions(sessions, "V4")
    assert row["session_date"] == date(2024, 3, 3)
    assert row["event_count"] == 2 and row["duration_seconds"] == 1200.0
    assert row["channel"] == "direct"
    start_day = daily[(date(2024, 3, 3), "direct")]
    assert (start_day["visits"], start_day["pageviews"], start_day["site_interactions"]) == (1, 1, 0)
    # The site interaction counts on the day it occurred, in its session's channel.
    next_day = daily[(date(2024, 3, 4), "direct")]
    assert (next_day["visits"], next_day["site_interactions"]) == (0, 1)
    assert next_day["avg_session_seconds"] is None and next_day["pages_per_session"] is None
    assert next_day["bounce_rate"] is None


def test_visitor_identified_by_messy_email_is_stitched(sessions, contacts):
    rows = visitor_sessions(sessions, "V5")
    assert [r["contact_id"] for r in rows] == ["C1"]
    c1 = contacts["C1"]
    assert c1["original_channel"] == "organic_social"
    assert c1["original_channel_basis"] == "web_session"
    assert c1["first_session_id"] == sid("V5", "e5a")
    assert c1["first_touch_at"] == ts("2024-03-05 08:00:00")
    assert (c1["stitched_visitors"], c1["stitched_sessions"]) == (1, 1)


def test_latest_contact_version_wins_and_stage_at_creation_is_the_earliest(contacts):
    c1 = contacts["C1"]
    assert c1["first_name"] == "Jane"
    assert c1["lifecycle_stage"] == "lead"
    assert c1["lifecycle_stage_at_creation"] == "subscriber"


def test_visitor_matching_two_contacts_goes_to_the_first_identified(sessions, contacts):
    [row] = visitor_sessions(sessions, "V6")
    assert row["contact_id"] == "C3"
    assert contacts["C3"]["original_channel"] == "organic_social"
    assert contacts["C3"]["original_channel_basis"] == "web_session"
    c2 = contacts["C2"]
    assert c2["stitched_sessions"] == 0
    assert (c2["original_channel"], c2["original_channel_basis"]) == (
        "paid_social", "crm_original_source")


def test_contact_created_by_sales_without_web_history_is_outbound(contacts):
    c4 = contacts["C4"]
    assert (c4["original_channel"], c4["original_channel_basis"]) == ("outbound", "outbound")
    assert c4["first_session_id"] is None and c4["first_touch_at"] is None
    assert (c4["stitched_visitors"], c4["stitched_sessions"]) == (0, 0)


def test_contact_whose_only_session_is_after_creation_is_not_web_sourced(contacts):
    c5 = contacts["C5"]
    assert (c5["original_channel"], c5["original_channel_basis"]) == ("unknown", "unknown")
    assert c5["stitched_sessions"] == 1 and c5["first_session_id"] is None
    c6 = contacts["C6"]
    assert (c6["original_channel"], c6["original_channel_basis"]) == (
        "direct", "crm_original_source")
    assert c6["stitched_sessions"] == 1


def test_unknown_event_type_is_kept_as_a_site_interaction(warehouse, sessions, daily):
    [row] = visitor_sessions(sessions, "V9")
    assert (row["event_count"], row["pageviews"], row["site_interactions"]) == (2, 1, 1)
    events = read_table(warehouse, "intermediate.int_web_events_sessionized")
    assert "hologram_view" in events["event_type"].to_list()
    day = daily[(date(2024, 3, 9), "direct")]
    assert (day["visits"], day["site_interactions"], day["pages_per_session"]) == (1, 1, 1.0)


def test_latest_loaded_event_version_wins_regardless_of_load_time(sessions):
    [row] = visitor_sessions(sessions, "V13")
    assert (row["event_count"], row["pageviews"], row["site_interactions"]) == (1, 0, 1)


def test_channel_rules_social_paid_before_search_and_referral(sessions):
    assert visitor_sessions(sessions, "V11")[0]["channel"] == "paid_social"
    v12 = visitor_sessions(sessions, "V12")[0]
    assert (v12["channel"], v12["referrer_host"]) == ("referral", "partner-blog.io")


def test_opportunity_with_unknown_contact_counts_under_unknown(warehouse, daily):
    opportunities = read_table(warehouse, "marts.fct_opportunities")
    o1 = opportunities.filter(pl.col("opportunity_id") == "O1").to_dicts()[0]
    assert (o1["channel"], o1["is_contact_known"]) == ("unknown", False)
    day = daily[(date(2024, 3, 10), "unknown")]
    assert (day["opportunities"], day["pipeline_amount"], day["visits"]) == (1, 500.0, 0)
    assert day["sales_interactions"] == 1 and day["calls"] == 1


def test_latest_opportunity_version_wins_and_customers_count_first_wins(warehouse, daily):
    opportunities = read_table(warehouse, "marts.fct_opportunities")
    by_id = {r["opportunity_id"]: r for r in opportunities.iter_rows(named=True)}
    assert by_id["O2"]["stage"] == "closed_won" and by_id["O2"]["amount"] == 1000.0
    assert by_id["O2"]["is_first_win"] and not by_id["O3"]["is_first_win"]
    assert by_id["O3"]["closed_date"] == date(2024, 3, 25)
    assert by_id["O4"]["is_closed"] and not by_id["O4"]["is_won"]
    first_win = daily[(date(2024, 3, 20), "organic_social")]
    assert (first_win["customers"], first_win["revenue_won"]) == (1, 1000.0)
    second_win = daily[(date(2024, 3, 25), "organic_social")]
    assert (second_win["customers"], second_win["revenue_won"]) == (0, 2000.0)
    created = daily[(date(2024, 3, 11), "organic_social")]
    assert (created["opportunities"], created["pipeline_amount"]) == (1, 1000.0)
    lost = daily[(date(2024, 3, 12), "outbound")]
    assert (lost["opportunities"], lost["pipeline_amount"]) == (1, 0.0)


def test_email_open_click_reply_flags(warehouse, daily):
    frame = read_table(warehouse, "marts.fct_sales_interactions")
    flags = {r["interaction_id"]: (r["is_opened"], r["is_clicked"], r["is_replied"])
             for r in frame.iter_rows(named=True)}
    assert flags["I1"] == (True, False, False)  # opened before the next send
    assert flags["I3"] == (True, True, False)  # the open after the next send is I3's
    assert flags["I6"] == (True, False, False)  # an open at the instant of the send counts
    assert flags["I2"] == (None, None, None)  # not a send
    assert set(frame.filter(pl.col("contact_id") == "C4")["channel"]) == {"outbound"}
    day1 = daily[(date(2024, 3, 12), "outbound")]
    assert (day1["sales_interactions"], day1["emails_sent"]) == (3, 1)
    assert (day1["email_open_rate"], day1["email_click_rate"], day1["email_reply_rate"]) == (
        1.0, 0.0, 0.0)
    day2 = daily[(date(2024, 3, 13), "outbound")]
    assert (day2["email_open_rate"], day2["email_click_rate"]) == (1.0, 1.0)
    day3 = daily[(date(2024, 3, 14), "outbound")]
    assert (day3["sales_interactions"], day3["document_views"], day3["calls"],
            day3["meetings"]) == (5, 1, 1, 1)


def test_complete_and_incomplete_contacts(warehouse, contacts, daily):
    assert contacts["C1"]["is_complete"] and contacts["C1"]["missing_fields"] == ""
    c7 = contacts["C7"]
    assert not c7["is_complete"]
    assert c7["missing_fields"] == "email,last_name,company,phone"
    quality = read_table(warehouse, "marts.mart_contact_quality")
    q7 = quality.filter(pl.col("contact_id") == "C7").to_dicts()[0]
    assert q7["is_invalid_email"] and not q7["is_missing_email"]
    assert q7["is_missing_last_name"] and q7["is_missing_company"] and q7["is_missing_phone"]
    assert not q7["is_missing_first_name"]
    day = daily[(date(2024, 3, 15), "outbound")]  # owner, no web history
    assert (day["new_contacts"], day["new_mql"], day["complete_contacts"]) == (1, 1, 0)
    assert day["completeness_rate"] == 0.0 and day["contact_share"] == 1.0


def test_contact_counts_split_by_stage_and_share(daily):
    paid = daily[(date(2024, 3, 6), "paid_social")]
    social = daily[(date(2024, 3, 6), "organic_social")]
    assert (paid["new_contacts"], paid["new_lead"], paid["visits"]) == (1, 1, 0)
    assert (social["new_contacts"], social["new_subscriber"], social["visits"]) == (1, 1, 1)
    assert paid["contact_share"] == 0.5 and social["contact_share"] == 0.5
    assert paid["avg_session_seconds"] is None and paid["bounce_rate"] is None


def test_two_contacts_sharing_an_email(sessions, contacts):
    assert contacts["C8"]["is_suspected_duplicate"] and contacts["C9"]["is_suspected_duplicate"]
    assert not contacts["C1"]["is_suspected_duplicate"]
    [row] = visitor_sessions(sessions, "V10")
    assert row["contact_id"] == "C9"


def test_no_row_without_activity(daily):
    assert (date(2024, 3, 5), "direct") not in daily
    for row in daily.values():
        activity = sum(row[c] for c in ("visits", "site_interactions", "new_contacts",
                                        "opportunities", "customers", "sales_interactions"))
        assert activity > 0 or row["revenue_won"] > 0


def test_funnel_daily_columns_in_contract_order(warehouse):
    frame = read_table(warehouse, "marts.mart_funnel_daily")
    assert frame.columns == [
        "metric_date", "channel", "visits", "pageviews", "visitors", "avg_session_seconds",
        "bounce_rate", "new_contacts", "new_subscriber", "new_lead", "new_mql", "new_sql",
        "new_opportunity", "new_customer", "complete_contacts", "completeness_rate",
        "contact_share", "opportunities", "pipeline_amount", "customers", "revenue_won",
        "site_interactions", "pages_per_session", "sales_interactions", "emails_sent",
        "email_open_rate", "email_click_rate", "email_reply_rate", "document_views", "calls",
        "meetings",
        # The counts beside the rates (issue 16), added last so no existing column moves.
        "bounces", "session_seconds", "emails_opened", "emails_clicked", "emails_replied",
    ]
    assert frame.schema["visits"] == pl.Int64 and frame.schema["bounce_rate"] == pl.Float64
    assert frame.schema["pipeline_amount"] == pl.Float64


def test_every_core_model_and_column_is_documented(build):
    """Every column a model or seed of the core build builds is described in its YAML, and
    nothing else is."""
    import json

    import duckdb

    warehouse, result = build
    built_nodes = {r.node.unique_id for r in result.result.results}
    manifest = json.loads((warehouse / "dbt_target" / "manifest.json").read_text())
    con = duckdb.connect(str(warehouse / "warehouse.duckdb"), read_only=True)
    try:
        problems = []
        for node in manifest["nodes"].values():
            if node["resource_type"] not in ("model", "seed") or node["unique_id"] not in built_nodes:
                continue
            if not node["description"].strip():
                problems.append(f"{node['name']}: no description")
            built = [name for (name,) in con.execute(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position",
                [node["schema"], node["alias"]]).fetchall()]
            documented = {name: col["description"] for name, col in node["columns"].items()}
            if set(built) != set(documented):
                problems.append(f"{node['name']}: built {sorted(set(built) - set(documented))} "
                                f"undocumented, documented {sorted(set(documented) - set(built))} "
                                "not built")
            problems += [f"{node['name']}.{name}: no description"
                         for name, text in documented.items() if not text.strip()]
    finally:
        con.close()
    assert not problems, "\n".join(problems)
