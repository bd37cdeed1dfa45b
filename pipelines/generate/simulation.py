"""The day loop: simulate a day of the business, then write each source's batch for that day.

State carried from day to day is small (visitor numbers, contacts' emails, deals and rows
planned for later days), so memory does not grow with the number of web events.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import polars as pl

from pipelines.contract import CONTACTS, OPPORTUNITIES, SALES_INTERACTIONS, SOURCES, WEB_VISITS
from pipelines.generate import (
    crm,
    forecasts,
    hubspot,
    imperfections,
    opportunities,
    sales,
    volumes,
)
from pipelines.generate.backlog import Backlog
from pipelines.generate.people import IMPORTED, WEB, ContactDirectory, new_people
from pipelines.generate.rows import contract_only
from pipelines.generate.sampling import DAY, Numbering, day_rng, seconds_into_day
from pipelines.generate.timestamp_styles import (
    timestamps_as_text,
    timestamps_as_utc,
    with_time_styles,
)
from pipelines.generate.visitors import VisitorRegistry
from pipelines.generate.web import generate_web_day
from pipelines.generate.writers import file_format, write_batch

# The sources the sample has (marketing_spend, the optional fifth, is not generated).
GENERATED_SOURCES = tuple(s.name for s in (WEB_VISITS, CONTACTS, OPPORTUNITIES, SALES_INTERACTIONS))
EXPORT_EVERY_DAYS = 7  # every 7th day the contacts batch is a HubSpot export

# Per source: (share of rows arriving a day late, share re-sent next day, share doubled in
# the file). Web events get at least one re-sent and one doubled row per file.
_IMPERFECTION_SHARES = {
    "web_visits": (0.01, 0.002, 0.003),
    "contacts": (0.0, 0.02, 0.01),
    "opportunities": (0.0, 0.03, 0.02),
    "sales_interactions": (0.02, 0.005, 0.005),
}


class Simulation:
    """The business as it runs day after day, and what is still to be written."""

    def __init__(self, seed: int, scale: float, start: date, days: int) -> None:
        self.seed, self.scale, self.days = seed, scale, days
        self.start = start
        self.start_s = int(datetime(start.year, start.month, start.day, tzinfo=UTC).timestamp())
        self.visitors = VisitorRegistry(seed)
        self.directory = ContactDirectory()
        self.opportunity_ids = Numbering("OPP-", 7)
        self.interaction_ids = Numbering("SI-", 9)
        self.backlog = Backlog(self.start_s, days)
        self.first_visits_due: dict[int, list[pl.DataFrame]] = {}
        self.deals_by_contact = pl.DataFrame(
            schema={"contact_id": pl.String, "opportunity_id": pl.String})

    def rng(self, day: int, stream: str) -> np.random.Generator:
        return day_rng(self.seed, day, stream)

    def simulate_day(self, day: int) -> None:
        """Plan everything that starts today and file the rows under their days."""
        day_start = self.start_s + day * DAY
        rng = self.rng(day, "contacts")
        people = new_people(rng, int(rng.poisson(volumes.NEW_CONTACTS_PER_DAY * self.scale)),
                            self.directory)
        self.directory.add(people)

        signing_up = people.filter(pl.col("origin") == WEB)
        first_visits = self._first_visits_due(day)
        web = generate_web_day(self.rng(day, "web"), day_start, self.scale, self.visitors,
                               signing_up.select("contact_id", "email", "form_type"),
                               first_visits)
        self.visitors.end_day()

        sign_ups = people.select("contact_id").join(
            web.conversions, on="contact_id", how="left", maintain_order="left")
        signed_up = sign_ups["form_at"].is_not_null().to_numpy()
        created_at = np.where(
            signed_up,
            crm.creation_times(rng, sign_ups["form_at"].fill_null(0).to_numpy()),
            day_start + seconds_into_day(rng, people.height, office_hours=True),
        )
        plan = crm.plan_lifecycle(rng, people, created_at, sign_ups["channel"])

        deal_rng = self.rng(day, "opportunities")
        deals, opportunity_at, customer_at = opportunities.plan_deals(
            deal_rng, plan, people, self.opportunity_ids)
        orphan_deals = opportunities.deals_from_elsewhere(
            deal_rng, day_start,
            int(deal_rng.poisson(volumes.ORPHAN_OPPORTUNITIES_PER_DAY * self.scale)),
            self.opportunity_ids)
        contacts = crm.contact_versions(rng, people, plan, opportunity_at, customer_at)

        sales_rng = self.rng(day, "sales_interactions")
        timelines = pl.concat([deals.timelines, orphan_deals.timelines])
        interactions = sales.finish(pl.concat([
            sales.sequence_interactions(sales_rng, plan),
            sales.deal_interactions(sales_rng, timelines),
            sales.interactions_from_elsewhere(
                sales_rng, day_start,
                int(sales_rng.poisson(volumes.ORPHAN_INTERACTIONS_PER_DAY * self.scale))),
        ], how="diagonal_relaxed"), self.interaction_ids)

        self._schedule_first_visits(day, rng, people)
        self.deals_by_contact = pl.concat([
            self.deals_by_contact, timelines.select("contact_id", "opportunity_id")])
        for source, frame in (
            (WEB_VISITS, web.events),
            (CONTACTS, contacts),
            (OPPORTUNITIES, forecasts.with_forecasts(
                self.rng(day, "forecasts"),
                pl.concat([deals.versions, orphan_deals.versions]), timelines)),
            (SALES_INTERACTIONS, interactions),
        ):
            styled = with_time_styles(self.rng(day, f"styles/{source.name}"), frame)
            self.backlog.file(source.name, styled)

    def _first_visits_due(self, day: int) -> pl.DataFrame:
        due = self.first_visits_due.pop(day, [])
        schema = {"contact_id": pl.String, "email": pl.String, "start_at": pl.Int64}
        return pl.concat(due) if due else pl.DataFrame(schema=schema)

    def _schedule_first_visits(self, day: int, rng: np.random.Generator,
                               people: pl.DataFrame) -> None:
        """Most imported contacts visit the site for the first time days after creation."""
        rows = np.flatnonzero((people["origin"] == IMPORTED).to_numpy()
                              & (rng.random(people.height) < 0.8))
        visit_day = day + rng.geometric(0.3, rows.size)
        start_at = self.start_s + visit_day * DAY + seconds_into_day(rng, rows.size)
        visits = people[rows].select("contact_id", "email").with_columns(
            start_at=pl.Series(start_at, dtype=pl.Int64))
        for due in np.unique(visit_day):
            self.first_visits_due.setdefault(int(due), []).append(
                visits.filter(pl.Series(visit_day == due)))

    def write_day(self, day: int, out_dir: Path) -> dict[str, int]:
        """Write the four batch files of a day; rows written per source."""
        return {name: self._write_batch(day, name, out_dir) for name in GENERATED_SOURCES}

    def _write_batch(self, day: int, name: str, out_dir: Path) -> int:
        source = SOURCES[name]
        rng = self.rng(day, f"imperfections/{name}")
        late_share, resent_share, doubled_share = _IMPERFECTION_SHARES[name]
        at_least = 1 if name == "web_visits" else 0
        rows = self.backlog.take(day, name)
        rows, late = imperfections.hold_back_late(rng, rows, late_share)
        self.backlog.file_on(day + 1, name, late)
        self.backlog.file_on(day + 1, name,
                             imperfections.resent_tomorrow(rng, rows, resent_share, at_least))
        rows = imperfections.with_duplicates(rng, rows, doubled_share, at_least)

        batch_date = self.start + timedelta(days=day)
        broken_count = imperfections.malformed_count(rows.height)
        if name == "contacts" and (day + 1) % EXPORT_EVERY_DAYS == 0:
            export = hubspot.export_frame(contract_only(rows), self.deals_by_contact)
            broken = imperfections.malformed_records(rng, export, source, broken_count,
                                                     rename=hubspot.COLUMNS)
            path = out_dir / name / f"{hubspot.EXPORT_FILE_PREFIX}{batch_date:%Y-%m-%d}.csv"
            return write_batch(path, export, "csv", rng, broken)

        fmt = file_format(day, name)
        path = out_dir / name / f"{name}_{batch_date:%Y-%m-%d}.{fmt}"
        if fmt == "parquet":
            return write_batch(path, timestamps_as_utc(contract_only(rows), source), fmt, rng)
        text = timestamps_as_text(rows, source)
        broken = imperfections.malformed_records(rng, text, source, broken_count)
        return write_batch(path, contract_only(text), fmt, rng, broken)


def generate_sample(
    out_dir: Path,
    days: int = 30,
    seed: int = 42,
    scale: float = 1.0,
    start: date = date(2026, 1, 1),
    progress: Callable[[str], None] | None = None,
) -> dict[str, int]:
    """Write `days` daily batch files per source into the inbox `out_dir`, and the HubSpot
    mapping into `out_dir/../mappings/`. Returns the rows written per source."""
    if days < 1:
        raise ValueError(f"days must be at least 1, not {days}")
    if not scale > 0:
        raise ValueError(f"scale must be a positive number, not {scale}")
    if seed < 0:
        raise ValueError(f"seed must be zero or a positive integer, not {seed}")
    out_dir = Path(out_dir)
    simulation = Simulation(seed, scale, start, days)
    written = dict.fromkeys(GENERATED_SOURCES, 0)
    for day in range(days):
        simulation.simulate_day(day)
        counts = simulation.write_day(day, out_dir)
        for name, rows in counts.items():
            written[name] += rows
        if progress:
            progress(f"{start + timedelta(days=day)}: "
                     + ", ".join(f"{rows} {name}" for name, rows in counts.items()))
    mappings = out_dir.parent / "mappings"
    mappings.mkdir(parents=True, exist_ok=True)
    (mappings / hubspot.MAPPING_FILE_NAME).write_text(hubspot.MAPPING_TEXT, encoding="utf-8")
    return written
