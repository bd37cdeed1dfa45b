"""One day of website activity: sessions of anonymous and identified visitors, as events.

A session lands on a page through a touchpoint (UTMs and referrer on its first event), then
browses: later events carry the previous page as referrer and no UTMs. Sessions are drawn as
arrays and expanded into events with numpy (web_sessions.py); what each event shows is drawn
in web_events.py.

Besides anonymous traffic, two kinds of scripted sessions tie the web to the CRM:
conversions (a visitor fills a form that carries the new contact's email and/or id) and
first visits of imported contacts (a nurture email link that carries the contact id).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from pipelines.generate.sampling import from_choices, pick
from pipelines.generate.visitors import VisitorRegistry
from pipelines.generate.web_events import event_frame
from pipelines.generate.web_sessions import (
    CHANNELS,
    TOUCHPOINT_CHANNEL,
    Sessions,
    anonymous_sessions,
    expand,
    identified,
    scripted_sessions,
    second_sessions,
    session_ends,
)


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
    anonymous = anonymous_sessions(rng, day_start, scale, visitors)
    scripted = scripted_sessions(rng, day_start, visitors, conversions.height, first_visits)
    first_wave = Sessions.concat([anonymous, scripted])
    first_events = expand(rng, first_wave)

    # Some visitors come back later the same day, a few within minutes through a campaign.
    anonymous_ends = session_ends(first_events, len(first_wave))[: len(anonymous)]
    second_wave = second_sessions(rng, anonymous, anonymous_ends)
    second_events = expand(rng, second_wave)
    second_events["session"] += len(first_wave)

    sessions = Sessions.concat([first_wave, second_wave])
    events = {k: np.concatenate([first_events[k], second_events[k]]) for k in first_events}
    events.update(identified(sessions, events))
    frame = event_frame(rng, day_start, sessions, events, identities, visitors)

    is_form = events["is_form"]
    form_session = events["session"][is_form]
    converted = pl.DataFrame({
        "contact_id": identities["contact_id"].gather(sessions.identity_row[form_session]),
        "form_at": events["time"][is_form],
        "channel": from_choices(
            CHANNELS, TOUCHPOINT_CHANNEL[sessions.touchpoint[form_session]]),
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

