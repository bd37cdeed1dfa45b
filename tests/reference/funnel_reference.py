"""An independent reimplementation of the funnel marts, from the raw tables and the shared
configuration, written from the text of `dbt_project/models/glossary.md` and DESIGN.md alone
(never from the dbt SQL).

The algorithms are deliberately not the SQL ones: versions are picked by sorting and keeping the
first row, sessions are cut by walking each visitor's events in plain Python, channel rules are
matched with Python's `re.fullmatch`, email outcomes are attributed by binary search over each
contact's sends, and the daily mart is accumulated in dictionaries. Where the glossary is open to
more than one reading, the reading chosen here is written down next to the code as
"READING:"; the comparison test exists to surface disagreements between the two readings.
"""

from __future__ import annotations

import bisect
import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import polars as pl
import yaml

from reference.contact_links import resolve_contacts

RAW_SOURCES = ("web_visits", "contacts", "opportunities", "sales_interactions")
LIFECYCLE_STAGES = ("subscriber", "lead", "mql", "sql", "opportunity", "customer")
CAMPAIGN_COLUMNS = ("utm_source", "utm_medium", "utm_campaign")
EMAIL_PATTERN = re.compile(r"[^@\s]+@[^@\s]+\.[a-z]{2,}")  # used with fullmatch (= ^...$)
HOST_PATTERN = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://([^/:?#]+)")
EMAIL_OUTCOMES = {"email_opened": "opened", "email_clicked": "clicked", "email_replied": "replied"}

DIM_CONTACTS_COLUMNS = (
    "contact_id", "email", "first_name", "last_name", "phone", "company", "job_title",
    "country", "owner_id", "lead_status", "original_source", "lifecycle_stage",
    "lifecycle_stage_at_creation", "created_at", "created_date", "updated_at",
    "became_lead_at", "became_mql_at", "became_sql_at", "original_channel",
    "original_channel_basis", "first_session_id", "first_touch_at", "stitched_visitors",
    "stitched_sessions", "is_complete", "missing_fields", "is_suspected_duplicate",
)  # fmt: skip

FUNNEL_COUNT_COLUMNS = (
    "visits", "pageviews", "visitors", "new_contacts",
    *(f"new_{stage}" for stage in LIFECYCLE_STAGES),
    "complete_contacts", "opportunities", "customers", "site_interactions",
    "sales_interactions", "emails_sent", "document_views", "calls", "meetings",
)  # fmt: skip
# The counts behind the rates, published beside them (the mart's last columns).
FUNNEL_RATE_COUNT_COLUMNS = ("bounces", "emails_opened", "emails_clicked", "emails_replied")
FUNNEL_FLOAT_COLUMNS = (
    "avg_session_seconds", "bounce_rate", "completeness_rate", "contact_share",
    "pipeline_amount", "revenue_won", "pages_per_session", "email_open_rate",
    "email_click_rate", "email_reply_rate", "session_seconds",
)  # fmt: skip
FUNNEL_COLUMNS = (
    "metric_date", "channel",
    "visits", "pageviews", "visitors", "avg_session_seconds", "bounce_rate",
    "new_contacts", *(f"new_{stage}" for stage in LIFECYCLE_STAGES),
    "complete_contacts", "completeness_rate", "contact_share",
    "opportunities", "pipeline_amount", "customers", "revenue_won",
    "site_interactions", "pages_per_session",
    "sales_interactions", "emails_sent", "email_open_rate", "email_click_rate",
    "email_reply_rate", "document_views", "calls", "meetings",
    "bounces", "session_seconds", "emails_opened", "emails_clicked", "emails_replied",
)  # fmt: skip


# --------------------------------------------------------------------------------------------
# Configuration and inputs
# --------------------------------------------------------------------------------------------


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def _text(value: Any) -> str:
    """coalesce(trim(value), '')."""
    return "" if value is None else str(value).strip()


