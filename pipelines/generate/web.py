"""One day of website activity: sessions of anonymous and identified visitors, as events.

A session lands on a page through a touchpoint (UTMs and referrer on its first event), then
browses: later events carry the previous page as referrer and no UTMs. Sessions are drawn as
arrays and expanded into events with numpy; nothing loops per event.

Besides anonymous traffic, two kinds of scripted sessions tie the web to the CRM:
conversions (a visitor fills a form that carries the new contact's email and/or id) and
first visits of imported contacts (a nurture email link that carries the contact id).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from pipelines.generate import site, volumes
from pipelines.generate.sampling import (
    MINUTE,
    as_datetime,
    delay,
    from_choices,
    numbered,
    pick,
    seconds_into_day,
)
from pipelines.generate.traffic import CAMPAIGN_TOUCHPOINTS, NURTURE_EMAIL, TOUCHPOINTS
from pipelines.generate.visitors import VisitorRegistry, country_names, device_names

_CHANNELS = tuple(dict.fromkeys(t.channel for t in TOUCHPOINTS))
_TOUCHPOINT_CHANNEL = np.array([_CHANNELS.index(t.channel) for t in TOUCHPOINTS])
_TOUCHPOINT_WEIGHTS = [t.weight for t in TOUCHPOINTS]

_PATHS = tuple(dict.fromkeys(
    [p for p, _ in site.BROWSING_PAGES]
    + [p for pages in site.LANDING_PAGES.values() for p, _ in pages]
    + [p for pages in site.EVENT_PAGES.values() for p in pages]
))
_URLS = tuple(site.SITE + p for p in _PATHS)
_BROWSING_PATHS = np.array([_PATHS.index(p) for p, _ in site.BROWSING_PAGES])
_BROWSING_WEIGHTS = [w for _, w in site.BROWSING_PAGES]
_EVENT_TYPES = ("page_view", "pricing_view", "content_download", "video_play", "chat_start",
                "form_submit", "demo_request")
_BROWSING_EVENT_WEIGHTS = [w for _, w in site.BROWSING_EVENTS]


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


@dataclass
class WebDay:
    events: pl.DataFrame  # contract columns of web_visits
    conversions: pl.DataFrame  # contact_id, form_at (epoch s), channel


def generate_web_day(
    rng: np.random.Generator,
    day_start: int,
    scale: float,
    visitors: VisitorRegistry,
    conversions: pl.DataFrame,
    first_visits: pl.DataFrame,
) -> WebDay:
    """Events of the sessions that start on the day beginning at `day_start`.

    `conversions`: contact_id, email, form_type of contacts who sign up today.
    `first_visits`: contact_id, email, start_at of imported contacts who visit for the first time.
    """
    identities = _identities(rng, conversions, first_visits)
    anonymous = _anonymous_sessions(rng, day_start, scale, visitors)
    scripted = _scripted_sessions(rng, day_start, visitors, conversions.height, first_visits)
    first_wave = Sessions.concat([anonymous, scripted])
    first_events = _expand(rng, first_wave)

    # Some visitors come back later the same day, a few within minutes through a campaign.
    anonymous_ends = _session_ends(first_events, len(first_wave))[: len(anonymous)]
    second_wave = _second_sessions(rng, anonymous, anonymous_ends)
    second_events = _expand(rng, second_wave)
    second_events["session"] += len(first_wave)

    sessions = Sessions.concat([first_wave, second_wave])
    events = {k: np.concatenate([first_events[k], second_events[k]]) for k in first_events}
    events.update(_identified(sessions, events))
    frame = _event_frame(rng, day_start, sessions, events, identities, visitors)

    is_form = events["is_form"]
    form_session = events["session"][is_form]
    converted = pl.DataFrame({
        "contact_id": identities["contact_id"].gather(sessions.identity_row[form_session]),
        "form_at": events["time"][is_form],
        "channel": from_choices(
            _CHANNELS, _TOUCHPOINT_CHANNEL[sessions.touchpoint[form_session]]),
    })
    return WebDay(frame, converted)


def _identities(
    rng: np.random.Generator, conversions: pl.DataFrame, first_visits: pl.DataFrame
) -> pl.DataFrame:
    """What the identified events carry: the email (as typed) and/or the contact id."""
    n_forms, n_visits = conversions.height, first_visits.height
    # Forms: both 55%, email only 35%, contact id only 10%. Email links: id always, email 30%.
    carries = np.concatenate([pick(rng, [55, 35, 10], n_forms),
                              np.where(rng.random(n_visits) < 0.3, 0, 2)])
    messy = rng.random(n_forms + n_visits) < 0.2
    email = pl.concat([conversions["email"], first_visits["email"]])
    typed = (
        pl.select(pl.when(pl.Series(messy))
                  .then(pl.lit("  ") + email.str.to_titlecase() + pl.lit(" "))
                  .otherwise(email)).to_series()
    )
    contact_id = pl.concat([conversions["contact_id"], first_visits["contact_id"]])
    return pl.DataFrame({
        "contact_id": contact_id,
        "event_contact_id": pl.select(
            pl.when(pl.Series(carries != 1)).then(contact_id)).to_series(),
        "event_email": pl.select(pl.when(pl.Series(carries != 2)).then(typed)).to_series(),
        "form_type": pl.concat([conversions["form_type"],
                                pl.Series([None] * n_visits, dtype=pl.String)]),
    })


def _session_lengths(rng: np.random.Generator, n: int) -> np.ndarray:
    """Events per session: 38% bounce after one page, the rest browse ~7 pages."""
    bounced = rng.random(n) < 0.38
    return np.where(bounced, 1, 1 + rng.geometric(0.16, n)).astype(np.int64)


def _anonymous_sessions(
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


def _scripted_sessions(
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


def _second_sessions(rng: np.random.Generator, first: Sessions, ends: np.ndarray) -> Sessions:
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


def _expand(rng: np.random.Generator, sessions: Sessions) -> dict[str, np.ndarray]:
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


def _identified(sessions: Sessions, events: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Which events carry a contact's identity, and which of those are sign-up forms."""
    row = sessions.identity_row[events["session"]]
    at_end = sessions.identity_at_end[events["session"]]
    is_form = (row >= 0) & at_end & events["is_last"]
    return {"is_form": is_form,
            "identified": is_form | ((row >= 0) & ~at_end & (events["pos"] == 0))}


