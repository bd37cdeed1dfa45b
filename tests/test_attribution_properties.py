"""Property tests of the attribution SQL itself.

The credit logic of `fct_attribution` is the macro `attribution_credits_ctes` (dbt_project/
macros/attribution.sql). dbt compiles it once per module against a table name; each
hypothesis example (a batch of opportunities with random touch sequences, random creation,
contact-creation and close times) is loaded into an in-memory DuckDB table and the compiled SQL
runs on it in one query. The results must hold the invariants of DESIGN.md section 5 and equal
an independent Python computation (tests/alignment_reference.py).
"""

from __future__ import annotations

import json
import tempfile
from collections import defaultdict
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import polars as pl
import pytest
from alignment_reference import MODELS, Touch, attribution_credits
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.settings import DBT_PROJECT_DIR

TABLE = "attribution_touches"
BASE = datetime(2026, 3, 1)
VARIANTS = {"default": {}, "short": {"lookback_days": 30, "half_life_days": 3}}


def compile_macro(lookback_days: int | None = None, half_life_days: float | None = None,
                  workdir: Path | None = None) -> str:
    """The SQL of the macro over `attribution_touches`, compiled by dbt in-process (own target
    and log folders, a throwaway warehouse)."""
    from dbt.cli.main import dbtRunner
    from dbt_fixtures import _close_dbt_duckdb

    args = []
    if lookback_days is not None:
        args.append(f"lookback_days={lookback_days}")
    if half_life_days is not None:
        args.append(f"half_life_days={half_life_days}")
    extra = "".join(f", {a}" for a in args)
    inline = (f"with {{{{ attribution_credits_ctes('{TABLE}'{extra}) }}}} "
              "select * from attribution_credits")
    try:
        result = dbtRunner().invoke([
            "--no-send-anonymous-usage-stats", "compile", "--inline", inline,
            "--vars", json.dumps({"data_dir": str(workdir)}),
            "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
            "--target-path", str(workdir / "alignment_target"),
            "--log-path", str(workdir / "alignment_logs"), "--quiet",
        ])
    finally:
        _close_dbt_duckdb()
    assert result.success, result.exception
    return result.result.results[0].node.compiled_code


@pytest.fixture(scope="module")
def compiled() -> dict[str, str]:
    with tempfile.TemporaryDirectory(prefix="alignment_compile_") as tmp:
        return {name: compile_macro(**params, workdir=Path(tmp))
                for name, params in VARIANTS.items()}


def run_sql(sql: str, touches: list[Touch]) -> pl.DataFrame:
    frame = pl.DataFrame(
        [t.__dict__ for t in touches],
        schema={"opportunity_id": pl.String, "touch_id": pl.String,
                "touch_at": pl.Datetime("us"), "opportunity_created_at": pl.Datetime("us"),
                "contact_created_at": pl.Datetime("us"),
                "opportunity_closed_at": pl.Datetime("us")},
    )
    con = duckdb.connect()
    try:
        con.register("touches_frame", frame.to_arrow())
        con.execute(f"create table {TABLE} as select * from touches_frame")
        return con.sql(sql).pl()
    finally:
        con.close()


# --------------------------------------------------------------------------------------------
# Random journeys
# --------------------------------------------------------------------------------------------

# Offsets in seconds relative to the opportunity's creation: mostly anywhere from 120 days
# before to 60 days after, sometimes exactly on a boundary (the lookback edge, the creation).
DAY = 86400
offsets = st.one_of(
    st.integers(min_value=-120 * DAY, max_value=60 * DAY),
    st.sampled_from([-90 * DAY, -90 * DAY - 1, -90 * DAY + 1, -30 * DAY, -30 * DAY - 1,
                     -1, 0, 1, -DAY, -7 * DAY]),
)


@st.composite
def opportunity(draw, index: int) -> list[Touch]:
    created = BASE + timedelta(seconds=draw(st.integers(0, 200 * DAY)))
    contact_created = draw(st.one_of(
        st.none(),
        st.integers(-150 * DAY, 20 * DAY).map(lambda s: created + timedelta(seconds=s)),
    ))
    closed = draw(st.one_of(
        st.none(),
        st.integers(-5 * DAY, 90 * DAY).map(lambda s: created + timedelta(seconds=s)),
    ))
    count = draw(st.integers(1, 12))
    # Ties on purpose: some touches share a time (ordered by touch_id then).
    times = draw(st.lists(offsets, min_size=count, max_size=count))
    if count > 1 and draw(st.booleans()):
        times[-1] = times[0]
    # One touch always before the creation inside the window, so most examples attribute.
    if draw(st.booleans()):
        times[0] = -draw(st.integers(1, 29 * DAY))
    return [
        Touch(f"O{index}", f"T{index}_{n:02d}", created + timedelta(seconds=offset), created,
              contact_created, closed)
        for n, offset in enumerate(times)
    ]