@dataclass(frozen=True)
class ChannelRule:
    priority: int
    channel: str
    has_utm: bool | None  # None: the rule does not care
    utm_source_regex: re.Pattern[str] | None
    utm_medium_regex: re.Pattern[str] | None
    referrer_host_regex: re.Pattern[str] | None


@dataclass(frozen=True)
class Config:
    channel_rules: tuple[ChannelRule, ...]
    original_source_channels: dict[str, str]  # normalised original_source -> channel
    contact_required_fields: tuple[str, ...]
    session_timeout_minutes: int = 30
    extra: dict[str, Any] = field(default_factory=dict)


def _compile(pattern: Any) -> re.Pattern[str] | None:
    return None if _blank(pattern) else re.compile(str(pattern).strip())


def make_config(
    channel_rules: pl.DataFrame,
    original_source_channels: pl.DataFrame,
    contact_required_fields: list[str] | tuple[str, ...],
    session_timeout_minutes: int = 30,
) -> Config:
    """Build the configuration from the two seed tables (as frames) and the dbt vars."""
    rules = []
    for row in channel_rules.iter_rows(named=True):
        has_utm_text = _text(row.get("has_utm")).lower()
        if has_utm_text not in ("", "true", "false"):
            raise ValueError(f"channel_rules: has_utm must be blank, true or false: {row}")
        rules.append(
            ChannelRule(
                priority=int(row["priority"]),
                channel=_text(row["channel"]),
                has_utm=None if has_utm_text == "" else has_utm_text == "true",
                utm_source_regex=_compile(row.get("utm_source_regex")),
                utm_medium_regex=_compile(row.get("utm_medium_regex")),
                referrer_host_regex=_compile(row.get("referrer_host_regex")),
            )
        )
    rules.sort(key=lambda r: r.priority)
    mapping: dict[str, str] = {}
    for row in original_source_channels.iter_rows(named=True):
        if _blank(row["original_source"]):
            continue
        mapping.setdefault(_text(row["original_source"]).lower(), _text(row["channel"]))
    return Config(
        channel_rules=tuple(rules),
        original_source_channels=mapping,
        contact_required_fields=tuple(contact_required_fields),
        session_timeout_minutes=int(session_timeout_minutes),
    )


def load_config(project_dir: str | Path) -> Config:
    """Read the shared configuration of the dbt project: the seeds `channel_rules` and
    `original_source_channels` and the vars of `dbt_project.yml`."""
    project_dir = Path(project_dir)
    seeds = project_dir / "seeds"
    channel_rules = pl.read_csv(seeds / "channel_rules.csv", infer_schema=False)
    original = pl.read_csv(seeds / "original_source_channels.csv", infer_schema=False)
    project = yaml.safe_load((project_dir / "dbt_project.yml").read_text())
    variables = project.get("vars") or {}
    return make_config(
        channel_rules,
        original,
        variables["contact_required_fields"],
        variables.get("session_timeout_minutes", 30),
    )


def load_raw(con) -> dict[str, pl.DataFrame]:
    """The four raw tables of a warehouse connection, every version of every key, and the
    optional raw.associations where it exists."""
    raw = {name: con.sql(f"SELECT * FROM raw.{name}").pl() for name in RAW_SOURCES}
    tables = {t for (t,) in con.execute("SELECT table_name FROM information_schema.tables "
                                        "WHERE table_schema = 'raw'").fetchall()}
    if "associations" in tables:
        raw["associations"] = con.sql("SELECT * FROM raw.associations").pl()
    return raw


# --------------------------------------------------------------------------------------------
# Versions
# --------------------------------------------------------------------------------------------


