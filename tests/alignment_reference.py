"""Independent computations of the alignment marts (plain Python and polars, from the rules in
dbt_project/models/alignment_rules.md), to compare the dbt SQL against.

- `attribution_credits`: the credits of every attribution model for a set of candidate touches.
- `lead_follow_up` / `lead_follow_up_summary`: the follow-up SLA marts from raw rows.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import polars as pl
from reference.contact_links import associated_contact, contact_of

MODELS = ("first_touch", "last_touch", "linear", "position_based", "u_shaped", "w_shaped",
          "full_path", "j_shaped", "inverse_j", "time_decay")

# Position shares: first, lead creation, deal creation, closing, rest (DESIGN.md section 5).
SHARES = {
    "first_touch": (1.0, 0.0, 0.0, 0.0, 0.0),
    "last_touch": (0.0, 0.0, 1.0, 0.0, 0.0),
    "linear": (0.0, 0.0, 0.0, 0.0, 1.0),
    "position_based": (0.4, 0.0, 0.4, 0.0, 0.2),
    "u_shaped": (0.4, 0.4, 0.0, 0.0, 0.2),
    "w_shaped": (0.3, 0.3, 0.3, 0.0, 0.1),
    "full_path": (0.225, 0.225, 0.225, 0.225, 0.1),
    "j_shaped": (0.2, 0.0, 0.6, 0.0, 0.2),
    "inverse_j": (0.6, 0.0, 0.2, 0.0, 0.2),
}


# --------------------------------------------------------------------------------------------
# Attribution
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Touch:
    opportunity_id: str
    touch_id: str
    touch_at: datetime
    opportunity_created_at: datetime
    contact_created_at: datetime | None
    opportunity_closed_at: datetime | None


def attribution_credits(touches: list[Touch], lookback_days: int = 90,
                        half_life_days: float = 7.0) -> dict[tuple[str, str, str], float]:
    """(opportunity_id, touch_id, model) -> credit, for every opportunity with at least one
    touch before its creation within the lookback window."""
    by_opportunity: dict[str, list[Touch]] = defaultdict(list)
    for touch in touches:
        by_opportunity[touch.opportunity_id].append(touch)
    credits: dict[tuple[str, str, str], float] = {}
    for opportunity_id, rows in by_opportunity.items():
        for (touch_id, model), credit in _opportunity_credits(
                rows, lookback_days, half_life_days).items():
            credits[(opportunity_id, touch_id, model)] = credit
    return credits


def _opportunity_credits(rows: list[Touch], lookback_days: int, half_life_days: float
                         ) -> dict[tuple[str, str], float]:
    created = rows[0].opportunity_created_at
    closed = rows[0].opportunity_closed_at
    contact_created = rows[0].contact_created_at
    start = created - timedelta(days=lookback_days)
    window = sorted(
        (t for t in rows
         if t.touch_at >= start and (t.touch_at < created
                                     or (closed is not None and t.touch_at < closed))),
        key=lambda t: (t.touch_at, t.touch_id))
    standard = [t for t in window if t.touch_at < created]
    if not standard:
        return {}
    first = standard[0].touch_id
    deal = standard[-1].touch_id
    candidates = [t for t in standard
                  if contact_created is not None and t.touch_at <= contact_created]
    lead = candidates[-1].touch_id if candidates else first
    closing = window[-1].touch_id if closed is not None else None

    out: dict[tuple[str, str], float] = {}
    for model, (s_first, s_lead, s_deal, s_closing, s_rest) in SHARES.items():
        if model == "full_path":
            if closed is None:
                continue
            path = [t.touch_id for t in window]
        else:
            path = [t.touch_id for t in standard]
        positioned = defaultdict(float)
        positioned[first] += s_first
        positioned[lead] += s_lead
        positioned[deal] += s_deal
        if model == "full_path":
            positioned[closing] += s_closing
        holders = [t for t in path if positioned.get(t, 0.0) > 0]
        rest = [t for t in path if positioned.get(t, 0.0) == 0]
        for touch_id in path:
            credit = positioned.get(touch_id, 0.0)
            if rest:
                credit += s_rest / len(rest) if touch_id in rest else 0.0
            else:
                credit += s_rest / len(holders)
            out[(touch_id, model)] = credit
    days = {t.touch_id: (created - t.touch_at).total_seconds() / 86400 for t in standard}
    weights = {k: 2.0 ** (-d / half_life_days) for k, d in days.items()}
    total = sum(weights.values())
    for touch_id, weight in weights.items():
        out[(touch_id, "time_decay")] = weight / total
    return out


# --------------------------------------------------------------------------------------------
# Lead follow-up
# --------------------------------------------------------------------------------------------

OUTBOUND_TOUCHES = ("email_sent", "call", "meeting")


def _clean(value):
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _latest(rows: list[dict], key: str, by_updated_at: bool) -> dict[str, dict]:
    """The latest version of each key: greatest updated_at (null oldest) when asked, then the
    latest loaded (greatest _source_file, then _source_line)."""
    def rank(row):
        updated = row.get("updated_at") if by_updated_at else None
        return (updated is not None, updated or datetime.min,
                row["_source_file"] or "", row["_source_line"] or 0)

    latest: dict[str, dict] = {}
    for row in rows:
        k = _clean(row[key])
        if k is None:
            continue
        if k not in latest or rank(row) > rank(latest[k]):
            latest[k] = row
    return latest


def _month(value: datetime) -> date:
    return date(value.year, value.month, 1)


def lead_follow_up(raw_contacts: list[dict], raw_opportunities: list[dict],
                   raw_interactions: list[dict], original_channel: dict[str, str],
                   sla_hours: float = 24.0, ignored_after_days: float = 30.0,
                   raw_associations: list[dict] | None = None) -> list[dict]:
    """One dict per MQL, from raw rows (every loaded version) and each contact's original
    channel. Opportunities and interactions go to their resolved contact (glossary: contact
    of an opportunity or interaction; tests/reference/contact_links.py)."""
    contacts = _latest(raw_contacts, "contact_id", by_updated_at=True)
    opportunities = _latest(raw_opportunities, "opportunity_id", by_updated_at=True)
    interactions = _latest(raw_interactions, "interaction_id", by_updated_at=False)
    email_owner: dict[str, tuple] = {}
    for contact_id, contact in contacts.items():
        email = (_clean(contact.get("email")) or "").lower()
        if email and (email not in email_owner
                      or (contact["created_at"], contact_id) < email_owner[email]):
            email_owner[email] = (contact["created_at"], contact_id)
    owners = {email: contact_id for email, (_, contact_id) in email_owner.items()}
    opportunity_contacts = associated_contact(raw_associations, "opportunity")
    interaction_contacts = associated_contact(raw_associations, "interaction")
    for o in opportunities.values():
        o["contact_id"] = contact_of(o, "opportunity_id", opportunity_contacts)[0]
    for row in interactions.values():
        row["contact_id"] = contact_of(row, "interaction_id", interaction_contacts, owners)[0]
    has_opportunity = {_clean(o["contact_id"]) for o in opportunities.values()} - {None}
    touches: dict[str, list[tuple[datetime, str, dict]]] = defaultdict(list)
    for interaction_id, row in interactions.items():
        direction = (_clean(row.get("direction")) or "").lower()
        if (_clean(row["interaction_type"]) in OUTBOUND_TOUCHES and direction != "inbound"
                and row["occurred_at"] is not None):
            touches[_clean(row["contact_id"])].append((row["occurred_at"], interaction_id, row))
    out = []
    for contact_id, contact in contacts.items():
        mql_at = contact.get("became_mql_at")
        if mql_at is None:
            continue
        after = sorted((t for t in touches.get(contact_id, []) if t[0] >= mql_at),
                       key=lambda t: (t[0], t[1]))
        first = after[0] if after else None
        hours = (first[0] - mql_at).total_seconds() / 3600 if first else None
        out.append({
            "contact_id": contact_id,
            "owner_id": _clean(contact.get("owner_id")),
            "original_channel": original_channel[contact_id],
            "mql_at": mql_at,
            "mql_month": _month(mql_at),
            "first_touch_interaction_id": first[1] if first else None,
            "first_touch_at": first[0] if first else None,
            "hours_to_first_touch": hours,
            "is_within_sla": hours is not None and hours <= sla_hours,
            "is_ignored": hours is None or hours > ignored_after_days * 24,
            "reached_sql": contact.get("became_sql_at") is not None or contact_id in has_opportunity,
        })
    return out


def _median(values: list[float]) -> float | None:
    values = sorted(values)
    if not values:
        return None
    middle = len(values) // 2
    if len(values) % 2:
        return values[middle]
    return (values[middle - 1] + values[middle]) / 2


def lead_follow_up_summary(follow_up: list[dict]) -> pl.DataFrame:
    """mart_lead_follow_up_summary from the rows of `lead_follow_up`."""
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for row in follow_up:
        groups[(row["mql_month"], row["original_channel"], row["owner_id"] or "unassigned")].append(row)
    rows = []
    for (month, channel, owner), members in groups.items():
        mqls = len(members)
        ignored = sum(r["is_ignored"] for r in members)
        within = sum(r["is_within_sla"] for r in members)
        reached = sum(r["reached_sql"] for r in members)
        rows.append({
            "mql_month": month, "channel": channel, "owner_id": owner,
            "mqls": mqls,
            "mqls_touched": sum(r["first_touch_at"] is not None for r in members),
            "mqls_ignored": ignored, "mqls_within_sla": within, "mqls_reached_sql": reached,
            "ignored_share": ignored / mqls, "within_sla_share": within / mqls,
            "mql_to_sql_rate": reached / mqls,
            "median_hours_to_first_touch": _median(
                [r["hours_to_first_touch"] for r in members
                 if r["hours_to_first_touch"] is not None]),
        })
    return pl.DataFrame(rows, schema={
        "mql_month": pl.Date, "channel": pl.String, "owner_id": pl.String, "mqls": pl.Int64,
        "mqls_touched": pl.Int64, "mqls_ignored": pl.Int64, "mqls_within_sla": pl.Int64,
        "mqls_reached_sql": pl.Int64, "ignored_share": pl.Float64,
        "within_sla_share": pl.Float64, "mql_to_sql_rate": pl.Float64,
        "median_hours_to_first_touch": pl.Float64,
    })