def _session_ends(events: dict[str, np.ndarray], n_sessions: int) -> np.ndarray:
    ends = np.zeros(n_sessions, dtype=np.int64)
    ends[events["session"][events["is_last"]]] = events["time"][events["is_last"]]
    return ends


def _touchpoint_values(rng: np.random.Generator, touchpoint: np.ndarray) -> dict[str, list]:
    """UTM values and referrer of each session's landing, drawn from its touchpoint."""
    n = touchpoint.size
    values = {k: np.full(n, None, dtype=object) for k in (
        "utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term", "referrer_url")}
    for index, t in enumerate(TOUCHPOINTS):
        rows = np.flatnonzero(touchpoint == index)
        if rows.size == 0:
            continue
        values["utm_source"][rows] = t.utm_source
        values["utm_medium"][rows] = t.utm_medium
        for column, options in (("utm_campaign", t.campaigns), ("utm_content", t.contents),
                                ("utm_term", t.terms), ("referrer_url", t.referrers)):
            choice = rng.integers(0, len(options), rows.size)
            values[column][rows] = np.asarray(options, dtype=object)[choice]
    return {k: v.tolist() for k, v in values.items()}


def _pages_and_types(
    rng: np.random.Generator, sessions: Sessions, events: dict[str, np.ndarray],
    identities: pl.DataFrame,
) -> tuple[np.ndarray, np.ndarray]:
    """Index into _PATHS and into _EVENT_TYPES for every event."""
    session, pos = events["session"], events["pos"]
    total = session.size
    event_type = np.where(pos == 0, 0, pick(rng, _BROWSING_EVENT_WEIGHTS, total))
    page = _BROWSING_PATHS[pick(rng, _BROWSING_WEIGHTS, total)]

    channel = _TOUCHPOINT_CHANNEL[sessions.touchpoint[session]]
    for c, name in enumerate(_CHANNELS):
        rows = np.flatnonzero((pos == 0) & (channel == c))
        landing = site.LANDING_PAGES[name]
        indices = np.array([_PATHS.index(p) for p, _ in landing])
        page[rows] = indices[pick(rng, [w for _, w in landing], rows.size)]

    is_form = events["is_form"]
    form_types = identities["form_type"].to_numpy()[sessions.identity_row[session[is_form]]]
    event_type[is_form] = [_EVENT_TYPES.index(t) for t in form_types]

    for type_name, paths in site.EVENT_PAGES.items():
        rows = np.flatnonzero(event_type == _EVENT_TYPES.index(type_name))
        indices = np.array([_PATHS.index(p) for p in paths])
        page[rows] = indices[rng.integers(0, indices.size, rows.size)]
    return page, event_type