def latest_versions(df: pl.DataFrame, key: str, by_updated_at: bool = False) -> pl.DataFrame:
    """One row per `key`: the latest version.

    Web events and sales interactions (`by_updated_at=False`): by `_source_file desc,
    _source_line desc`. Contacts and opportunities (`by_updated_at=True`): by `updated_at desc
    nulls last`, then `_source_file desc, _source_line desc`. `_loaded_at` is never used.
    """
    if by_updated_at:
        ordered = df.sort(
            [pl.col("updated_at").is_null(), pl.col("updated_at"), "_source_file", "_source_line"],
            descending=[False, True, True, True],
        )
    else:
        ordered = df.sort(["_source_file", "_source_line"], descending=[True, True])
    return ordered.unique(subset=[key], keep="first", maintain_order=True)


def earliest_versions(df: pl.DataFrame, key: str) -> pl.DataFrame:
    """One row per `key`: the earliest version by `updated_at asc nulls first, _source_file
    asc, _source_line asc` (used for the lifecycle stage at creation)."""
    ordered = df.sort(
        [pl.col("updated_at").is_not_null(), pl.col("updated_at"), "_source_file", "_source_line"]
    )
    return ordered.unique(subset=[key], keep="first", maintain_order=True)


# --------------------------------------------------------------------------------------------
# Sessions and channels
# --------------------------------------------------------------------------------------------


def _campaign(event: dict[str, Any]) -> tuple[str, str, str]:
    # A campaign is the triple (utm_source, utm_medium, utm_campaign), each coalesced to ''
    # and trimmed, compared case-sensitively (glossary, "session"; my first reading, before
    # the glossary said so).
    return tuple(_text(event.get(c)) for c in CAMPAIGN_COLUMNS)  # type: ignore[return-value]


def session_id_of(visitor_id: str, first_event_id: str) -> str:
    return hashlib.md5(f"{visitor_id}|{first_event_id}".encode()).hexdigest()