@st.composite
def batches(draw) -> list[Touch]:
    size = draw(st.integers(1, 8))
    return [touch for i in range(size) for touch in draw(opportunity(i))]


def check_invariants(result: pl.DataFrame, touches: list[Touch], lookback_days: int,
                     half_life_days: float) -> None:
    expected = attribution_credits(touches, lookback_days, half_life_days)
    expected_opportunities = {(o, m) for o, _, m in expected}

    # Every expected opportunity and model is there, nothing else.
    got_opportunities = {(r["opportunity_id"], r["attribution_model"])
                         for r in result.select("opportunity_id", "attribution_model").unique()
                         .iter_rows(named=True)}
    assert got_opportunities == expected_opportunities

    totals = defaultdict(float)
    per_group = defaultdict(list)
    for row in result.iter_rows(named=True):
        key = (row["opportunity_id"], row["attribution_model"])
        totals[key] += row["credit"]
        per_group[key].append(row)
        # No credit is negative (nor above 1).
        assert row["credit"] >= 0, row
        assert row["credit"] <= 1 + 1e-9, row
        # Same as the independent computation.
        ref = expected[(row["opportunity_id"], row["touch_id"], row["attribution_model"])]
        assert abs(row["credit"] - ref) <= 1e-9, (row, ref)
    assert len(result) == len(expected)

    for key, total in totals.items():
        # Credits of every opportunity sum to 1 in every model.
        assert abs(total - 1.0) <= 1e-9, (key, total)
        rows = per_group[key]
        model = key[1]
        if model in ("first_touch", "last_touch"):
            # All credit on one touch.
            assert sorted(r["credit"] for r in rows)[-1] == pytest.approx(1.0, abs=1e-12)
            assert sum(1 for r in rows if r["credit"] > 0) == 1
        # Each position is held by exactly one touch.
        for flag in ("is_first_touch", "is_lead_creation_touch", "is_deal_creation_touch"):
            assert sum(r[flag] for r in rows) == 1, (key, flag)
        assert sum(r["is_closing_touch"] for r in rows) == (1 if model == "full_path" else 0)

    # One touch in the path: every model agrees, 100%.
    for rows in per_group.values():
        if len(rows) == 1:
            assert rows[0]["credit"] == pytest.approx(1.0, abs=1e-12)
    single = {o for (o, m), rows in per_group.items() if m == "linear" and len(rows) == 1}
    for (opportunity_id, model), rows in per_group.items():
        if opportunity_id in single and model != "full_path":
            assert len(rows) == 1 and rows[0]["credit"] == pytest.approx(1.0, abs=1e-12)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(touches=batches())
def test_credits_hold_the_invariants_and_equal_the_reference(compiled, touches):
    result = run_sql(compiled["default"], touches)
    check_invariants(result, touches, lookback_days=90, half_life_days=7)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(touches=batches())
def test_configured_window_and_half_life_are_used(compiled, touches):
    result = run_sql(compiled["short"], touches)
    check_invariants(result, touches, lookback_days=30, half_life_days=3)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(count=st.integers(1, 12), data=st.data())
def test_one_opportunity_with_n_touches_all_before_creation(compiled, count, data):
    """Touches all inside the window: every model credits exactly the touches given."""
    created = BASE + timedelta(days=100)
    seconds = data.draw(st.lists(st.integers(1, 89 * DAY), min_size=count, max_size=count,
                                 unique=True))
    touches = [Touch("O", f"T{n:02d}", created - timedelta(seconds=s), created, None,
                     created + timedelta(days=10)) for n, s in enumerate(seconds)]
    result = run_sql(compiled["default"], touches)
    for model in MODELS:
        rows = result.filter(pl.col("attribution_model") == model)
        assert rows.height == count
        assert abs(rows["credit"].sum() - 1) <= 1e-9
    if count == 1:
        assert result["credit"].to_list() == pytest.approx([1.0] * len(MODELS))


def test_no_touch_in_window_means_no_rows(compiled):
    created = BASE + timedelta(days=100)
    closed = created + timedelta(days=5)
    touches = [
        Touch("O1", "old", created - timedelta(days=90, seconds=1), created, None, closed),
        Touch("O1", "after", created + timedelta(days=1), created, None, closed),
        Touch("O1", "at_creation", created, created, None, closed),
    ]
    assert run_sql(compiled["default"], touches).height == 0