def _event_frame(
    rng: np.random.Generator,
    day_start: int,
    sessions: Sessions,
    events: dict[str, np.ndarray],
    identities: pl.DataFrame,
    visitors: VisitorRegistry,
) -> pl.DataFrame:
    session, pos = events["session"], events["pos"]
    page, event_type = _pages_and_types(rng, sessions, events, identities)
    previous_page = np.roll(page, 1)

    identified = events["identified"]
    identity_index = pl.Series(np.where(identified, sessions.identity_row[session], 0),
                               dtype=pl.UInt32)
    has_identity = pl.Series(identified)

    time_on_page = np.where(
        events["next_gap"] >= 0, events["next_gap"],
        np.where(rng.random(session.size) < 0.5, -1, delay(rng, session.size, 45, 3)),
    ).astype(np.float64)
    time_on_page[time_on_page < 0] = np.nan

    landing = pl.DataFrame(_touchpoint_values(rng, sessions.touchpoint),
                           schema={k: pl.String for k in (
                               "utm_source", "utm_medium", "utm_campaign", "utm_content",
                               "utm_term", "referrer_url")})
    at_session = pl.Series(session, dtype=pl.UInt32)
    is_landing = pl.Series(pos == 0)
    internal_referrer = from_choices(_URLS, previous_page)

    def on_landing(column: str) -> pl.Series:
        return pl.select(pl.when(is_landing).then(landing[column].gather(at_session))).to_series()

    def identity(column: str) -> pl.Series:
        return pl.select(pl.when(has_identity).then(
            identities[column].gather(identity_index))).to_series()

    frame = pl.DataFrame({
        "visitor_id": visitors.visitor_ids(sessions.visitor).gather(at_session),
        "occurred_at": as_datetime(events["time"]),
        "event_type": from_choices(_EVENT_TYPES, event_type),
        "page_url": from_choices(_URLS, page),
        "contact_id": identity("event_contact_id"),
        "email": identity("event_email"),
        "referrer_url": pl.select(pl.when(is_landing).then(
            landing["referrer_url"].gather(at_session)).otherwise(internal_referrer)).to_series(),
        "utm_source": on_landing("utm_source"),
        "utm_medium": on_landing("utm_medium"),
        "utm_campaign": on_landing("utm_campaign"),
        "utm_content": on_landing("utm_content"),
        "utm_term": on_landing("utm_term"),
        "time_on_page_s": pl.Series(time_on_page).fill_nan(None),
        "device": from_choices(device_names(), visitors.devices(sessions.visitor)[session]),
        "country": from_choices(country_names(), visitors.countries(sessions.visitor)[session]),
        "_order": np.arange(session.size),
    }).sort("occurred_at", "_order")
    day = as_datetime(np.array([day_start])).dt.strftime("%Y%m%d")[0]
    return frame.with_columns(event_id=numbered(f"ev_{day}_", np.arange(frame.height), 7)).select(
        "event_id", pl.exclude("event_id", "_order"))

