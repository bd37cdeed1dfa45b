"""Sales interactions: the outbound sequence a rep runs on a lead, the prospect's responses
(opens, clicks, replies, documents viewed), and the touches that move a deal along.

A sequence starts at the contact's first touch (planned in crm.py: hours after it became an
MQL, or right after a rep created it) and continues every few days.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from pipelines.contract import SALES_INTERACTIONS
from pipelines.generate.rows import conform
from pipelines.generate.sampling import (
    DAY,
    HOUR,
    MINUTE,
    NO_TIME,
    Numbering,
    as_datetime,
    delay,
    from_choices,
    pick,
)
from pipelines.generate.vocabulary import DOCUMENTS, OWNER_IDS

_MAX_STEPS = 10
_REP_TOUCHES = ("email_sent", "call", "meeting")
_OUTCOMES = {
    "email_sent": (("delivered", 97), ("bounced", 3)),
    "call": (("connected", 35), ("no_answer", 40), ("left_voicemail", 25)),
    "meeting": (("completed", 85), ("no_show", 15)),
}
_DOCUMENT_WEIGHTS = [w for _, w in DOCUMENTS]
_DEAL_DOCUMENTS = ("pricing-sheet-2026", "security-whitepaper", "roi-calculator")


def sequence_interactions(rng: np.random.Generator, plan: pl.DataFrame) -> pl.DataFrame:
    """The prospecting sequence of every contact with a first touch, and the responses."""
    touched = np.flatnonzero(plan["first_touch_at"].to_numpy() != NO_TIME)
    contact_id = plan["contact_id"].gather(touched)
    owner = plan["owner"].gather(touched)
    m = touched.size
    steps = 2 + rng.binomial(_MAX_STEPS - 2, 0.75, m)
    spacing = delay(rng, m * _MAX_STEPS, 2 * DAY, 10 * HOUR).reshape(m, _MAX_STEPS)
    spacing[:, 0] = 0
    at = plan["first_touch_at"].to_numpy()[touched][:, None] + np.cumsum(spacing, axis=1)
    kind = pick(rng, [60, 35, 5], m * _MAX_STEPS).reshape(m, _MAX_STEPS)
    kind[:, 0] = pick(rng, [65, 30, 5], m)

    who, step = np.nonzero(np.arange(_MAX_STEPS)[None, :] < steps[:, None])
    touches = _rep_touches(rng, who, at[who, step], kind[who, step])
    sends = touches.filter(pl.col("interaction_type") == "email_sent")
    frame = pl.concat([touches, _responses(rng, sends)], how="diagonal_relaxed")
    person = pl.Series(frame["_who"], dtype=pl.UInt32)
    return frame.with_columns(
        contact_id=contact_id.gather(person), owner_id=owner.gather(person)).drop("_who")


def _rep_touches(rng: np.random.Generator, who: np.ndarray, at: np.ndarray,
                 kind: np.ndarray) -> pl.DataFrame:
    outcome = np.full(who.size, None, dtype=object)
    for k, name in enumerate(_REP_TOUCHES):
        rows = np.flatnonzero(kind == k)
        values = [v for v, _ in _OUTCOMES[name]]
        outcome[rows] = np.asarray(values, dtype=object)[
            pick(rng, [w for _, w in _OUTCOMES[name]], rows.size)]
    return pl.DataFrame({
        "_who": who,
        "occurred_at": at,
        "interaction_type": from_choices(_REP_TOUCHES, kind),
        "direction": "outbound",
        "outcome": pl.Series(outcome.tolist(), dtype=pl.String),
    })


def _responses(rng: np.random.Generator, sends: pl.DataFrame) -> pl.DataFrame:
    """Opens, clicks and replies after delivered emails; documents opened from the clicks."""
    delivered = sends.filter(pl.col("outcome") == "delivered")
    n = delivered.height
    who, sent = delivered["_who"].to_numpy(), delivered["occurred_at"].to_numpy()
    opened = rng.random(n) < 0.5
    open_at = sent + delay(rng, n, 3 * HOUR, 2 * MINUTE)
    clicked = opened & (rng.random(n) < 0.3)
    click_at = open_at + delay(rng, n, 10 * MINUTE, 5)
    replied = opened & (rng.random(n) < 0.2)
    reply_at = open_at + delay(rng, n, 4 * HOUR, 5 * MINUTE)
    viewed = clicked & (rng.random(n) < 0.6)
    view_at = click_at + delay(rng, n, 40, 5)
    followed = viewed & (rng.random(n) < 0.4)
    follow_at = view_at + delay(rng, n, 60, 5)
    document = from_choices([d for d, _ in DOCUMENTS], pick(rng, _DOCUMENT_WEIGHTS, n))

    def response(kind: str, happened: np.ndarray, at: np.ndarray, content: bool = False):
        rows = np.flatnonzero(happened)
        return pl.DataFrame({
            "_who": who[rows], "occurred_at": at[rows], "interaction_type": kind,
            "direction": "inbound",
            "content_id": document.gather(rows) if content else None,
        })

    return pl.concat([
        response("email_opened", opened, open_at),
        response("email_clicked", clicked, click_at),
        response("email_replied", replied, reply_at),
        response("document_viewed", viewed, view_at, content=True),
        response("document_clicked", followed, follow_at, content=True),
    ], how="diagonal_relaxed")


def deal_interactions(rng: np.random.Generator, timelines: pl.DataFrame) -> pl.DataFrame:
    """The discovery meeting, the proposal and the prospect reading it, the negotiation call."""
    n = timelines.height
    deal_docs = from_choices(_DEAL_DOCUMENTS, rng.integers(0, len(_DEAL_DOCUMENTS), n))
    proposal_at = timelines["proposal_at"].to_numpy()
    proposal_sent = proposal_at + delay(rng, n, 2 * HOUR, 10 * MINUTE)
    read_at = proposal_sent + delay(rng, n, DAY, 5 * MINUTE)
    reads = (proposal_at != NO_TIME) & (rng.random(n) < 0.7)
    clicks = reads & (rng.random(n) < 0.5)

    def touch(kind: str, when: np.ndarray, happened: np.ndarray, direction: str,
              outcome: str | None = None, content: bool = False) -> pl.DataFrame:
        rows = np.flatnonzero(happened)
        return timelines[rows].select(
            "opportunity_id", "contact_id", owner_id="owner",
        ).with_columns(
            occurred_at=pl.Series(when[rows]), interaction_type=pl.lit(kind),
            direction=pl.lit(direction), outcome=pl.lit(outcome, dtype=pl.String),
            content_id=deal_docs.gather(rows) if content else pl.lit(None, dtype=pl.String),
        )

    discovery_at = timelines["discovery_at"].to_numpy()
    negotiation_at = timelines["negotiation_at"].to_numpy()
    return pl.concat([
        touch("meeting", discovery_at + delay(rng, n, DAY, HOUR), discovery_at != NO_TIME,
              "outbound", "completed"),
        touch("proposal_sent", proposal_sent, proposal_at != NO_TIME, "outbound"),
        touch("document_viewed", read_at, reads, "inbound", content=True),
        touch("document_clicked", read_at + delay(rng, n, 90, 5), clicks, "inbound",
              content=True),
        touch("call", negotiation_at + delay(rng, n, DAY, HOUR), negotiation_at != NO_TIME,
              "outbound", "connected"),
    ], how="diagonal_relaxed")


def interactions_from_elsewhere(rng: np.random.Generator, day_start: int, n: int) -> pl.DataFrame:
    """Touches logged against contacts that live in another system."""
    return pl.DataFrame({
        "contact_id": pl.Series(rng.integers(90_000_000, 100_000_000, n)).cast(pl.String),
        "owner_id": from_choices(OWNER_IDS, rng.integers(0, len(OWNER_IDS), n)),
        "occurred_at": day_start + rng.integers(7 * HOUR, 19 * HOUR, n),
        "interaction_type": from_choices(("email_sent", "call"), rng.integers(0, 2, n)),
        "direction": pl.Series(["outbound"] * n, dtype=pl.String),
    })


def finish(frame: pl.DataFrame, numbering: Numbering) -> pl.DataFrame:
    """Contract rows with ids; occurred_at arrives here as epoch seconds."""
    frame = frame.with_columns(
        occurred_at=as_datetime(frame["occurred_at"].to_numpy()),
        interaction_id=numbering.take(frame.height),
    )
    return conform(frame, SALES_INTERACTIONS)
