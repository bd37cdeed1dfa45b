"""A small, seeded, adversarial raw data set: the edge cases of the glossary, densely packed.

The generated sample is realistic, so it rarely hits a boundary (a gap of exactly 30:00, two
sends at one instant, a contact created at the very second of its first session, versions whose
`updated_at` tie or is null, ...). These rows do, many times over, so that the dbt marts and the
reference are compared where readings can differ. Rows are as ingestion stores them (text trimmed, empty text
null, emails lower-cased); case is left as a user's exports might have it.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

BASE = datetime(2024, 3, 1)
GAPS = [
    timedelta(0),
    timedelta(seconds=10),
    timedelta(minutes=29, seconds=59),
    timedelta(minutes=30),
    timedelta(minutes=30, seconds=1),
    timedelta(minutes=5),
    timedelta(hours=2),
    timedelta(minutes=29, seconds=59, microseconds=999999),
]
CAMPAIGNS = [
    ("google", "cpc", "spring"),
    ("Google", " CPC ", "spring"),
    ("google", "cpc", "Spring"),
    ("GOOGLE", "cpc", "spring"),
    ("facebook", "paid_social", "x"),
    ("FB", "Paid", None),
    ("newsletter", "email", None),
    ("linkedin", None, None),
    (None, None, "only_campaign"),
    ("weird", "thing", "c"),
    ("  ", "", "c2"),
    ("x", "", ""),
    ("bing", "organic", None),
    ("webinar", None, "q1"),
]
EMPTY_CAMPAIGNS = [(None, None, None), ("", "", ""), ("  ", None, " ")]
REFERRERS = [
    None,
    "https://www.google.com/search?q=acme",
    "https://WWW.Bing.com/",
    "https://mail.google.com/mail/u/0",
    "https://www.acme-analytics.example/pricing",
    "https://docs.acme-analytics.example/",
    "http://news.example.org/a",
    "not a url",
    "",
    "android-app://com.linkedin.android/",
    "https://t.co/abc",
    "https://user@host.example.com/",
    "https://www.linkedin.com:443/feed",
    "https://www.google.co.uk/",
]
EVENT_TYPES = ["page_view"] * 6 + ["form_submit", "pricing_view", "demo_request", "scroll"]
STAGES = ["subscriber", "lead", "mql", "sql", "opportunity", "customer", "Lead", None, "vip"]
ORIGINAL_SOURCES = [None, "webinar", "  Webinar ", "COLD CALL", "paid_search", "mystery", ""]
OWNERS = [None, None, "", "  ", "o1", "o2"]
EMAILS = [
    "shared@corp.example",
    "twin@corp.example",
    "ann@corp",
    "a b@corp.example",
    "x@y.c",
    "no-at.corp.example",
    "",
    None,
]
FIELD_VALUES = ["x", "x", "x", "x", "", "  ", None]
INTERACTIONS = [
    "email_sent",
    "email_sent",
    "email_opened",
    "email_clicked",
    "email_replied",
    "call",
    "meeting",
    "document_viewed",
    "document_clicked",
    "proposal_sent",
]
OPPORTUNITY_STAGES = ["prospecting", "discovery", "proposal", "closed_won", "closed_lost"]


def adversarial_raw(seed: int = 1) -> dict[str, list[dict[str, Any]]]:
    """Rows per raw source, each with `_source_file` (and contract columns)."""
    rng = random.Random(seed)
    contacts = [f"c{i:02d}" for i in range(30)]
    own_email = {c: f"{c}@corp.example" for c in contacts}

    def when(days: int = 4) -> datetime:
        # Whole minutes mostly (ties), a few at 23:4x (sessions crossing midnight).
        day = rng.randrange(days)
        if rng.random() < 0.15:
            return BASE + timedelta(days=day, hours=23, minutes=rng.randrange(40, 60))
        return BASE + timedelta(days=day, hours=rng.randrange(6, 22), minutes=rng.randrange(60))

    # --- web events ---------------------------------------------------------------------
    web: list[dict[str, Any]] = []
    ids = rng.sample(range(10000), 800)
    visitor_events: dict[str, list[dict[str, Any]]] = {}
    for v in range(90):
        visitor = f"v{v:02d}"
        at = when()
        for _ in range(rng.randrange(1, 9)):
            campaign = rng.choice(CAMPAIGNS) if rng.random() < 0.45 else rng.choice(EMPTY_CAMPAIGNS)
            row = {
                "event_id": f"e{ids.pop():04d}",
                "visitor_id": visitor,
                "occurred_at": at,
                "event_type": rng.choice(EVENT_TYPES),
                "page_url": "https://acme-analytics.example/",
                "utm_source": campaign[0],
                "utm_medium": campaign[1],
                "utm_campaign": campaign[2],
                "referrer_url": rng.choice(REFERRERS),
                "_source_file": "web_visits/b1.csv",
            }
            roll = rng.random()
            if roll < 0.12:
                row["contact_id"] = rng.choice(contacts)
            elif roll < 0.15:
                row["contact_id"] = "c99"  # not in the CRM
            elif roll < 0.27:
                row["email"] = rng.choice([*own_email.values(), *EMAILS[:2], "stranger@x.example"])
            web.append(row)
            visitor_events.setdefault(visitor, []).append(row)
            at = at + rng.choice(GAPS)
    # Later versions of some events (a later file wins; an earlier-named file loses).
    for row in rng.sample(web, 40):
        changed = dict(row)
        changed["_source_file"] = rng.choice(["web_visits/b2.csv", "web_visits/a0.csv"])
        change = rng.randrange(3)
        if change == 0:
            changed["occurred_at"] = row["occurred_at"] + rng.choice(GAPS)
        elif change == 1:
            changed["utm_source"], changed["utm_medium"], changed["utm_campaign"] = rng.choice(
                CAMPAIGNS
            )
        else:
            changed["event_type"] = rng.choice(EVENT_TYPES)
        web.append(changed)

    # --- contacts -----------------------------------------------------------------------
    crm: list[dict[str, Any]] = []
    first_event_of_identifying_visitor: dict[str, list[datetime]] = {}
    for rows in visitor_events.values():
        for row in rows:
            if row.get("contact_id") in own_email:
                first_event_of_identifying_visitor.setdefault(row["contact_id"], []).append(
                    rows[0]["occurred_at"]
                )
    for c in contacts:
        created = when()
        if c in first_event_of_identifying_visitor and rng.random() < 0.6:
            # At the very instant its (likely) first session started.
            created = rng.choice(first_event_of_identifying_visitor[c])
        email = own_email[c] if rng.random() < 0.7 else rng.choice(EMAILS)
        versions = rng.randrange(1, 4)
        updated = [
            None if rng.random() < 0.2 else created + timedelta(hours=rng.choice([0, 1, 1, 5]))
            for _ in range(versions)
        ]
        for k in range(versions):
            row = {
                "contact_id": c,
                "created_at": created if rng.random() < 0.8 else created + timedelta(hours=1),
                "email": email if rng.random() < 0.8 else rng.choice(EMAILS),
                "lifecycle_stage": rng.choice(STAGES),
                "original_source": rng.choice(ORIGINAL_SOURCES),
                "owner_id": rng.choice(OWNERS),
                "lead_status": rng.choice(["new", None]),
                "became_lead_at": rng.choice([None, created]),
                "became_mql_at": rng.choice([None, created + timedelta(days=1)]),
                "became_sql_at": None,
                "updated_at": updated[k],
                "_source_file": rng.choice(["contacts/b1.csv", "contacts/b2.csv"]),
            }
            for name in ("first_name", "last_name", "phone", "company", "job_title", "country"):
                row[name] = rng.choice(FIELD_VALUES)
            crm.append(row)
    # Sales-created contacts: an owner, no web history.
    for i in range(4):
        crm.append(
            {
                "contact_id": f"s{i}",
                "created_at": when(),
                "email": "shared@corp.example" if i < 2 else f"s{i}@corp.example",
                "owner_id": "o1",
                "original_source": None if i % 2 else "Cold Call",
                "lifecycle_stage": "lead",
                "updated_at": None,
                "_source_file": "contacts/b1.csv",
            }
        )

    # --- opportunities ------------------------------------------------------------------
    deals: list[dict[str, Any]] = []
    for i in range(24):
        contact = rng.choice([*contacts[:10], "s0", "c98", "c97"])
        created = when(3)
        for k in range(rng.randrange(1, 4)):
            stage = rng.choice(OPPORTUNITY_STAGES)
            closed = None
            if stage.startswith("closed") and rng.random() < 0.7:
                closed = created + timedelta(days=rng.randrange(0, 2), hours=rng.randrange(3))
            deals.append(
                {
                    "opportunity_id": f"o{i:02d}",
                    "contact_id": contact,
                    "created_at": created,
                    "stage": stage,
                    "amount": rng.choice([None, 1000.0, 250.5, 0.0, 1e6 / 3]),
                    "currency": rng.choice(["EUR", "USD", None]),
                    "closed_at": closed,
                    "segment": rng.choice(["smb", "enterprise", None]),
                    "updated_at": rng.choice(
                        [None, created + timedelta(days=k), created + timedelta(days=2)]
                    ),
                    "_source_file": rng.choice(["opportunities/b1.csv", "opportunities/b2.csv"]),
                }
            )

    # --- sales interactions -------------------------------------------------------------
    touches: list[dict[str, Any]] = []
    for _ in range(260):
        touches.append(
            {
                "interaction_id": f"i{rng.randrange(100000):05d}",
                "contact_id": rng.choice([*contacts[:12], "s0", "s2", "c98"]),
                # Whole hours: sends and responses often share an instant.
                "occurred_at": BASE + timedelta(days=rng.randrange(4), hours=rng.randrange(8, 12)),
                "interaction_type": rng.choice(INTERACTIONS),
                "_source_file": "sales_interactions/b1.csv",
            }
        )
    for row in rng.sample(touches, 20):  # versions: same id, another type or time
        touches.append(
            dict(
                row,
                interaction_type=rng.choice(INTERACTIONS),
                occurred_at=row["occurred_at"] + timedelta(hours=rng.choice([0, 1])),
                _source_file="sales_interactions/b2.csv",
            )
        )
    # --- deterministic corner cases, on days nothing else happens -------------------------
    day = BASE + timedelta(days=10)
    # A second and third win of an existing customer: revenue without a new customer; one of
    # them without an amount. A won deal with neither date; a lost deal closing alone.
    for oid, closed, amount in [
        ("ow1", BASE + timedelta(hours=9), 100.0),
        ("ow2", day + timedelta(hours=9), None),
        ("ow3", day + timedelta(days=1, hours=9), 500.0),
    ]:
        deals.append({"opportunity_id": oid, "contact_id": "s1", "created_at": BASE,
                      "stage": "closed_won", "amount": amount, "closed_at": closed,
                      "updated_at": closed, "_source_file": "opportunities/b3.csv"})  # fmt: skip
    deals.append({"opportunity_id": "ow4", "contact_id": "s3", "created_at": BASE,
                  "stage": "closed_won", "amount": 9.0, "_source_file": "opportunities/b3.csv"})  # fmt: skip
    deals.append({"opportunity_id": "ol1", "contact_id": "s3", "created_at": BASE,
                  "stage": "closed_lost", "amount": 9.0, "closed_at": day + timedelta(days=2),
                  "_source_file": "opportunities/b3.csv"})  # fmt: skip
    # A session that starts before midnight and has its only site interaction after it.
    for eid, at, kind in [
        ("zz1", day + timedelta(days=3, hours=23, minutes=50), "page_view"),
        ("zz2", day + timedelta(days=4, minutes=5), "demo_request"),
    ]:
        web.append({"event_id": eid, "visitor_id": "vzz", "occurred_at": at, "event_type": kind,
                    "page_url": "https://acme-analytics.example/", "utm_source": "Bing",
                    "utm_medium": "organic", "_source_file": "web_visits/b3.csv"})  # fmt: skip
    # Responses before any send, at the instant of a send, to an unknown contact.
    for iid, hours, kind in [
        ("zi1", 1, "email_opened"),
        ("zi2", 2, "email_sent"),
        ("zi3", 2, "email_sent"),
        ("zi4", 2, "email_clicked"),
        ("zi5", 3, "email_sent"),
        ("zi6", 3, "email_replied"),
    ]:
        touches.append({"interaction_id": iid, "contact_id": "c98",
                        "occurred_at": day + timedelta(days=5, hours=hours),
                        "interaction_type": kind,
                        "_source_file": "sales_interactions/b3.csv"})  # fmt: skip

    sources = {
        "web_visits": web,
        "contacts": crm,
        "opportunities": deals,
        "sales_interactions": touches,
    }
    return {name: [as_ingested(row) for row in rows] for name, rows in sources.items()}


def as_ingested(row: dict[str, Any]) -> dict[str, Any]:
    """What ingestion stores: text trimmed, empty text as null, emails lower-cased."""
    out = {}
    for name, value in row.items():
        if isinstance(value, str) and not name.startswith("_"):
            value = value.strip() or None
            if value is not None and name == "email":
                value = value.lower()
        out[name] = value
    return out
