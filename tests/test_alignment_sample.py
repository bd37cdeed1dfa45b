"""The alignment marts on generated sample data, against independent computations.

The module generates the sample inbox (the same parameters as the `sample_data_dir` session
fixture), ingests it with the ingestion package and builds dbt once, in its own temporary data
directory with its own dbt target folder (so it never shares dbt_project/target with another
dbt process).

- mart_lead_follow_up_summary is recomputed in plain Python from the raw rows (every loaded
  version) by tests/alignment_reference.py, taking only each contact's original channel from
  marts.dim_contacts (tested against its own reference elsewhere); it must equal the mart on
  every row.
- fct_attribution is recomputed from marts.fct_sessions, fct_opportunities and dim_contacts
  (the window, the positions and the credits in Python) and must equal the mart on every row.
- Every model and column of the project (the alignment ones included) is documented, and the
  marts hold their invariants.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import duckdb
import polars as pl
import pytest
from alignment_reference import Touch, attribution_credits, lead_follow_up, lead_follow_up_summary
from dbt_fixtures import failed_nodes, run_dbt

SAMPLE = {"days": 14, "seed": 7, "scale": 0.5}
KEY = ["mql_month", "channel", "owner_id"]


@pytest.fixture(scope="module")
def sample_dir(tmp_path_factory) -> Path:
    from pipelines.generate import generate_sample
    from pipelines.ingestion.ingest import ingest_inbox
    from pipelines.ingestion.mapping import load_mappings

    data_dir = tmp_path_factory.mktemp("alignment_sample")
    generate_sample(data_dir / "inbox", **SAMPLE)
    con = duckdb.connect(str(data_dir / "warehouse.duckdb"))
    try:
        ingest_inbox(con, data_dir / "inbox", load_mappings(data_dir / "mappings"))
    finally:
        con.close()
    result = run_dbt(data_dir, ["build"])
    problems = [p for p in failed_nodes(result) if ": warn:" not in p]
    assert not problems, "\n".join(problems)
    return data_dir


def query(data_dir: Path, sql: str) -> pl.DataFrame:
    con = duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True)
    try:
        return con.sql(sql).pl()
    finally:
        con.close()


def rows(data_dir: Path, sql: str) -> list[dict]:
    return query(data_dir, sql).to_dicts()


def test_follow_up_summary_equals_an_independent_recomputation(sample_dir):
    channels = dict(query(sample_dir, "select contact_id, original_channel from marts.dim_contacts")
                    .iter_rows())
    follow_up = lead_follow_up(
        rows(sample_dir, "select * from raw.contacts"),
        rows(sample_dir, "select * from raw.opportunities"),
        rows(sample_dir, "select * from raw.sales_interactions"),
        channels,
        raw_associations=rows(sample_dir, "select * from raw.associations"),
    )
    expected = lead_follow_up_summary(follow_up).sort(KEY)
    actual = query(sample_dir, "select * from marts.mart_lead_follow_up_summary").sort(KEY)

    assert expected.height > 5, "the sample should have MQLs in several groups"
    assert expected["mqls_ignored"].sum() > 0 and expected["mqls_within_sla"].sum() > 0
    assert actual.columns == expected.columns
    assert actual.select(KEY).to_dicts() == expected.select(KEY).to_dicts()
    for column in expected.columns:
        for got, want, key in zip(actual[column], expected[column], expected.select(KEY).rows(),
                                  strict=True):
            if isinstance(want, float):
                assert got == pytest.approx(want, abs=1e-9), (column, key)
            else:
                assert got == want, (column, key)

    # Row level too: the same MQLs with the same first touch and flags.
    mart = {r["contact_id"]: r for r in rows(sample_dir, "select * from marts.mart_lead_follow_up")}
    assert set(mart) == {r["contact_id"] for r in follow_up}
    for ref in follow_up:
        got = mart[ref["contact_id"]]
        for column in ("first_touch_interaction_id", "is_within_sla", "is_ignored",
                       "reached_sql", "owner_id", "original_channel"):
            assert got[column] == ref[column], (ref["contact_id"], column)


def test_attribution_equals_an_independent_recomputation(sample_dir):
    sessions = query(sample_dir, """
        select session_id, contact_id, started_at from marts.fct_sessions
        where contact_id is not null""")
    opportunities = query(sample_dir, """
        select o.opportunity_id, o.contact_id, o.created_at,
            case when o.is_closed then o.effective_closed_at end as closed_at,
            c.created_at as contact_created_at
        from marts.fct_opportunities as o
        left join marts.dim_contacts as c on o.contact_id = c.contact_id""")
    by_contact: dict[str, list[dict]] = {}
    for session in sessions.iter_rows(named=True):
        by_contact.setdefault(session["contact_id"], []).append(session)
    touches = [
        Touch(o["opportunity_id"], s["session_id"], s["started_at"], o["created_at"],
              o["contact_created_at"], o["closed_at"])
        for o in opportunities.iter_rows(named=True)
        for s in by_contact.get(o["contact_id"], [])
        if o["created_at"] is not None
        and s["started_at"] >= o["created_at"] - timedelta(days=100)
    ]
    expected = attribution_credits(touches)
    actual = {(r["opportunity_id"], r["session_id"], r["attribution_model"]): r["credit"]
              for r in rows(sample_dir, "select * from marts.fct_attribution")}
    assert len(expected) > 50
    assert set(actual) == set(expected)
    for key, credit in expected.items():
        assert actual[key] == pytest.approx(credit, abs=1e-9), key

    unattributed = query(sample_dir, "select opportunity_id from marts.mart_unattributed_opportunities")
    attributed = {k[0] for k in expected}
    assert set(unattributed["opportunity_id"]) == (
        set(opportunities["opportunity_id"]) - attributed)


def test_funnel_conversion_counts_every_contact_once_and_is_monotone(sample_dir):
    funnel = query(sample_dir, "select * from marts.mart_funnel_conversion")
    contacts = query(sample_dir, "select count(*) as n from marts.dim_contacts")["n"][0]
    assert funnel["contacts"].sum() == contacts
    for row in funnel.iter_rows(named=True):
        assert (row["contacts"] >= row["leads"] >= row["mqls"] >= row["sqls"]
                >= row["opportunities"] >= row["customers"] >= 0), row
    assert funnel["opportunities"].sum() > 0


def test_every_model_and_column_is_documented(sample_dir):
    """Every model and seed of the project (the sample builds them all), the alignment marts
    included: described, every built column described, no described column missing."""
    manifest = json.loads((sample_dir / "dbt_target" / "manifest.json").read_text())
    nodes = [n for n in manifest["nodes"].values() if n["resource_type"] in ("model", "seed")]
    assert len(nodes) >= 40
    for node in nodes:
        assert node["description"].strip(), node["name"]
        relation = f"{node['schema']}.{node['alias']}"
        columns = query(sample_dir, f"select * from {relation} limit 0").columns
        documented = {name: c.get("description", "") for name, c in node["columns"].items()}
        missing = [c for c in columns if not documented.get(c, "").strip()]
        assert not missing, f"{node['name']}: undocumented columns {missing}"
        extra = set(documented) - set(columns)
        assert not extra, f"{node['name']}: documented columns that do not exist {extra}"
    marts = {n["name"] for n in nodes if n["schema"] == "marts"}
    assert {"fct_attribution", "mart_funnel_conversion", "fct_opportunity_stage_history",
            "mart_lead_follow_up", "mart_lead_follow_up_summary", "mart_lead_scores",
            "mart_attribution_by_channel", "mart_unattributed_opportunities",
            "mart_contact_paths", "mart_path_summary", "mart_marketing_roi",
            "mart_sales_content", "mart_targets_vs_actuals"} <= marts