def sessionize(
    events: pl.DataFrame, timeout_minutes: int = 30
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Cut each visitor's events (already one version per event) into sessions, by walking them
    in order of (`occurred_at`, `event_id`).

    Returns (events with `session_id`, sessions). A session row carries its first event's UTM
    parameters and referrer (what the channel is decided on), `started_at`, `ended_at`,
    `event_count` and `pageview_count`.
    """
    timeout = timedelta(minutes=timeout_minutes)
    rows = sorted(
        events.iter_rows(named=True),
        key=lambda e: (e["visitor_id"], e["occurred_at"], e["event_id"]),
    )
    event_sessions: list[str] = []
    event_ids: list[str] = []
    sessions: list[dict[str, Any]] = []
    current: dict[str, Any] | None = None
    previous: dict[str, Any] | None = None
    for event in rows:
        campaign = _campaign(event)
        new_session = (
            current is None
            or previous["visitor_id"] != event["visitor_id"]
            or event["occurred_at"] - previous["occurred_at"] >= timeout
            or (any(campaign) and campaign != current["_campaign"])
        )
        if new_session:
            current = {
                "session_id": session_id_of(event["visitor_id"], event["event_id"]),
                "visitor_id": event["visitor_id"],
                "first_event_id": event["event_id"],
                "started_at": event["occurred_at"],
                "ended_at": event["occurred_at"],
                "event_count": 0,
                "pageview_count": 0,
                "utm_source": event.get("utm_source"),
                "utm_medium": event.get("utm_medium"),
                "utm_campaign": event.get("utm_campaign"),
                "referrer_url": event.get("referrer_url"),
                "_campaign": campaign,
            }
            sessions.append(current)
        current["ended_at"] = event["occurred_at"]
        current["event_count"] += 1
        if event["event_type"] == "page_view":
            current["pageview_count"] += 1
        event_sessions.append(current["session_id"])
        event_ids.append(event["event_id"])
        previous = event
    mapping = pl.DataFrame(
        {"event_id": event_ids, "session_id": event_sessions},
        schema={"event_id": pl.String, "session_id": pl.String},
    )
    sessions_frame = pl.DataFrame(
        [{k: v for k, v in s.items() if k != "_campaign"} for s in sessions],
        schema={
            "session_id": pl.String,
            "visitor_id": pl.String,
            "first_event_id": pl.String,
            "started_at": pl.Datetime("us"),
            "ended_at": pl.Datetime("us"),
            "event_count": pl.Int64,
            "pageview_count": pl.Int64,
            "utm_source": pl.String,
            "utm_medium": pl.String,
            "utm_campaign": pl.String,
            "referrer_url": pl.String,
        },
    )
    return events.join(mapping, on="event_id", how="left"), sessions_frame


def referrer_host(referrer_url: str | None) -> str:
    """Lower-cased host of the referrer, without a leading `www.`; '' when there is none."""
    if referrer_url is None:
        return ""
    match = HOST_PATTERN.search(referrer_url)
    if not match:
        return ""
    host = match.group(1).lower()
    return host[4:] if host.startswith("www.") else host


def classify_channel(
    utm_source: str | None,
    utm_medium: str | None,
    utm_campaign: str | None,
    referrer_url: str | None,
    rules: tuple[ChannelRule, ...] | list[ChannelRule],
) -> str:
    """The channel of one event: the first rule (by priority) that matches, else `other`."""
    src = _text(utm_source).lower()
    med = _text(utm_medium).lower()
    has_utm = any(_text(v) != "" for v in (utm_source, utm_medium, utm_campaign))
    host = referrer_host(referrer_url)
    for rule in rules:
        if rule.has_utm is not None and rule.has_utm != has_utm:
            continue
        if rule.utm_source_regex is not None and not rule.utm_source_regex.fullmatch(src):
            continue
        if rule.utm_medium_regex is not None and not rule.utm_medium_regex.fullmatch(med):
            continue
        if rule.referrer_host_regex is not None and not rule.referrer_host_regex.fullmatch(host):
            continue
        return rule.channel
    return "other"


def classify_channels(sessions: pl.DataFrame, config: Config) -> pl.DataFrame:
    """Add `channel` to sessions (decided on the first event's UTMs and referrer)."""
    channels = [
        classify_channel(
            s["utm_source"], s["utm_medium"], s["utm_campaign"], s["referrer_url"],
            config.channel_rules,
        )
        for s in sessions.iter_rows(named=True)
    ]  # fmt: skip
    return sessions.with_columns(pl.Series("channel", channels, dtype=pl.String))


# --------------------------------------------------------------------------------------------
# Identity, original channel, completeness
# --------------------------------------------------------------------------------------------


def _norm_email(value: Any) -> str:
    return _text(value).lower()


def email_owners(contacts: pl.DataFrame) -> dict[str, str]:
    """Normalised email -> the contact it identifies: the first-created contact having it
    (then the smallest contact_id). Empty emails identify nobody."""
    best: dict[str, tuple[datetime, str]] = {}
    for c in contacts.iter_rows(named=True):
        email = _norm_email(c["email"])
        if not email:
            continue
        candidate = (c["created_at"], c["contact_id"])
        if email not in best or candidate < best[email]:
            best[email] = candidate
    return {email: cid for email, (_, cid) in best.items()}


def stitch_identity(events: pl.DataFrame, contacts: pl.DataFrame) -> pl.DataFrame:
    """visitor_id -> contact_id for every visitor that can be identified.

    An event identifies the contact whose `contact_id` it carries (when the CRM knows that
    contact) and the contact owning its email (see `email_owners`). A visitor goes to the
    contact identified by its earliest identifying event, ties by smallest contact_id.
    """
    known = set(contacts["contact_id"].to_list())
    owners = email_owners(contacts)
    best: dict[str, tuple[datetime, str]] = {}
    for e in events.iter_rows(named=True):
        # READING: an event's contact_id is compared exactly (no trimming); the email is
        # compared trimmed and lower-cased. Both ways of identifying count equally, and one
        # event may identify two contacts (its contact_id and its email): the smaller
        # contact_id then wins, as for any tie on the time of the identifying event.
        identified = []
        if e.get("contact_id") is not None and e["contact_id"] in known:
            identified.append(e["contact_id"])
        email = _norm_email(e.get("email"))
        if email and email in owners:
            identified.append(owners[email])
        for cid in identified:
            candidate = (e["occurred_at"], cid)
            if e["visitor_id"] not in best or candidate < best[e["visitor_id"]]:
                best[e["visitor_id"]] = candidate
    return pl.DataFrame(
        {"visitor_id": list(best), "contact_id": [cid for _, cid in best.values()]},
        schema={"visitor_id": pl.String, "contact_id": pl.String},
    )


def original_channels(
    contacts: pl.DataFrame,
    sessions: pl.DataFrame,
    stitched: pl.DataFrame,
    config: Config,
) -> pl.DataFrame:
    """Per contact: original_channel, original_channel_basis, first_session_id,
    first_touch_at, stitched_visitors, stitched_sessions.

    `sessions` must carry `channel` (see `classify_channels`).
    """
    visitors_of: dict[str, list[str]] = defaultdict(list)
    for visitor_id, contact_id in stitched.iter_rows():
        visitors_of[contact_id].append(visitor_id)
    sessions_of_visitor: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for s in sessions.iter_rows(named=True):
        sessions_of_visitor[s["visitor_id"]].append(s)

    out = []
    for c in contacts.iter_rows(named=True):
        visitors = visitors_of.get(c["contact_id"], [])
        own_sessions = [s for v in visitors for s in sessions_of_visitor.get(v, [])]
        # "first" session = earliest started_at, ties by smallest session_id (glossary).
        before = sorted(
            (s for s in own_sessions if s["started_at"] <= c["created_at"]),
            key=lambda s: (s["started_at"], s["session_id"]),
        )
        first_session = before[0] if before else None
        mapped = config.original_source_channels.get(_text(c.get("original_source")).lower())
        if first_session is not None:
            channel, basis = first_session["channel"], "web_session"
        elif mapped is not None:
            channel, basis = mapped, "crm_original_source"
        elif not _blank(c.get("owner_id")) and not own_sessions:
            # READING: "has an owner_id" = owner_id not null and not empty after trim;
            # "no stitched session at all" = no session of any stitched visitor, at any time.
            channel, basis = "outbound", "outbound"
        else:
            channel, basis = "unknown", "unknown"
        out.append(
            {
                "contact_id": c["contact_id"],
                "original_channel": channel,
                "original_channel_basis": basis,
                "first_session_id": first_session["session_id"] if first_session else None,
                "first_touch_at": first_session["started_at"] if first_session else None,
                # READING: counts, 0 (not null) for a contact with no web history.
                "stitched_visitors": len(visitors),
                "stitched_sessions": len(own_sessions),
            }
        )
    return pl.DataFrame(
        out,
        schema={
            "contact_id": pl.String,
            "original_channel": pl.String,
            "original_channel_basis": pl.String,
            "first_session_id": pl.String,
            "first_touch_at": pl.Datetime("us"),
            "stitched_visitors": pl.Int64,
            "stitched_sessions": pl.Int64,
        },
    )


def is_valid_email(value: Any) -> bool:
    return EMAIL_PATTERN.fullmatch(_norm_email(value)) is not None


def completeness(
    contacts: pl.DataFrame, required_fields: tuple[str, ...] | list[str]
) -> pl.DataFrame:
    """Per contact: missing_fields (comma-separated, in the configured order) and is_complete."""
    out = []
    for c in contacts.iter_rows(named=True):
        missing = []
        for name in required_fields:
            value = c.get(name)
            absent = (not is_valid_email(value)) if name == "email" else _blank(value)
            if absent:
                missing.append(name)
        out.append(
            {
                "contact_id": c["contact_id"],
                "is_complete": not missing,
                "missing_fields": ",".join(missing),
            }
        )
    return pl.DataFrame(
        out,
        schema={"contact_id": pl.String, "is_complete": pl.Boolean, "missing_fields": pl.String},
    )


def suspected_duplicates(contacts: pl.DataFrame) -> pl.DataFrame:
    """Per contact: whether another contact_id shares its normalised (non-empty) email."""
    holders: dict[str, set[str]] = defaultdict(set)
    for cid, email in contacts.select("contact_id", "email").iter_rows():
        if _norm_email(email):
            holders[_norm_email(email)].add(cid)
    flags = [
        bool(_norm_email(email)) and len(holders[_norm_email(email)]) > 1
        for email in contacts["email"].to_list()
    ]
    return pl.DataFrame(
        {"contact_id": contacts["contact_id"], "is_suspected_duplicate": flags},
        schema={"contact_id": pl.String, "is_suspected_duplicate": pl.Boolean},
    )


# --------------------------------------------------------------------------------------------
# Sales: email send outcomes
# --------------------------------------------------------------------------------------------


def email_send_outcomes(interactions: pl.DataFrame) -> pl.DataFrame:
    """One row per `email_sent` interaction with booleans opened, clicked, replied.

    A send counts as opened (clicked, replied) when the same contact has an `email_opened`
    (...) at or after the send and before the next `email_sent` to that contact, a contact's
    sends being ordered by (`occurred_at`, `interaction_id`). Equivalently: each engagement
    credits the contact's last send (in that order) at or before it, found by binary search.
    """
    # The glossary orders sends by (occurred_at, interaction_id): of two sends at the same
    # instant, the first one's window [t, t) is empty, so only the second is credited; a
    # response at the very instant of the next send belongs to that next send.
    sends: dict[str, list[tuple[datetime, str]]] = defaultdict(list)
    engagements: list[dict[str, Any]] = []
    send_rows: list[dict[str, Any]] = []
    for row in interactions.iter_rows(named=True):
        if row["interaction_type"] == "email_sent":
            if row["contact_id"] is not None:  # a send with no contact has no responses
                sends[row["contact_id"]].append((row["occurred_at"], row["interaction_id"]))
            send_rows.append(row)
        elif row["interaction_type"] in EMAIL_OUTCOMES:
            engagements.append(row)
    for rows in sends.values():
        rows.sort()
    credited: dict[str, set[str]] = defaultdict(set)  # interaction_id of send -> outcomes
    for e in engagements:
        ordered = sends.get(e["contact_id"])
        if not ordered:
            continue
        times = [t for t, _ in ordered]
        index = bisect.bisect_right(times, e["occurred_at"]) - 1
        if index < 0:
            continue  # before any send
        credited[ordered[index][1]].add(EMAIL_OUTCOMES[e["interaction_type"]])
    out = [
        {
            "interaction_id": s["interaction_id"],
            "contact_id": s["contact_id"],
            "occurred_at": s["occurred_at"],
            "opened": "opened" in credited[s["interaction_id"]],
            "clicked": "clicked" in credited[s["interaction_id"]],
            "replied": "replied" in credited[s["interaction_id"]],
        }
        for s in send_rows
    ]
    return pl.DataFrame(
        out,
        schema={
            "interaction_id": pl.String,
            "contact_id": pl.String,
            "occurred_at": pl.Datetime("us"),
            "opened": pl.Boolean,
            "clicked": pl.Boolean,
            "replied": pl.Boolean,
        },
    )


# --------------------------------------------------------------------------------------------
# The marts
# --------------------------------------------------------------------------------------------


@dataclass
class Intermediate:
    contacts: pl.DataFrame  # latest versions
    events: pl.DataFrame  # latest versions, with session_id
    sessions: pl.DataFrame  # with channel
    stitched: pl.DataFrame
    dim_contacts: pl.DataFrame
    opportunities: pl.DataFrame  # latest versions
    interactions: pl.DataFrame  # latest versions


def build(raw: dict[str, pl.DataFrame], config: Config) -> Intermediate:
    contacts = latest_versions(raw["contacts"], "contact_id", by_updated_at=True)
    earliest = earliest_versions(raw["contacts"], "contact_id").select(
        "contact_id", pl.col("lifecycle_stage").alias("lifecycle_stage_at_creation")
    )
    events = latest_versions(raw["web_visits"], "event_id")
    events, sessions = sessionize(events, config.session_timeout_minutes)
    sessions = classify_channels(sessions, config)
    stitched = stitch_identity(events, contacts)
    channels = original_channels(contacts, sessions, stitched, config)
    dim = (
        contacts.join(earliest, on="contact_id", how="left")
        .join(channels, on="contact_id", how="left")
        .join(completeness(contacts, config.contact_required_fields), on="contact_id", how="left")
        .join(suspected_duplicates(contacts), on="contact_id", how="left")
        .with_columns(pl.col("created_at").dt.date().alias("created_date"))
        .select(DIM_CONTACTS_COLUMNS)
        .sort("contact_id")
    )
    return Intermediate(
        contacts=contacts,
        events=events,
        sessions=sessions,
        stitched=stitched,
        dim_contacts=dim,
        opportunities=resolve_contacts(
            latest_versions(raw["opportunities"], "opportunity_id", by_updated_at=True),
            "opportunity_id", "opportunity", raw.get("associations")),
        interactions=resolve_contacts(
            latest_versions(raw["sales_interactions"], "interaction_id"),
            "interaction_id", "interaction", raw.get("associations"), email_owners(contacts)),
    )


def reference_dim_contacts(raw: dict[str, pl.DataFrame], config: Config) -> pl.DataFrame:
    return build(raw, config).dim_contacts


def _day(value: datetime) -> date:
    return value.date()


def _ratio(numerator: float, denominator: float) -> float | None:
    return None if denominator == 0 else numerator / denominator


def funnel_daily_from(parts: Intermediate) -> pl.DataFrame:
    counts: dict[tuple[date, str], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    visitors: dict[tuple[date, str], set[str]] = defaultdict(set)

    # 1. visits: sessions by the date of their first event and their channel.
    session_channel: dict[str, str] = {}
    for s in parts.sessions.iter_rows(named=True):
        session_channel[s["session_id"]] = s["channel"]
        key = (_day(s["started_at"]), s["channel"])
        row = counts[key]
        row["visits"] += 1
        row["pageviews"] += s["pageview_count"]
        row["_session_seconds"] += (s["ended_at"] - s["started_at"]).total_seconds()
        row["_bounces"] += 1 if s["event_count"] == 1 else 0
        visitors[key].add(s["visitor_id"])

    # 7. site interactions: non-page-view events by the date they occurred, in the channel of
    # their session (READING: the event's own date, not the session's start date).
    for e in parts.events.select("occurred_at", "event_type", "session_id").iter_rows():
        occurred_at, event_type, session_id = e
        if event_type != "page_view":
            counts[(_day(occurred_at), session_channel[session_id])]["site_interactions"] += 1

    # 2-4. contacts by created date and original channel.
    for c in parts.dim_contacts.iter_rows(named=True):
        row = counts[(c["created_date"], c["original_channel"])]
        row["new_contacts"] += 1
        # The stage at creation is matched exactly with the stage names (glossary).
        if c["lifecycle_stage_at_creation"] in LIFECYCLE_STAGES:
            row[f"new_{c['lifecycle_stage_at_creation']}"] += 1
        row["complete_contacts"] += 1 if c["is_complete"] else 0

    channel_of_contact = dict(
        parts.dim_contacts.select("contact_id", "original_channel").iter_rows()
    )

    def channel_of(contact_id: str | None) -> str:
        return channel_of_contact.get(contact_id, "unknown")

    # 5-6. opportunities and customers.
    first_win: dict[str, datetime] = {}
    for o in parts.opportunities.iter_rows(named=True):
        channel = channel_of(o["contact_id"])
        row = counts[(_day(o["created_at"]), channel)]
        row["opportunities"] += 1
        row["pipeline_amount"] += o["amount"] or 0.0
        if o["stage"] == "closed_won":
            closed = o["closed_at"] if o["closed_at"] is not None else o["updated_at"]
            if closed is None:
                continue  # a win with neither date has no close day (glossary)
            counts[(_day(closed), channel)]["revenue_won"] += o["amount"] or 0.0
            # READING: an opportunity closing won is activity on that day even when it adds
            # no new customer and no amount.
            counts[(_day(closed), channel)]["_wins"] += 1
            if o["contact_id"] is None:
                continue  # an opportunity with no contact makes no one a customer
            if o["contact_id"] not in first_win or closed < first_win[o["contact_id"]]:
                first_win[o["contact_id"]] = closed
    for contact_id, closed in first_win.items():
        counts[(_day(closed), channel_of(contact_id))]["customers"] += 1

    # 8. sales interactions by the date they occurred and the channel of their contact.
    kinds = {"email_sent": "emails_sent", "document_viewed": "document_views", "call": "calls",
             "meeting": "meetings"}  # fmt: skip
    for i in parts.interactions.select("occurred_at", "contact_id", "interaction_type").iter_rows():
        occurred_at, contact_id, kind = i
        row = counts[(_day(occurred_at), channel_of(contact_id))]
        row["sales_interactions"] += 1
        if kind in kinds:
            row[kinds[kind]] += 1
    for s in email_send_outcomes(parts.interactions).iter_rows(named=True):
        row = counts[(_day(s["occurred_at"]), channel_of(s["contact_id"]))]
        for outcome in ("opened", "clicked", "replied"):
            row[f"_{outcome}"] += 1 if s[outcome] else 0

    contacts_per_day: dict[date, float] = defaultdict(float)
    for (day, _), row in counts.items():
        contacts_per_day[day] += row["new_contacts"]

    out = []
    for (day, channel), row in sorted(counts.items()):
        visits = row["visits"]
        record: dict[str, Any] = {"metric_date": day, "channel": channel}
        for name in FUNNEL_COUNT_COLUMNS:
            record[name] = int(row[name])
        record["visitors"] = len(visitors[(day, channel)])
        record["avg_session_seconds"] = _ratio(row["_session_seconds"], visits)
        record["bounce_rate"] = _ratio(row["_bounces"], visits)
        record["completeness_rate"] = _ratio(row["complete_contacts"], row["new_contacts"])
        record["contact_share"] = _ratio(row["new_contacts"], contacts_per_day[day])
        # READING: amounts are sums with missing amounts counting 0, so 0.0 (not null) on a
        # row without opportunities / wins.
        record["pipeline_amount"] = float(row["pipeline_amount"])
        record["revenue_won"] = float(row["revenue_won"])
        record["pages_per_session"] = _ratio(row["pageviews"], visits)
        record["email_open_rate"] = _ratio(row["_opened"], row["emails_sent"])
        record["email_click_rate"] = _ratio(row["_clicked"], row["emails_sent"])
        record["email_reply_rate"] = _ratio(row["_replied"], row["emails_sent"])
        record["bounces"] = int(row["_bounces"])
        record["session_seconds"] = float(row["_session_seconds"])
        for outcome in ("opened", "clicked", "replied"):
            record[f"emails_{outcome}"] = int(row[f"_{outcome}"])
        out.append(record)
    schema = {"metric_date": pl.Date, "channel": pl.String}
    schema |= {name: pl.Int64 for name in FUNNEL_COUNT_COLUMNS + FUNNEL_RATE_COUNT_COLUMNS}
    schema |= {name: pl.Float64 for name in FUNNEL_FLOAT_COLUMNS}
    return pl.DataFrame(out, schema=schema).select(FUNNEL_COLUMNS)


def reference_funnel_daily(raw: dict[str, pl.DataFrame], config: Config) -> pl.DataFrame:
    return funnel_daily_from(build(raw, config))
