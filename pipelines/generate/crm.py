"""Contacts in the CRM: when each new contact reaches each lifecycle stage, and the version
rows the CRM exports as it does (one row per change, each with a later `updated_at`).

A contact's whole future is planned on the day it is created; each version row is then filed
under the day its `updated_at` falls on, so no row shows a stage before it was reached.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from pipelines.contract import CONTACTS, LIFECYCLE_STAGES
from pipelines.generate.people import IDENTITY_COLUMNS, IMPORTED, SALES, WEB
from pipelines.generate.rows import conform
from pipelines.generate.sampling import (
    DAY,
    HOUR,
    MINUTE,
    NO_TIME,
    as_datetime,
    delay,
    from_choices,
    pick,
)
from pipelines.generate.traffic import CRM_ORIGINAL_SOURCE, CRM_SOURCES
from pipelines.generate.vocabulary import OWNER_IDS

SUBSCRIBER, LEAD, MQL, SQL, OPPORTUNITY, CUSTOMER = range(len(LIFECYCLE_STAGES))
_LEAD_STATUS = (None, "NEW", "OPEN", "IN_PROGRESS", "OPEN_DEAL", "CONNECTED")


def creation_times(rng: np.random.Generator, form_at: np.ndarray) -> np.ndarray:
    """A sign-up reaches the CRM seconds to minutes after the form is sent."""
    return form_at + np.minimum(delay(rng, form_at.size, 90, 5), 15 * MINUTE)


def plan_lifecycle(
    rng: np.random.Generator, people: pl.DataFrame, created_at: np.ndarray,
    sign_up_channel: pl.Series,
) -> pl.DataFrame:
    """Per contact: stage at creation, when it becomes lead / MQL / SQL (NO_TIME: never),
    its owner and when the owner was assigned, and when sales first reaches out."""
    n = people.height
    origin = people["origin"].to_numpy()
    web, imported, sales = origin == WEB, origin == IMPORTED, origin == SALES
    demo = (people["form_type"] == "demo_request").fill_null(False).to_numpy()

    stage = np.full(n, LEAD)
    stage[web & ~demo] = np.where(rng.random(n) < 0.35, SUBSCRIBER, LEAD)[web & ~demo]
    stage[web & demo] = MQL  # a demo request is marketing-qualified on arrival
    stage[imported] = np.where(rng.random(n) < 0.5, SUBSCRIBER, LEAD)[imported]
    stage[sales] = np.where(rng.random(n) < 0.35, SQL, LEAD)[sales]

    lead_at = np.where(stage >= LEAD, created_at, NO_TIME)
    nurtured = (stage == SUBSCRIBER) & (rng.random(n) < 0.35)
    lead_at[nurtured] = (created_at + delay(rng, n, 7 * DAY, HOUR))[nurtured]

    mql_at = np.where(stage == MQL, created_at, NO_TIME)
    qualifies = (lead_at != NO_TIME) & (stage < MQL) & ~sales & (rng.random(n) < 0.35)
    mql_at[qualifies] = (lead_at + delay(rng, n, 5 * DAY, HOUR))[qualifies]
    is_mql = mql_at != NO_TIME

    # Marketing leads: sales works ~75% of MQLs (all that reach SQL); the rest are ignored.
    becomes_sql = is_mql & (rng.random(n) < 0.45)
    touched = is_mql & (becomes_sql | (rng.random(n) >= 0.45))
    quick = rng.random(n) < 0.55
    reply_delay = np.where(quick, np.minimum(delay(rng, n, 4 * HOUR, 5 * MINUTE), 23 * HOUR),
                           delay(rng, n, 4 * DAY, DAY))
    first_touch_at = np.where(touched, mql_at + reply_delay, NO_TIME)
    sql_at = np.where(becomes_sql, first_touch_at + delay(rng, n, 2 * DAY, HOUR), NO_TIME)

    # Sales-created contacts: the rep reaches out right away; some are qualified on entry.
    first_touch_at[sales] = (created_at + delay(rng, n, 2 * HOUR, 5 * MINUTE))[sales]
    sql_at[sales & (stage == SQL)] = created_at[sales & (stage == SQL)]
    accepted = sales & (stage == LEAD) & (rng.random(n) < 0.4)
    sql_at[accepted] = (first_touch_at + delay(rng, n, 4 * DAY, 2 * HOUR))[accepted]

    owner = from_choices(OWNER_IDS, rng.integers(0, len(OWNER_IDS), n))
    owner_at = np.where(sales, created_at, mql_at)
    return pl.DataFrame({
        "contact_id": people["contact_id"],
        "owner": pl.select(pl.when(pl.Series(owner_at != NO_TIME)).then(owner)).to_series(),
        "original_source": _original_source(rng, origin, sign_up_channel),
        "created_at": created_at,
        "stage_at_creation": stage,
        "lead_at": lead_at,
        "mql_at": mql_at,
        "sql_at": sql_at,
        "owner_at": owner_at,
        "first_touch_at": first_touch_at,
    })


def _original_source(
    rng: np.random.Generator, origin: np.ndarray, sign_up_channel: pl.Series
) -> pl.Series:
    """The CRM's own idea of the source: mostly the sign-up channel, sometimes not, or none."""
    n = origin.size
    from_web = sign_up_channel.replace_strict(CRM_ORIGINAL_SOURCE, default=None)
    other = from_choices(CRM_SOURCES, rng.integers(0, len(CRM_SOURCES), n))
    imported = from_choices(("OFFLINE", "OTHER_CAMPAIGNS", "EMAIL_MARKETING", None),
                            pick(rng, [35, 25, 20, 20], n))
    by_sales = from_choices(("OFFLINE", None), rng.integers(0, 2, n))
    web_choice = pl.Series(pick(rng, [70, 10, 20], n))
    return pl.select(
        pl.when(pl.Series(origin == SALES)).then(by_sales)
        .when(pl.Series(origin == IMPORTED)).then(imported)
        .when(web_choice == 0).then(from_web)
        .when(web_choice == 1).then(other)
        .otherwise(None)
    ).to_series().alias("original_source")


