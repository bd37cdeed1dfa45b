"""The product promise: every number of `marts.dim_contacts` and `marts.mart_funnel_daily`
equals an independent computation from the raw data, by the definitions of the glossary.

The sample warehouse (generated sample -> `funnel run`) is built once per session by
`tests/conftest.py`; the reference (tests/reference) recomputes both marts from its raw tables
and the shared configuration (seeds and vars of the dbt project) and every row and column is
compared: same key set, integers exactly, floats within 1e-9 relative, nulls where nulls. A
failure prints the first differing rows of each column.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import duckdb
import polars as pl
import pytest
from dbt_fixtures import RawData, failed_nodes, run_dbt
from reference.adversarial import adversarial_raw
from reference.compare import compare_frames
from reference.funnel_reference import Intermediate, build, funnel_daily_from, load_config, load_raw

from pipelines.settings import DBT_PROJECT_DIR

MARTS = ("dim_contacts", "mart_funnel_daily")


@dataclass
class Sample:
    raw: dict[str, pl.DataFrame] = field(repr=False)
    reference: Intermediate = field(repr=False)
    funnel_daily: pl.DataFrame = field(repr=False)
    marts: dict[str, pl.DataFrame | None] = field(repr=False)  # None: no such table


def _recompute(warehouse: Path) -> Sample:
    """Read the raw tables and the marts of a built warehouse; recompute the marts."""
    con = duckdb.connect(str(warehouse), read_only=True)
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


@pytest.fixture(scope="module")
def sample(sample_data_dir) -> Sample:
    return _recompute(sample_data_dir / "warehouse.duckdb")


@pytest.fixture(scope="module")
def adversarial(tmp_path_factory) -> Sample:
    """The seeded adversarial raw rows (tests/reference/adversarial.py) written straight into
    raw tables and built by dbt (models and seeds; data tests are the dbt suite's business)."""
    data_dir = tmp_path_factory.mktemp("adversarial")
    data = RawData()
    for source, rows in adversarial_raw(seed=1).items():
        data.add(source, rows)
    data.write(data_dir)
    result = run_dbt(data_dir, ("build", "--exclude", "resource_type:test"))
    assert result.success, "dbt failed on the adversarial data: " + "; ".join(failed_nodes(result))
    return _recompute(data_dir / "warehouse.duckdb")


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


@pytest.mark.parametrize("mart", ["dim_contacts", "mart_funnel_daily"])
def test_marts_match_reference_on_adversarial_data(adversarial, mart):
    """Edge cases packed densely (exact 30:00 gaps, campaign case changes, contacts created at
    the instant of their first session, version ties, sends at one instant...)."""
    if mart == "dim_contacts":
        expected, keys = adversarial.reference.dim_contacts, ("contact_id",)
    else:
        expected, keys = adversarial.funnel_daily, ("metric_date", "channel")
    _assert_same(
        compare_frames(f"marts.{mart} (adversarial)", expected, _mart(adversarial, mart), keys)
    )


def test_adversarial_data_hits_the_boundaries(adversarial):
    ref = adversarial.reference
    dim = ref.dim_contacts
    events = ref.events.sort("visitor_id", "occurred_at", "event_id")
    gaps = events.select((pl.col("occurred_at").diff().over("visitor_id")).alias("gap"))[
        "gap"
    ].drop_nulls()
    boundaries = {
        "a gap of exactly 30:00": (gaps == timedelta(minutes=30)).any(),
        "a gap of 29:59": (gaps == timedelta(minutes=29, seconds=59)).any(),
        "a contact created at the instant of its first session": (
            dim["first_touch_at"] == dim["created_at"]
        ).any(),
        "a contact whose sessions all start after its creation": (
            (dim["stitched_sessions"] > 0) & dim["first_session_id"].is_null()
        ).any(),
        "a suspected duplicate": dim["is_suspected_duplicate"].any(),
        "an outbound contact": (dim["original_channel_basis"] == "outbound").any(),
        "a new customer": adversarial.funnel_daily["customers"].sum() > 0,
    }
    missing = [name for name, hit in boundaries.items() if not hit]
    assert not missing, "the adversarial data lacks: " + "; ".join(missing)


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
