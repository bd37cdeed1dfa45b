"""Unit tests of the reference implementation (tests/reference) on tiny hand-made raw tables,
with answers computed by hand from the glossary."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import polars as pl
import pytest
from reference import (
    classify_channel,
    completeness,
    email_send_outcomes,
    latest_versions,
    make_config,
    reference_dim_contacts,
    reference_funnel_daily,
    sessionize,
    stitch_identity,
)
from reference.funnel_reference import (
    classify_channels,
    earliest_versions,
    referrer_host,
    session_id_of,
)

from pipelines.contract import DUCKDB_TYPES, LINEAGE_COLUMNS, SOURCES

POLARS_TYPES = {
    "VARCHAR": pl.String,
    "TIMESTAMP": pl.Datetime("us"),
    "DOUBLE": pl.Float64,
    "BIGINT": pl.Int64,
}

# A copy of the shared seeds, so these tests do not depend on the dbt project's files.
CHANNEL_RULES = pl.DataFrame(
    [
        (10, "paid_social", "true", "(facebook|fb|linkedin|x)", "(.*cp.*|ppc|paid.*)", None),
        (30, "paid_search", "true", None, "(cpc|ppc|paid)", None),
        (40, "email", "true", None, "(e[-_ ]?mail|newsletter)", None),
        (61, "organic_social", "true", "(facebook|fb|linkedin|x)", None, None),
        (71, "organic_search", "true", "(google|bing)", None, None),
        (90, "other", "true", None, None, None),
        (100, "direct", "false", None, None, r"(.*\.)?acme-analytics\.example"),
        (120, "organic_search", "false", None, None, r"(.*\.)?(google|bing)(\.[a-z]+)+"),
        (140, "referral", "false", None, None, ".+"),
        (150, "direct", "false", None, None, None),
    ],
    schema=["priority", "channel", "has_utm", "utm_source_regex", "utm_medium_regex",
            "referrer_host_regex"],
    orient="row",
)  # fmt: skip
ORIGINAL_SOURCES = pl.DataFrame(
    {"original_source": ["paid_search", "webinar", "cold call"],
     "channel": ["paid_search", "events", "outbound"]}
)  # fmt: skip
REQUIRED = ["email", "first_name", "last_name", "company", "job_title", "country", "phone"]
CONFIG = make_config(CHANNEL_RULES, ORIGINAL_SOURCES, REQUIRED)


def ts(text: str) -> datetime:
    return datetime.fromisoformat(text)


def raw_frame(
    source: str, rows: list[dict[str, Any]], source_file: str | None = None
) -> pl.DataFrame:
    """Rows of raw.<source>: contract columns (missing ones null) and lineage columns; each
    row may set its own `_source_file` / `_source_line`, else they count up in one file."""
    spec = SOURCES[source]
    schema = {c: POLARS_TYPES[DUCKDB_TYPES[k]] for c, k in spec.columns.items()}
    schema |= {c: POLARS_TYPES[t] for c, t in LINEAGE_COLUMNS.items()}
    filled = []
    for line, row in enumerate(rows, start=1):
        full = {c: None for c in schema}
        full.update(
            _source_file=source_file or f"{source}/batch_1.csv",
            _source_line=line,
            _file_hash="f",
            _loaded_at=ts("2024-06-01T03:00:00"),
        )
        full.update({k: (ts(v) if schema[k] == pl.Datetime("us") and isinstance(v, str) else v)
                     for k, v in row.items()})  # fmt: skip
        filled.append(full)
    return pl.DataFrame(filled, schema=schema)


def event(eid: str, visitor: str, at: str, kind: str = "page_view", **extra: Any) -> dict:
    return {"event_id": eid, "visitor_id": visitor, "occurred_at": at, "event_type": kind,
            "page_url": "https://acme-analytics.example/", **extra}  # fmt: skip


def contact(cid: str, created: str, **extra: Any) -> dict:
    base = {"contact_id": cid, "created_at": created, "email": f"{cid}@corp.example",
            "first_name": "A", "last_name": "B", "company": "C", "job_title": "D",
            "country": "DE", "phone": "1", "lifecycle_stage": "lead", "updated_at": created}  # fmt: skip
    return base | extra


def raw(web=(), contacts=(), opportunities=(), interactions=()) -> dict[str, pl.DataFrame]:
    return {
        "web_visits": raw_frame("web_visits", list(web)),
        "contacts": raw_frame("contacts", list(contacts)),
        "opportunities": raw_frame("opportunities", list(opportunities)),
        "sales_interactions": raw_frame("sales_interactions", list(interactions)),
    }


def sessions_of(rows: list[dict]) -> list[list[str]]:
    """The event ids of each session, in order."""
    events, _ = sessionize(raw_frame("web_visits", rows))
    grouped: dict[str, list[str]] = {}
    for eid, sid in (
        events.sort("occurred_at", "event_id").select("event_id", "session_id").iter_rows()
    ):
        grouped.setdefault(sid, []).append(eid)
    return sorted(grouped.values())


# --- versions ------------------------------------------------------------------------------


def test_latest_version_of_events_is_last_file_then_last_line():
    frame = pl.concat(
        [
            raw_frame("web_visits", [event("e1", "v1", "2024-05-01T10:00:00", page_url="a"),
                                     event("e1", "v1", "2024-05-01T10:00:00", page_url="b")],
                      source_file="web_visits/2024-05-02.csv"),
            raw_frame("web_visits", [event("e1", "v1", "2024-05-01T10:00:00", page_url="c")],
                      source_file="web_visits/2024-05-01.csv"),
        ]
    )  # fmt: skip
    assert latest_versions(frame, "event_id")["page_url"].to_list() == ["b"]


def test_latest_contact_version_by_updated_at_nulls_last_and_earliest_nulls_first():
    frame = raw_frame(
        "contacts",
        [
            contact("c1", "2024-05-01T00:00:00", updated_at="2024-05-03T00:00:00", lifecycle_stage="mql"),
            contact("c1", "2024-05-01T00:00:00", updated_at=None, lifecycle_stage="subscriber"),
            contact("c1", "2024-05-01T00:00:00", updated_at="2024-05-02T00:00:00", lifecycle_stage="lead"),
            contact("c2", "2024-05-01T00:00:00", updated_at="2024-05-02T00:00:00", lifecycle_stage="lead"),
            contact("c2", "2024-05-01T00:00:00", updated_at="2024-05-02T00:00:00", lifecycle_stage="sql"),
        ],
    )  # fmt: skip
    latest = dict(latest_versions(frame, "contact_id", by_updated_at=True)
                  .select("contact_id", "lifecycle_stage").iter_rows())  # fmt: skip
    assert latest == {"c1": "mql", "c2": "sql"}  # same updated_at: the later line wins
    earliest = dict(earliest_versions(frame, "contact_id")
                    .select("contact_id", "lifecycle_stage").iter_rows())  # fmt: skip
    assert earliest == {"c1": "subscriber", "c2": "lead"}


# --- sessions ------------------------------------------------------------------------------


def test_gap_of_exactly_30_minutes_starts_a_session_29_59_does_not():
    rows = [
        event("a", "v", "2024-05-01T10:00:00"),
        event("b", "v", "2024-05-01T10:29:59"),  # 29:59 after a
        event("c", "v", "2024-05-01T10:59:59"),  # exactly 30:00 after b
    ]
    assert sessions_of(rows) == [["a", "b"], ["c"]]


def test_new_non_empty_campaign_starts_a_session_empty_utms_do_not():
    rows = [
        event("a", "v", "2024-05-01T10:00:00", utm_source="google", utm_medium="cpc", utm_campaign="x"),
        event("b", "v", "2024-05-01T10:01:00"),  # no UTMs: stays
        event("c", "v", "2024-05-01T10:02:00", utm_source="google", utm_medium="cpc", utm_campaign="x"),
        event("d", "v", "2024-05-01T10:03:00", utm_source="google", utm_medium="cpc", utm_campaign="y"),
        event("e", "v", "2024-05-01T10:04:00", utm_source="  ", utm_medium=""),  # empty after trim
        event("f", "v", "2024-05-01T10:05:00", utm_source="google", utm_medium="cpc", utm_campaign="x"),
    ]  # fmt: skip
    assert sessions_of(rows) == [["a", "b", "c"], ["d", "e"], ["f"]]


def test_a_campaign_after_an_untagged_start_starts_a_session():
    rows = [
        event("a", "v", "2024-05-01T10:00:00"),
        event("b", "v", "2024-05-01T10:01:00", utm_campaign="spring"),
    ]
    assert sessions_of(rows) == [["a"], ["b"]]


def test_sessions_are_per_visitor_and_ties_ordered_by_event_id():
    rows = [
        event("b", "v1", "2024-05-01T10:00:00"),
        event("a", "v1", "2024-05-01T10:00:00"),
        event("c", "v2", "2024-05-01T10:00:10"),
    ]
    events, sessions = sessionize(raw_frame("web_visits", rows))
    assert sorted(sessions["session_id"].to_list()) == sorted(
        [session_id_of("v1", "a"), session_id_of("v2", "c")]
    )
    assert session_id_of("v1", "a") == __import__("hashlib").md5(b"v1|a").hexdigest()
    assert events.filter(pl.col("event_id") == "b")["session_id"][0] == session_id_of("v1", "a")


def test_session_crossing_midnight_belongs_to_its_first_day():
    web = [
        event("a", "v", "2024-05-01T23:50:00", referrer_url="https://www.google.com/search?q=1"),
        event("b", "v", "2024-05-02T00:10:00"),
        event("c", "v", "2024-05-02T00:20:00", kind="form_submit"),
    ]
    daily = reference_funnel_daily(raw(web=web), CONFIG)
    rows = {(r["metric_date"], r["channel"]): r for r in daily.iter_rows(named=True)}
    assert set(rows) == {(date(2024, 5, 1), "organic_search"), (date(2024, 5, 2), "organic_search")}
    first = rows[(date(2024, 5, 1), "organic_search")]
    assert (first["visits"], first["pageviews"], first["visitors"]) == (1, 2, 1)
    assert first["avg_session_seconds"] == 30 * 60
    assert first["bounce_rate"] == 0.0
    assert first["pages_per_session"] == 2.0
    assert first["site_interactions"] == 0
    second = rows[(date(2024, 5, 2), "organic_search")]
    # The form submit occurred on the 2nd, in the channel of its session; no visit that day.
    assert second["site_interactions"] == 1
    assert second["visits"] == 0 and second["pageviews"] == 0
    assert second["avg_session_seconds"] is None and second["pages_per_session"] is None
    assert second["bounce_rate"] is None


# --- channels ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("utm", "referrer", "expected"),
    [
        (("Facebook", "CPC", None), None, "paid_social"),  # rule 10 before 30
        (("google", "cpc", None), None, "paid_search"),
        (("  LinkedIn ", None, None), None, "organic_social"),
        (("xyz", None, None), None, "other"),  # `x` must match the whole value
        ((None, None, "spring"), "https://www.google.com/", "other"),  # tagged: UTM rules only
        (("", " ", ""), "https://www.google.de/search", "organic_search"),
        ((None, None, None), "https://WWW.Google.co.uk/", "organic_search"),
        ((None, None, None), "https://app.acme-analytics.example/x", "direct"),
        ((None, None, None), "https://news.example.org/", "referral"),
        ((None, None, None), "not a url", "direct"),
        ((None, None, None), None, "direct"),
        (("newsletter", "e-mail", None), None, "email"),
    ],
)
def test_channel_rules_first_match_wins(utm, referrer, expected):
    assert classify_channel(*utm, referrer, CONFIG.channel_rules) == expected


def test_channel_rules_are_ordered_by_priority_not_by_file_order():
    rules = pl.DataFrame(
        [(20, "referral", None, None, None, ".+"), (10, "events", None, None, None, "expo\\..*")],
        schema=["priority", "channel", "has_utm", "utm_source_regex", "utm_medium_regex",
                "referrer_host_regex"],
        orient="row",
    )  # fmt: skip
    config = make_config(rules, ORIGINAL_SOURCES, REQUIRED)
    assert classify_channel(None, None, None, "http://expo.org/a", config.channel_rules) == "events"
    assert classify_channel("s", None, None, "http://other.org", config.channel_rules) == "referral"
    assert classify_channel(None, None, None, None, config.channel_rules) == "other"  # no match


def test_referrer_host():
    assert referrer_host("https://www.Example.com:8080/path") == "example.com"
    assert referrer_host("android-app://com.google.android.gm/") == "com.google.android.gm"
    assert referrer_host("www.example.com/path") == ""
    assert referrer_host(None) == ""
    assert referrer_host("https://wwwx.example.com") == "wwwx.example.com"


def test_session_channel_is_the_first_events():
    rows = [
        event("a", "v", "2024-05-01T10:00:00", referrer_url="https://t.example.org/"),
        event("b", "v", "2024-05-01T10:01:00", referrer_url="https://google.com/"),
    ]
    _, sessions = sessionize(raw_frame("web_visits", rows))
    assert classify_channels(sessions, CONFIG)["channel"].to_list() == ["referral"]


# --- identity and original channel ---------------------------------------------------------


def test_email_identity_in_mixed_case():
    web = raw_frame(
        "web_visits", [event("a", "v", "2024-05-01T10:00:00", email="  Ann@Corp.Example ")]
    )
    contacts = raw_frame(
        "contacts", [contact("c1", "2024-05-01T11:00:00", email="ann@corp.example")]
    )
    assert stitch_identity(web, contacts).rows() == [("v", "c1")]


def test_visitor_matching_two_contacts_goes_to_the_earliest_identifying_event():
    contacts = raw_frame(
        "contacts",
        [contact("c1", "2024-05-01T00:00:00"), contact("c2", "2024-05-01T00:00:00")],
    )
    web = raw_frame(
        "web_visits",
        [
            event("a", "v1", "2024-05-01T10:00:00", contact_id="c2"),
            event("b", "v1", "2024-05-01T11:00:00", email="c1@corp.example"),
            # Same instant: the smaller contact_id wins.
            event("c", "v2", "2024-05-01T10:00:00", contact_id="c2"),
            event("d", "v2", "2024-05-01T10:00:00", email="c1@corp.example"),
            # A contact the CRM does not know identifies nobody.
            event("e", "v3", "2024-05-01T09:00:00", contact_id="c9"),
            event("f", "v3", "2024-05-01T12:00:00", contact_id="c2"),
            event("g", "v4", "2024-05-01T12:00:00", email="nobody@corp.example"),
        ],
    )
    assert sorted(stitch_identity(web, contacts).rows()) == [
        ("v1", "c2"),
        ("v2", "c1"),
        ("v3", "c2"),
    ]


def test_shared_email_stitches_to_the_first_created_contact():
    contacts = raw_frame(
        "contacts",
        [
            contact("c2", "2024-05-02T00:00:00", email="x@corp.example"),
            contact("c3", "2024-05-01T00:00:00", email="x@corp.example"),
            contact("c1", "2024-05-01T00:00:00", email="x@corp.example"),
        ],
    )
    web = raw_frame("web_visits", [event("a", "v", "2024-05-03T00:00:00", email="x@corp.example")])
    assert stitch_identity(web, contacts).rows() == [("v", "c1")]
    dim = reference_dim_contacts(raw(web=web.to_dicts(), contacts=contacts.to_dicts()), CONFIG)
    assert dim["is_suspected_duplicate"].to_list() == [True, True, True]


def test_original_channel_bases():
    contacts = [
        # Session before creation, another one after: web_session from the first.
        contact("web", "2024-05-01T12:00:00", owner_id="o1", original_source="webinar"),
        # Only session after creation: falls back to original_source.
        contact("late", "2024-05-01T09:00:00", original_source="  Webinar "),
        # Only session after creation, unmapped source, owner: not outbound (has web history).
        contact("late_owner", "2024-05-01T09:00:00", owner_id="o1", original_source="???"),
        # Sales-created: owner, no web history at all.
        contact("sales", "2024-05-01T09:00:00", owner_id="o1"),
        # Sales-created with a blank owner: unknown.
        contact("nobody", "2024-05-01T09:00:00", owner_id="  "),
        # Mapped original source that says outbound: the CRM basis.
        contact("cold", "2024-05-01T09:00:00", owner_id="o1", original_source="cold call"),
    ]
    web = [
        event(
            "w1", "vw", "2024-05-01T12:00:00", contact_id="web", referrer_url="https://bing.com/"
        ),
        event("w2", "vw", "2024-05-01T13:00:00", utm_source="facebook", utm_medium="cpc"),
        event("l1", "vl", "2024-05-01T10:00:00", contact_id="late"),
        event("o1", "vo", "2024-05-02T10:00:00", contact_id="late_owner"),
    ]
    dim = reference_dim_contacts(raw(web=web, contacts=contacts), CONFIG)
    got = {r["contact_id"]: r for r in dim.iter_rows(named=True)}
    assert got["web"]["original_channel"] == "organic_search"
    assert got["web"]["original_channel_basis"] == "web_session"
    assert got["web"]["first_session_id"] == session_id_of("vw", "w1")
    assert got["web"]["first_touch_at"] == ts("2024-05-01T12:00:00")
    assert (got["web"]["stitched_visitors"], got["web"]["stitched_sessions"]) == (1, 2)
    assert (got["late"]["original_channel"], got["late"]["original_channel_basis"]) == (
        "events", "crm_original_source")  # fmt: skip
    assert got["late"]["first_session_id"] is None and got["late"]["first_touch_at"] is None
    assert got["late"]["stitched_sessions"] == 1
    assert (got["late_owner"]["original_channel"], got["late_owner"]["original_channel_basis"]) == (
        "unknown", "unknown")  # fmt: skip
    assert (got["sales"]["original_channel"], got["sales"]["original_channel_basis"]) == (
        "outbound", "outbound")  # fmt: skip
    assert (got["sales"]["stitched_visitors"], got["sales"]["stitched_sessions"]) == (0, 0)
    assert got["nobody"]["original_channel"] == "unknown"
    assert (got["cold"]["original_channel"], got["cold"]["original_channel_basis"]) == (
        "outbound", "crm_original_source")  # fmt: skip


def test_dim_contacts_takes_latest_version_and_stage_at_creation_from_earliest():
    contacts = [
        contact("c1", "2024-05-01T09:00:00", updated_at="2024-05-01T09:00:00", lifecycle_stage="subscriber"),
        contact("c1", "2024-05-01T09:30:00", updated_at="2024-05-04T09:00:00", lifecycle_stage="mql",
                first_name=" ", became_mql_at="2024-05-04T09:00:00"),
    ]  # fmt: skip
    dim = reference_dim_contacts(raw(contacts=contacts), CONFIG)
    row = dim.row(0, named=True)
    assert row["lifecycle_stage"] == "mql"
    assert row["lifecycle_stage_at_creation"] == "subscriber"
    assert row["created_at"] == ts("2024-05-01T09:30:00")
    assert row["created_date"] == date(2024, 5, 1)
    assert row["became_mql_at"] == ts("2024-05-04T09:00:00")
    assert (row["is_complete"], row["missing_fields"]) == (False, "first_name")


# --- completeness --------------------------------------------------------------------------


def test_completeness_lists_missing_fields_in_configured_order():
    frame = raw_frame(
        "contacts",
        [
            contact("ok", "2024-05-01T00:00:00"),
            contact("bad_email", "2024-05-01T00:00:00", email="ann@corp", phone=None),
            contact("no_email", "2024-05-01T00:00:00", email=None, country="", company="  "),
            contact("space", "2024-05-01T00:00:00", email="a b@corp.example"),
            contact("short_tld", "2024-05-01T00:00:00", email="ann@corp.x"),
        ],
    )
    got = dict(completeness(frame, REQUIRED).select("contact_id", "missing_fields").iter_rows())
    assert got == {
        "ok": "",
        "bad_email": "email,phone",
        "no_email": "email,company,country",
        "space": "email",
        "short_tld": "email",
    }
    reordered = completeness(frame, ["phone", "email"])
    assert (
        reordered.filter(pl.col("contact_id") == "bad_email")["missing_fields"][0] == "phone,email"
    )
    assert completeness(frame, REQUIRED)["is_complete"].to_list() == [
        True,
        False,
        False,
        False,
        False,
    ]


# --- email outcomes ------------------------------------------------------------------------


def interaction(iid: str, cid: str, at: str, kind: str) -> dict:
    return {"interaction_id": iid, "contact_id": cid, "occurred_at": at, "interaction_type": kind}


def test_email_open_is_attributed_to_the_latest_prior_send():
    rows = [
        interaction("s1", "c1", "2024-05-01T09:00:00", "email_sent"),
        interaction("o0", "c1", "2024-05-01T08:00:00", "email_opened"),  # before any send
        interaction("o1", "c1", "2024-05-01T09:00:00", "email_opened"),  # same instant: s1
        interaction("s2", "c1", "2024-05-02T09:00:00", "email_sent"),
        interaction("k2", "c1", "2024-05-03T09:00:00", "email_clicked"),  # s2
        interaction("s3", "c2", "2024-05-01T09:00:00", "email_sent"),
        interaction("r3", "c1", "2024-05-01T10:00:00", "email_replied"),  # c1's s1, not c2's s3
    ]
    outcomes = email_send_outcomes(raw_frame("sales_interactions", rows)).sort("interaction_id")
    assert outcomes.select("interaction_id", "opened", "clicked", "replied").rows() == [
        ("s1", True, False, True),
        ("s2", False, True, False),
        ("s3", False, False, False),
    ]


def test_email_rates_on_the_day_of_the_send_and_null_without_sends():
    contacts = [contact("c1", "2024-04-01T00:00:00", owner_id="o1")]  # outbound
    interactions = [
        interaction("s1", "c1", "2024-05-01T09:00:00", "email_sent"),
        interaction("s2", "c1", "2024-05-01T10:00:00", "email_sent"),
        interaction("o2", "c1", "2024-05-02T09:00:00", "email_opened"),  # opens s2, on the 1st
        interaction("m", "c1", "2024-05-02T11:00:00", "meeting"),
        interaction("x", "zz", "2024-05-02T11:00:00", "call"),  # unknown contact
    ]
    daily = reference_funnel_daily(raw(contacts=contacts, interactions=interactions), CONFIG)
    rows = {(r["metric_date"], r["channel"]): r for r in daily.iter_rows(named=True)}
    assert set(rows) == {
        (date(2024, 4, 1), "outbound"),
        (date(2024, 5, 1), "outbound"),
        (date(2024, 5, 2), "outbound"),
        (date(2024, 5, 2), "unknown"),
    }
    first = rows[(date(2024, 5, 1), "outbound")]
    assert (first["sales_interactions"], first["emails_sent"]) == (2, 2)
    assert (first["email_open_rate"], first["email_click_rate"]) == (0.5, 0.0)
    second = rows[(date(2024, 5, 2), "outbound")]
    assert (second["sales_interactions"], second["emails_sent"], second["meetings"]) == (2, 0, 1)
    assert second["email_open_rate"] is None and second["email_reply_rate"] is None
    assert rows[(date(2024, 5, 2), "unknown")]["calls"] == 1
    # No contacts created on the 1st of May: rates over contacts are null.
    assert first["new_contacts"] == 0
    assert first["completeness_rate"] is None and first["contact_share"] is None
    created = rows[(date(2024, 4, 1), "outbound")]
    assert (created["new_contacts"], created["new_lead"], created["complete_contacts"]) == (1, 1, 1)
    assert (created["completeness_rate"], created["contact_share"]) == (1.0, 1.0)


# --- opportunities, customers, contacts ----------------------------------------------------


def opportunity(oid: str, cid: str, created: str, stage: str, **extra: Any) -> dict:
    return {"opportunity_id": oid, "contact_id": cid, "created_at": created, "stage": stage,
            "updated_at": created} | extra  # fmt: skip


def test_opportunities_customers_and_contact_share():
    contacts = [
        contact("c1", "2024-05-01T08:00:00", original_source="paid_search"),
        contact("c2", "2024-05-01T09:00:00", lifecycle_stage="subscriber", phone=None),
        contact("c3", "2024-05-01T10:00:00", lifecycle_stage="Lead", original_source="webinar"),
        contact("c4", "2024-05-01T11:00:00", lifecycle_stage=None, original_source="webinar"),
    ]
    opportunities = [
        opportunity("o1", "c1", "2024-05-02T10:00:00", "proposal", amount=100.0),
        opportunity("o1", "c1", "2024-05-02T10:00:00", "closed_won", amount=150.0,
                    closed_at="2024-05-05T10:00:00", updated_at="2024-05-05T11:00:00"),
        opportunity("o2", "c1", "2024-05-02T12:00:00", "closed_won", amount=None,
                    updated_at="2024-05-06T10:00:00"),  # closes on updated_at
        opportunity("o3", "zz", "2024-05-02T12:00:00", "closed_won", amount=7.5,
                    closed_at="2024-05-05T09:00:00"),  # unknown contact
        opportunity("o4", "c3", "2024-05-02T12:00:00", "closed_lost", amount=1.0,
                    closed_at="2024-05-05T09:00:00"),
    ]  # fmt: skip
    daily = reference_funnel_daily(raw(contacts=contacts, opportunities=opportunities), CONFIG)
    rows = {(r["metric_date"], r["channel"]): r for r in daily.iter_rows(named=True)}
    d1 = date(2024, 5, 1)
    assert set(k for k in rows if k[0] == d1) == {
        (d1, "paid_search"),
        (d1, "unknown"),
        (d1, "events"),
    }
    assert rows[(d1, "paid_search")]["contact_share"] == 0.25
    assert rows[(d1, "events")]["contact_share"] == 0.5
    assert rows[(d1, "events")]["new_contacts"] == 2
    assert rows[(d1, "events")]["new_lead"] == 0  # "Lead" and no stage count in new_contacts only
    assert rows[(d1, "unknown")]["new_subscriber"] == 1
    assert rows[(d1, "unknown")]["completeness_rate"] == 0.0
    d2 = date(2024, 5, 2)
    assert (
        rows[(d2, "paid_search")]["opportunities"],
        rows[(d2, "paid_search")]["pipeline_amount"],
    ) == (2, 150.0)
    assert (rows[(d2, "unknown")]["opportunities"], rows[(d2, "unknown")]["pipeline_amount"]) == (
        1,
        7.5,
    )
    assert (rows[(d2, "events")]["opportunities"], rows[(d2, "events")]["pipeline_amount"]) == (
        1,
        1.0,
    )
    d5, d6 = date(2024, 5, 5), date(2024, 5, 6)
    assert (rows[(d5, "paid_search")]["customers"], rows[(d5, "paid_search")]["revenue_won"]) == (
        1,
        150.0,
    )
    assert (rows[(d5, "unknown")]["customers"], rows[(d5, "unknown")]["revenue_won"]) == (1, 7.5)
    # The second win of c1 is revenue (0: no amount) but not a new customer.
    assert (rows[(d6, "paid_search")]["customers"], rows[(d6, "paid_search")]["revenue_won"]) == (
        0,
        0.0,
    )
    assert (d5, "events") not in rows  # a lost deal closing is no activity
    assert rows[(d5, "paid_search")]["visits"] == 0
    assert rows[(d5, "paid_search")]["avg_session_seconds"] is None


def test_sends_at_the_same_instant_are_ordered_by_interaction_id():
    rows = [
        interaction("s_b", "c1", "2024-05-01T09:00:00", "email_sent"),
        interaction("s_a", "c1", "2024-05-01T09:00:00", "email_sent"),
        interaction("o", "c1", "2024-05-01T09:30:00", "email_opened"),  # s_b: s_a's window is empty
        interaction("s_c", "c1", "2024-05-01T10:00:00", "email_sent"),
        interaction("r", "c1", "2024-05-01T10:00:00", "email_replied"),  # the instant of s_c: s_c
    ]
    outcomes = email_send_outcomes(raw_frame("sales_interactions", rows)).sort("interaction_id")
    assert outcomes.select("interaction_id", "opened", "replied").rows() == [
        ("s_a", False, False),
        ("s_b", True, False),
        ("s_c", False, True),
    ]


# --- the comparison itself -----------------------------------------------------------------


def test_compare_frames_finds_every_kind_of_difference():
    from reference.compare import compare_frames

    expected = pl.DataFrame(
        {"k": ["a", "b", "c"], "n": [1, 2, 3], "x": [1.0, None, 0.3], "s": ["p", None, "q"]}
    )
    same = expected.with_columns(
        pl.col("n").cast(pl.Decimal(38, 0)), (pl.col("x") * (1 + 1e-12)), pl.col("s")
    )
    assert compare_frames("t", expected, same, ("k",)).ok
    zero_sum = expected.with_columns(pl.Series("x", [1.0, None, 0.1 + 0.2]))
    assert compare_frames("t", expected, zero_sum, ("k",)).ok  # within 1e-9 relative

    actual = pl.DataFrame(
        {"k": ["a", "b", "d"], "n": [1, 20, 4], "x": [1.0 + 1e-6, 0.0, 0.3], "s": ["p", "", "q"]}
    )
    result = compare_frames("t", expected, actual, ("k",))
    assert not result.ok
    assert result.missing_rows["k"].to_list() == ["c"]
    assert result.extra_rows["k"].to_list() == ["d"]
    assert set(result.column_diffs) == {"n", "x", "s"}
    assert result.column_diffs["x"][0] == 2  # 1e-6 off, and 0.0 where null is expected
    report = result.report()
    assert "column n: 1 rows differ" in report and "missing from the mart" in report

    missing_column = compare_frames("t", expected, actual.drop("s"), ("k",))
    assert missing_column.missing_columns == ["s"] and not missing_column.ok
