"""The pipeline marts (glossary: Pipeline) on hand-made raw version rows: hand-computed figures,
the independent computation of tests/reference/pipeline_reference.py on every row, the
waterfall equation, and day-by-day loading against loading everything at once.

The deals (2026, all times UTC):
  WON1   created and won in January: open 01-05 (1000), won 01-20 (1200, raised at the close).
  RAISE  amount raised then lowered: 01-10 500, 01-15 800, 02-02 600 (and owner A -> B).
  PUSH   expected close pushed twice: due 01-31, then 02-15 (on 01-25), then 03-10 (on 02-20);
         probability given as a percentage (30).
  REOPEN lost and reopened: 01-03 open 200, 01-12 lost, 02-05 reopened at 250, 03-01 won.
  TIE    two versions with the same updated_at (01-08 09:00): the later file wins (150, not 100).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from dbt_fixtures import RawData, failed_nodes, run_dbt, ts
from reference.pipeline_reference import pipeline_coverage, pipeline_daily, pipeline_waterfall

SELECTION = ["build", "--select", "+mart_pipeline_daily", "+mart_pipeline_waterfall",
             "+mart_pipeline_waterfall_weekly"]
EVERY_PIPELINE_MART = ["build", "--indirect-selection", "cautious", "--select", "+mart_pipeline_daily", "+mart_pipeline_waterfall",
                       "+mart_pipeline_waterfall_weekly",
                       "+mart_pipeline_coverage", "+mart_sales_velocity", "+mart_stage_conversion"]


def version(opportunity_id, updated, stage, amount, owner="A", created="2026-01-05 09:00:00",
            load_day=None, **extra):
    updated_at = ts(updated)
    load = ts(load_day) if load_day else updated_at.replace(hour=0, minute=0, second=0) + \
        timedelta(days=1, hours=3)
    return {"opportunity_id": opportunity_id, "contact_id": "C1", "created_at": ts(created),
            "stage": stage, "amount": amount, "owner_id": owner, "segment": "smb",
            "updated_at": updated_at, "_loaded_at": load,
            **{k: (ts(v) if k.endswith("_at") and isinstance(v, str) else v)
               for k, v in extra.items()}}


def deals() -> list[tuple[str, dict]]:
    """(file, row) in load order."""
    jan, feb = "opportunities/2026-01.csv", "opportunities/2026-02.csv"
    return [
        (jan, version("WON1", "2026-01-05 09:00:00", "discovery", 1000.0,
                      expected_close_at="2026-01-25 00:00:00", probability=0.2)),
        (jan, version("WON1", "2026-01-20 10:00:00", "closed_won", 1200.0)),
        (jan, version("RAISE", "2026-01-10 08:00:00", "prospecting", 500.0,
                      created="2026-01-10 08:00:00")),
        (jan, version("RAISE", "2026-01-15 08:00:00", "proposal", 800.0,
                      created="2026-01-10 08:00:00", probability=0.5)),
        (feb, version("RAISE", "2026-02-02 08:00:00", "proposal", 600.0, owner="B",
                      created="2026-01-10 08:00:00", probability=0.5)),
        (jan, version("PUSH", "2026-01-06 12:00:00", "proposal", 300.0,
                      created="2026-01-06 12:00:00", expected_close_at="2026-01-31 00:00:00",
                      probability=0.3)),
        (jan, version("PUSH", "2026-01-25 12:00:00", "proposal", 300.0,
                      created="2026-01-06 12:00:00", expected_close_at="2026-02-15 00:00:00",
                      probability=0.3)),
        (feb, version("PUSH", "2026-02-20 12:00:00", "negotiation", 300.0,
                      created="2026-01-06 12:00:00", expected_close_at="2026-03-10 00:00:00",
                      probability=0.6)),
        (jan, version("REOPEN", "2026-01-03 10:00:00", "prospecting", 200.0,
                      created="2026-01-03 10:00:00")),
        (jan, version("REOPEN", "2026-01-12 10:00:00", "closed_lost", 200.0,
                      created="2026-01-03 10:00:00")),
        (feb, version("REOPEN", "2026-02-05 10:00:00", "discovery", 250.0,
                      created="2026-01-03 10:00:00", expected_close_at="2026-02-28 00:00:00")),
        ("opportunities/2026-03.csv", version("REOPEN", "2026-03-01 10:00:00", "closed_won",
                                              250.0, created="2026-01-03 10:00:00")),
        ("opportunities/a.csv", version("TIE", "2026-01-08 09:00:00", "discovery", 100.0,
                                        created="2026-01-08 09:00:00", load_day="2026-01-09")),
        ("opportunities/b.csv", version("TIE", "2026-01-08 09:00:00", "discovery", 150.0,
                                        created="2026-01-08 09:00:00", load_day="2026-01-09")),
    ]


def raw_data(rows: list[tuple[str, dict]]) -> RawData:
    raw = RawData()
    for file, row in rows:
        raw.add("opportunities", row, source_file=file)
    return raw


def build(data_dir: Path, selection=SELECTION) -> None:
    problems = [p for p in failed_nodes(run_dbt(data_dir, selection)) if ": warn:" not in p]
    assert not problems, "\n".join(problems)


def table(data_dir: Path, name: str, key: str) -> list[dict]:
    con = duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True)
    try:
        return con.sql(f"select * from marts.{name} order by {key}").pl().to_dicts()
    finally:
        con.close()


def raw_rows(data_dir: Path) -> list[dict]:
    con = duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True)
    try:
        return con.sql("select * from raw.opportunities").pl().to_dicts()
    finally:
        con.close()


DAILY_KEY = "metric_date, stage, owner_id, segment, pipeline"
MONTH_KEY = "month, owner_id, segment, pipeline"
WEEK_KEY = "week, owner_id, segment, pipeline"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    data_dir = tmp_path_factory.mktemp("pipeline_fixtures")
    raw_data(deals()).write(data_dir)
    build(data_dir, EVERY_PIPELINE_MART)
    return data_dir


def _cents(value) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


def compare_daily(data_dir: Path) -> None:
    expected = pipeline_daily(raw_rows(data_dir))
    actual = {(r["metric_date"], r["stage"], r["owner_id"], r["segment"], r["pipeline"]): r
              for r in table(data_dir, "mart_pipeline_daily", DAILY_KEY)}
    assert sorted(actual) == sorted(expected)
    for key, figures in expected.items():
        for column, value in figures.items():
            assert _cents(actual[key][column]) == _cents(value), (key, column)


WATERFALLS = {"month": ("mart_pipeline_waterfall", MONTH_KEY),
              "week": ("mart_pipeline_waterfall_weekly", WEEK_KEY)}


def compare_waterfall(data_dir: Path, grain: str = "month") -> None:
    """The mart of the grain against the reference; the weekly mart carries the buckets only
    (being due is a monthly notion)."""
    name, key_columns = WATERFALLS[grain]
    expected = pipeline_waterfall(raw_rows(data_dir), grain)
    actual = {(r[grain], r["owner_id"], r["segment"], r["pipeline"]): r
              for r in table(data_dir, name, key_columns)}
    assert sorted(actual) == sorted(expected)
    for key, figures in expected.items():
        for bucket, value in figures.items():
            if f"{bucket}_amount" in actual[key] or grain == "month":
                assert _cents(actual[key][f"{bucket}_amount"]) == _cents(value), (key, bucket)


def test_daily_pipeline_equals_the_reference(built):
    compare_daily(built)


def test_waterfall_equals_the_reference(built):
    compare_waterfall(built)


def test_weekly_waterfall_equals_the_reference_and_adds_up_to_the_months(built):
    compare_waterfall(built, "week")
    weeks = table(built, "mart_pipeline_waterfall_weekly", WEEK_KEY)
    months = table(built, "mart_pipeline_waterfall", MONTH_KEY)
    assert len({r["week"] for r in weeks}) > 4 and all(r["week"].weekday() == 0 for r in weeks)
    for bucket in ("created", "reopened", "increased", "decreased", "won", "lost"):
        # Every change falls in one week and one month: the flows add up to the same totals.
        assert _cents(sum(r[f"{bucket}_amount"] for r in weeks)) == \
            _cents(sum(r[f"{bucket}_amount"] for r in months)), bucket
    last_week, last_month = max(r["week"] for r in weeks), max(r["month"] for r in months)
    assert _cents(sum(r["end_amount"] for r in weeks if r["week"] == last_week)) == \
        _cents(sum(r["end_amount"] for r in months if r["month"] == last_month)), \
        "both end on the latest day"


def test_hand_computed_waterfall(built):
    rows = table(built, "mart_pipeline_waterfall", MONTH_KEY)
    by = {(r["month"], r["owner_id"]): r for r in rows}
    jan = by[(date(2026, 1, 1), "A")]
    # January, owner A at the month's end: WON1, PUSH, REOPEN, TIE (RAISE ends January with A).
    assert jan["start_amount"] == 0
    assert jan["created_amount"] == pytest.approx(1000 + 500 + 300 + 200 + 150)
    assert jan["increased_amount"] == pytest.approx(200 + 300)  # WON1 at the close, RAISE
    assert jan["won_amount"] == pytest.approx(1200) and jan["lost_amount"] == pytest.approx(200)
    assert jan["end_amount"] == pytest.approx(800 + 300 + 150)
    assert jan["pushed_out_amount"] == pytest.approx(300)  # PUSH: due 01-31, moved to 02-15
    assert jan["due_won_amount"] == pytest.approx(1200)  # WON1 was due 01-25
    feb_a, feb_b = by[(date(2026, 2, 1), "A")], by[(date(2026, 2, 1), "B")]
    # RAISE moves to B with all of February: start 800, decreased 200, end 600.
    assert (feb_b["start_amount"], feb_b["decreased_amount"], feb_b["end_amount"]) == \
        pytest.approx((800, 200, 600))
    # REOPEN reopened at 250 and due 02-28; PUSH due at the start (02-15), pushed to March.
    assert feb_a["reopened_amount"] == pytest.approx(250)
    assert feb_a["created_amount"] == pytest.approx(250)
    assert feb_a["due_at_start_amount"] == pytest.approx(300)
    assert feb_a["pushed_out_amount"] == pytest.approx(300)
    assert feb_a["moved_in_amount"] == pytest.approx(250)
    assert by[(date(2026, 3, 1), "A")]["won_amount"] == pytest.approx(250)


def test_waterfall_equation_holds_for_every_month_and_owner(built):
    for r in table(built, "mart_pipeline_waterfall", MONTH_KEY):
        assert _cents(r["start_amount"] + r["created_amount"] + r["increased_amount"]
                      - r["decreased_amount"] - r["won_amount"] - r["lost_amount"]) == \
            _cents(r["end_amount"]), r


def test_day_by_day_loading_equals_loading_at_once(built, tmp_path):
    rows = deals()
    load_days = sorted({row["_loaded_at"] for _, row in rows})
    for load in load_days:
        raw_data([(f, r) for f, r in rows if r["_loaded_at"] <= load]).write(tmp_path)
        build(tmp_path)
    for name, key in (("mart_pipeline_daily", DAILY_KEY), ("mart_pipeline_waterfall", MONTH_KEY),
                      ("mart_pipeline_waterfall_weekly", WEEK_KEY)):
        nightly = [{k: v for k, v in r.items() if k != "_loaded_at"}
                   for r in table(tmp_path, name, key)]
        at_once = [{k: v for k, v in r.items() if k != "_loaded_at"}
                   for r in table(built, name, key)]
        assert nightly == at_once, name
    assert len(load_days) > 5
    # The nights only added days: the first day was built by the first night, never again.
    first = table(tmp_path, "mart_pipeline_daily", DAILY_KEY)[0]
    assert first["metric_date"] == date(2026, 1, 3) and first["_loaded_at"] == load_days[0]


def seed_quotas() -> list[dict]:
    import csv

    from pipelines.settings import DBT_PROJECT_DIR

    with open(DBT_PROJECT_DIR / "seeds" / "sales_quotas.csv", newline="") as f:
        return [{"period_month": date.fromisoformat(r["period_month"]), "owner_id": r["owner_id"],
                 "segment": r["segment"], "quota": float(r["quota"])} for r in csv.DictReader(f)]


def compare_coverage(data_dir: Path, quotas: list[dict]) -> None:
    expected = pipeline_coverage(raw_rows(data_dir), quotas)
    actual = {(r["month"], r["owner_id"], r["segment"]): r
              for r in table(data_dir, "mart_pipeline_coverage", "month, owner_id, segment")}
    assert sorted(actual) == sorted(expected)
    for key, figures in expected.items():
        for column, value in figures.items():
            got = actual[key][column]
            if value is None or got is None:
                assert got is None and value is None, (key, column, got, value)
            else:
                assert _cents(got) == _cents(value), (key, column)


def test_coverage_equals_the_reference(built):
    compare_coverage(built, seed_quotas())


def test_hand_computed_coverage(built):
    rows = {(r["month"], r["owner_id"]): r
            for r in table(built, "mart_pipeline_coverage", "month, owner_id, segment")}
    feb = rows[(date(2026, 2, 1), "A")]
    # As of 02-28: REOPEN (250) is due 02-28; PUSH was pushed to March; nothing won in February.
    assert feb["measured_on"] == date(2026, 2, 28) and feb["quota"] is None
    assert feb["due_amount"] == pytest.approx(250) and feb["coverage"] is None
    # At 01-28 (the same day of January): WON1 won (1200) in January; PUSH due 02-15, not January.
    assert feb["previous_closed_won_amount"] == pytest.approx(1200)
    assert feb["previous_due_amount"] == 0
    # March is measured on the latest day, 03-01; February compared at 02-01.
    assert rows[(date(2026, 3, 1), "A")]["measured_on"] == date(2026, 3, 1)
    assert rows[(date(2026, 3, 1), "A")]["previous_measured_on"] == date(2026, 2, 1)


def test_stage_conversion_and_velocity(built):
    conversion = {(r["cohort_month"], r["stage"]): r for r in table(
        built, "mart_stage_conversion", "cohort_month, stage, owner_id, channel")
        if r["owner_id"] == "A"}
    # January discovery: WON1 (won), TIE (still there) -> 1 of 2 advanced.
    jan_discovery = conversion[(date(2026, 1, 1), "discovery")]
    assert (jan_discovery["entered"], jan_discovery["advanced"]) == (2, 1)
    velocity = [r for r in table(built, "mart_sales_velocity", "month, owner_id, segment, channel")
                if r["month"] == date(2026, 1, 1) and r["won_opportunities"]]
    assert len(velocity) == 1 and velocity[0]["won_amount"] == pytest.approx(1200)
    # WON1: created 01-05 09:00, won 01-20 10:00 -> 15 days and one hour.
    assert velocity[0]["avg_cycle_days"] == pytest.approx(15 + 1 / 24)


@pytest.mark.slow
def test_generated_sample_equals_the_reference(sample_data_dir):
    """The pipeline marts of the sample that `funnel run` built (the session fixture)."""
    compare_daily(sample_data_dir)
    compare_waterfall(sample_data_dir)
    compare_waterfall(sample_data_dir, "week")
    compare_coverage(sample_data_dir, seed_quotas())
