"""The product promise: every number of `marts.dim_contacts` and `marts.mart_funnel_daily`
equals an independent computation from the raw data, by the definitions of the glossary.

The sample warehouse (generated sample -> `funnel run`) is built once per session by
`tests/conftest.py`; the reference (tests/reference) recomputes both marts from its raw tables
and the shared configuration (seeds and vars of the dbt project) and every row and column is
compared: same key set, integers exactly, floats within 1e-9 relative, nulls where nulls. A
failure prints the first differing rows of each column.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import polars as pl
import pytest
from reference.compare import compare_frames
from reference.funnel_reference import Intermediate, build, funnel_daily_from, load_config, load_raw

from pipelines.settings import DBT_PROJECT_DIR

MARTS = ("dim_contacts", "mart_funnel_daily")


@dataclass
class Sample:
    raw: dict[str, pl.DataFrame]
    reference: Intermediate
    funnel_daily: pl.DataFrame
    marts: dict[str, pl.DataFrame | None]  # None: the warehouse has no such table


@pytest.fixture(scope="module")
def sample(sample_data_dir) -> Sample:
    con = duckdb.connect(str(sample_data_dir / "warehouse.duckdb"), read_only=True)
    try:
        raw = load_raw(con)
        present = {
            name
            for (name,) in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'marts'"
            ).fetchall()
        }
        marts = {
            name: con.sql(f"SELECT * FROM marts.{name}").pl() if name in present else None
            for name in MARTS
        }
    finally:
        con.close()
    reference = build(raw, load_config(DBT_PROJECT_DIR))
    return Sample(raw, reference, funnel_daily_from(reference), marts)


def _mart(sample: Sample, name: str) -> pl.DataFrame:
    mart = sample.marts[name]
    if mart is None:
        pytest.fail(f"the sample warehouse has no table marts.{name}", pytrace=False)
    return mart


def _assert_same(comparison) -> None:
    report = comparison.report()
    print(report)
    if not comparison.ok:
        pytest.fail("the mart differs from the reference computation:\n" + report, pytrace=False)


def test_dim_contacts_matches_reference(sample):
    _assert_same(
        compare_frames(
            "marts.dim_contacts",
            sample.reference.dim_contacts,
            _mart(sample, "dim_contacts"),
            ("contact_id",),
        )
    )


def test_mart_funnel_daily_matches_reference(sample):
    _assert_same(
        compare_frames(
            "marts.mart_funnel_daily",
            sample.funnel_daily,
            _mart(sample, "mart_funnel_daily"),
            ("metric_date", "channel"),
        )
    )


def test_sample_exercises_the_definitions(sample):
    """The comparison only proves something if the sample holds the cases the definitions are
    about. Every missing case is listed, not only the first."""
    raw, ref = sample.raw, sample.reference
    dim, daily = ref.dim_contacts, sample.funnel_daily
    known = dim["contact_id"].to_list()
    channels = set(ref.sessions["channel"].to_list())
    bases = set(dim["original_channel_basis"].to_list())
    expectations = {
        # Several versions of a key, in the CRM sources.
        "a contact with several versions": raw["contacts"].height > ref.contacts.height,
        "an opportunity with several versions": (
            raw["opportunities"].height > ref.opportunities.height
        ),
        # Sessions: several channels, bounces and multi-event sessions, identified visitors.
        f"sessions in 5 or more channels (got {sorted(channels)})": len(channels) >= 5,
        "a one-event session": bool((ref.sessions["event_count"] == 1).any()),
        "a session of several events": bool((ref.sessions["event_count"] > 1).any()),
        "a visitor stitched to a contact": ref.stitched.height > 0,
        "a site interaction": bool((ref.events["event_type"] != "page_view").any()),
        # Contacts: every basis of the original channel, incomplete records, duplicates.
        f"original channel bases web_session, crm_original_source, outbound (got {bases})": (
            {"web_session", "crm_original_source", "outbound"} <= bases
        ),
        "an incomplete contact": bool((~dim["is_complete"]).any()),
        "a complete contact": bool(dim["is_complete"].any()),
        "a suspected duplicate contact": bool(dim["is_suspected_duplicate"].any()),
        "two lifecycle stages at creation": dim["lifecycle_stage_at_creation"].n_unique() >= 2,
        # Deals and touches of contacts the CRM does not know are kept under `unknown`.
        "an opportunity of an unknown contact": bool(
            (~ref.opportunities["contact_id"].is_in(known)).any()
        ),
        "a sales interaction of an unknown contact": bool(
            (~ref.interactions["contact_id"].is_in(known)).any()
        ),
        "a mart row in channel unknown": bool((daily["channel"] == "unknown").any()),
        # Won deals, customers, email engagement, enough days.
        "a new customer": daily["customers"].sum() > 0,
        "revenue won": daily["revenue_won"].sum() > 0,
        "an email sent": daily["emails_sent"].sum() > 0,
        "an opened email": bool((daily["email_open_rate"].drop_nulls() > 0).any()),
        "10 or more days": daily["metric_date"].n_unique() >= 10,
    }
    missing = [name for name, present in expectations.items() if not present]
    assert not missing, "the sample lacks: " + "; ".join(missing)
