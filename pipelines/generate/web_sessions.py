"""A day's web sessions drawn as arrays (who, when, through which touchpoint, how many events)
and expanded into events with their times; nothing loops per event.

Anonymous sessions, the scripted sessions that tie the web to the CRM (sign-up forms and
first visits of imported contacts), and the second sessions of visitors who come back the same day.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from pipelines.generate import volumes
from pipelines.generate.sampling import MINUTE, delay, pick, seconds_into_day
from pipelines.generate.traffic import CAMPAIGN_TOUCHPOINTS, NURTURE_EMAIL, TOUCHPOINTS
from pipelines.generate.visitors import VisitorRegistry

CHANNELS = tuple(dict.fromkeys(t.channel for t in TOUCHPOINTS))
TOUCHPOINT_CHANNEL = np.array([CHANNELS.index(t.channel) for t in TOUCHPOINTS])
_TOUCHPOINT_WEIGHTS = [t.weight for t in TOUCHPOINTS]


@dataclass
class Sessions:
    """Sessions to expand into events; identity_row points into the identities frame."""

    visitor: np.ndarray
    start: np.ndarray
    touchpoint: np.ndarray
    length: np.ndarray
    identity_row: np.ndarray  # -1: anonymous
    identity_at_end: np.ndarray  # the identified event is the last one (a form), else the first

    def __len__(self) -> int:
        return self.visitor.size

    @staticmethod
    def concat(parts: list[Sessions]) -> Sessions:
        return Sessions(*(np.concatenate([getattr(p, f) for p in parts]) for f in (
            "visitor", "start", "touchpoint", "length", "identity_row", "identity_at_end")))


def _session_lengths(rng: np.random.Generator, n: int) -> np.ndarray:
    """Events per session: 38% bounce after one page, the rest browse ~7 pages."""
    bounced = rng.random(n) < 0.38
    return np.where(bounced, 1, 1 + rng.geometric(0.16, n)).astype(np.int64)


def anonymous_sessions(
    rng: np.random.Generator, day_start: int, scale: float, visitors: VisitorRegistry
) -> Sessions:
    n = int(rng.poisson(volumes.VISITORS_PER_DAY * scale))
    returning = visitors.returning(rng, int(rng.binomial(n, volumes.RETURNING_VISITOR_SHARE)))
    who = np.concatenate([returning, visitors.new(n - returning.size)])
    return Sessions(
        visitor=who,
        start=day_start + seconds_into_day(rng, n),
        touchpoint=pick(rng, _TOUCHPOINT_WEIGHTS, n),
        length=_session_lengths(rng, n),
        identity_row=np.full(n, -1),
        identity_at_end=np.zeros(n, dtype=bool),
    )


def scripted_sessions(
    rng: np.random.Generator,
    day_start: int,
    visitors: VisitorRegistry,
    n_conversions: int,
    first_visits: pl.DataFrame,
) -> Sessions:
    # 60% of sign-ups are visitors seen on earlier days, whose anonymous past gets stitched.
    known = visitors.returning_anonymous(rng, int(round(n_conversions * 0.6)))
    converting = np.concatenate([known, visitors.new(n_conversions - known.size)])
    returning_by_email = visitors.new(first_visits.height)
    who = np.concatenate([converting, returning_by_email])
    visitors.identify(who)
    n_visits = first_visits.height
    return Sessions(
        visitor=who,
        start=np.concatenate([day_start + seconds_into_day(rng, n_conversions),
                              first_visits["start_at"].to_numpy().astype(np.int64)]),
        touchpoint=np.concatenate([pick(rng, _TOUCHPOINT_WEIGHTS, n_conversions),
                                   np.full(n_visits, NURTURE_EMAIL)]),
        # A sign-up session browses a little, then ends on the form.
        length=np.concatenate([1 + rng.geometric(0.25, n_conversions),
                               _session_lengths(rng, n_visits)]),
        identity_row=np.arange(n_conversions + n_visits),
        identity_at_end=np.arange(n_conversions + n_visits) < n_conversions,
    )


def second_sessions(rng: np.random.Generator, first: Sessions, ends: np.ndarray) -> Sessions:
    again = np.flatnonzero(rng.random(len(first)) < volumes.SECOND_SESSION_SHARE)
    n = again.size
    kind = pick(rng, [80, 8, 12], n)  # later that day / exactly 30:00 after / campaign click
    gap = np.select(
        [kind == 0, kind == 1],
        [delay(rng, n, mean_s=2 * 3600, minimum_s=31 * MINUTE), np.full(n, 30 * MINUTE)],
        default=rng.integers(2 * MINUTE, 25 * MINUTE, n),
    )
    touchpoint = np.where(kind == 2,
                          np.asarray(CAMPAIGN_TOUCHPOINTS)[rng.integers(
                              0, len(CAMPAIGN_TOUCHPOINTS), n)],
                          pick(rng, _TOUCHPOINT_WEIGHTS, n))
    return Sessions(
        visitor=first.visitor[again],
        start=ends[again] + gap,
        touchpoint=touchpoint,
        length=_session_lengths(rng, n),
        identity_row=np.full(n, -1),
        identity_at_end=np.zeros(n, dtype=bool),
    )


def expand(rng: np.random.Generator, sessions: Sessions) -> dict[str, np.ndarray]:
    """One entry per event: its session, position, time, and seconds until the next event."""
    length = sessions.length
    total = int(length.sum())
    session = np.repeat(np.arange(len(sessions)), length)
    first = np.cumsum(length) - length
    pos = np.arange(total) - first[session]
    gaps = np.clip(rng.lognormal(np.log(40), 1.0, total), 2, 25 * MINUTE).astype(np.int64)
    # Now and then a reader idles up to just under 30 minutes without the session ending.
    idle = rng.random(total) < 0.012
    gaps[idle] = rng.integers(15 * MINUTE, 30 * MINUTE, int(idle.sum()))
    gaps[pos == 0] = 0
    elapsed = np.cumsum(gaps)
    elapsed -= elapsed[first][session]
    is_last = pos == length[session] - 1
    return {
        "session": session,
        "pos": pos,
        "time": sessions.start[session] + elapsed,
        "is_last": is_last,
        "next_gap": np.where(is_last, -1, np.roll(gaps, -1)),
    }


def identified(sessions: Sessions, events: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Which events carry a contact's identity, and which of those are sign-up forms."""
    row = sessions.identity_row[events["session"]]
    at_end = sessions.identity_at_end[events["session"]]
    is_form = (row >= 0) & at_end & events["is_last"]
    return {"is_form": is_form,
            "identified": is_form | ((row >= 0) & ~at_end & (events["pos"] == 0))}


def session_ends(events: dict[str, np.ndarray], n_sessions: int) -> np.ndarray:
    ends = np.zeros(n_sessions, dtype=np.int64)
    ends[events["session"][events["is_last"]]] = events["time"][events["is_last"]]
    return ends
