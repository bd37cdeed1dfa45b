"""What each event of a day's sessions shows: page, event type, landing UTMs and referrer,
the contact's identity where it carries one, device and country; the web_visits frame."""

from __future__ import annotations

import numpy as np
import polars as pl

from pipelines.generate import site
from pipelines.generate.sampling import as_datetime, delay, from_choices, numbered, pick
from pipelines.generate.traffic import TOUCHPOINTS
from pipelines.generate.visitors import VisitorRegistry, country_names, device_names
from pipelines.generate.web_sessions import CHANNELS, TOUCHPOINT_CHANNEL, Sessions

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

    channel = TOUCHPOINT_CHANNEL[sessions.touchpoint[session]]
    for c, name in enumerate(CHANNELS):
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


def event_frame(
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