def contact_versions(
    rng: np.random.Generator, people: pl.DataFrame, plan: pl.DataFrame,
    opportunity_at: np.ndarray, customer_at: np.ndarray,
) -> pl.DataFrame:
    """Every version row the CRM will export for these contacts, creation first."""
    created_at = plan["created_at"].to_numpy()
    stage_at_creation = plan["stage_at_creation"].to_numpy()
    reached = {
        LEAD: plan["lead_at"].to_numpy(),
        MQL: plan["mql_at"].to_numpy(),
        SQL: plan["sql_at"].to_numpy(),
        OPPORTUNITY: opportunity_at,
        CUSTOMER: customer_at,
    }
    versions = [(stage_at_creation, created_at, np.ones(created_at.size, dtype=bool))]
    for stage, at in reached.items():
        versions.append((np.full(at.size, stage), at, (at != NO_TIME) & (stage > stage_at_creation)))

    parts = []
    for stage, at, exists in versions:
        rows = np.flatnonzero(exists)
        if rows.size == 0:
            continue
        updated = at[rows] + delay(rng, rows.size, 90, 1)
        part = plan[rows].join(people.select("contact_id", *IDENTITY_COLUMNS), on="contact_id",
                               how="left", maintain_order="left")
        parts.append(_version_rows(part, stage[rows], updated))
    if not parts:
        return conform(pl.DataFrame(), CONTACTS)
    return conform(pl.concat(parts), CONTACTS)


def _version_rows(part: pl.DataFrame, stage: np.ndarray, updated: np.ndarray) -> pl.DataFrame:
    """The contact as exported at `updated`: stages reached by then, owner if assigned."""
    at = pl.Series(updated)

    def if_reached(column: str) -> pl.Expr:
        return (pl.when((pl.col(column) != NO_TIME) & (pl.col(column) <= at))
                .then(pl.from_epoch(pl.col(column), time_unit="s")))

    return part.with_columns(
        lifecycle_stage=from_choices(LIFECYCLE_STAGES, stage),
        lead_status=from_choices(_LEAD_STATUS, stage),
        owner_id=pl.when(pl.col("owner_at") <= at).then(pl.col("owner")),
        became_lead_at=if_reached("lead_at"),
        became_mql_at=if_reached("mql_at"),
        became_sql_at=if_reached("sql_at"),
        created_at=pl.from_epoch(pl.col("created_at"), time_unit="s"),
        updated_at=as_datetime(updated),
    )

