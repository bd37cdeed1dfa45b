"""The dbt project as Dagster assets: the model keys, their lineage from the raw ingestion
assets, dbt tests as asset checks, and the resource."""

from __future__ import annotations

import dagster as dg

from pipelines.resources import funnel_resources
from pipelines.settings import FunnelSettings
from pipelines.transform.assets import dbt_resource, funnel_dbt_assets

RAW_KEYS = {dg.AssetKey(["raw", t])
            for t in ("web_visits", "contacts", "opportunities", "sales_interactions")}
# Keys are [schema, model], like the raw keys [schema, table]: marts/dim_contacts.
MARTS = {"dim_contacts", "fct_sessions", "fct_opportunities", "fct_sales_interactions",
         "mart_contact_quality", "mart_contact_quality_summary", "mart_funnel_daily"}
STAGING = {"stg_raw__web_visits", "stg_raw__contacts", "stg_raw__opportunities",
           "stg_raw__sales_interactions"}
# Sources whose latest-version view reads an all-versions view of raw instead of raw itself.
VERSIONS = {"web_visits": "stg_raw__web_visit_versions",
            "opportunities": "stg_alignment__opportunity_versions"}


def _defs() -> dg.Definitions:
    return dg.Definitions(assets=[funnel_dbt_assets],
                          resources=funnel_resources(FunnelSettings.from_environment()))


def test_definitions_load_with_model_and_seed_keys():
    graph = _defs().resolve_asset_graph()
    keys = {key.to_user_string() for key in graph.get_all_asset_keys()}
    assert {f"marts/{m}" for m in MARTS} <= keys
    assert {f"staging/{m}" for m in STAGING | {"channel_rules", "original_source_channels"}} <= keys
    assert "intermediate/int_web_events_sessionized" in keys


def test_staging_models_depend_on_the_raw_ingestion_keys():
    specs = {spec.key: spec for spec in funnel_dbt_assets.specs}

    def deps(model: str) -> set[dg.AssetKey]:
        return {dep.asset_key for dep in specs[dg.AssetKey(["staging", model])].deps}

    for table in ("web_visits", "contacts", "opportunities", "sales_interactions"):
        raw = {dg.AssetKey(["raw", table])}
        if table in VERSIONS:
            assert deps(f"stg_raw__{table}") == {dg.AssetKey(["staging", VERSIONS[table]])}
            assert deps(VERSIONS[table]) == raw
        else:
            assert deps(f"stg_raw__{table}") == raw
    all_deps = {dep.asset_key for spec in specs.values() for dep in spec.deps}
    assert RAW_KEYS <= all_deps


def test_marts_are_downstream_of_raw():
    graph = _defs().resolve_asset_graph()
    upstream = graph.get(dg.AssetKey(["marts", "mart_funnel_daily"]))
    seen, frontier = set(), {upstream.key}
    while frontier:
        key = frontier.pop()
        seen.add(key)
        if graph.has(key):
            frontier |= set(graph.get(key).parent_keys) - seen
    assert RAW_KEYS <= seen


def test_dbt_tests_are_asset_checks():
    check_keys = funnel_dbt_assets.check_keys
    checked_assets = {key.asset_key.to_user_string() for key in check_keys}
    assert {f"marts/{m}" for m in MARTS} <= checked_assets
    daily = dg.AssetKey(["marts", "mart_funnel_daily"])
    names = {key.name for key in check_keys if key.asset_key == daily}
    assert "assert_funnel_daily_totals_match_facts" in names


def test_groups_and_owners():
    specs = {spec.key.to_user_string(): spec for spec in funnel_dbt_assets.specs}
    assert specs["staging/stg_raw__contacts"].group_name == "staging"
    assert specs["intermediate/int_web_events_sessionized"].group_name == "intermediate"
    assert specs["marts/mart_funnel_daily"].group_name == "marts"
    assert specs["marts/fct_opportunities"].owners == ["team:sales"]


def test_resource_runs_this_environments_dbt():
    resource = dbt_resource(FunnelSettings.from_environment())
    assert resource.dbt_executable.endswith("dbt")


def test_materialize_builds_the_marts_and_runs_checks(tmp_path):
    """One `dbt build` through Dagster on a tiny raw layer: every asset materialises and every
    dbt test reports as an asset check (warnings do not fail the run)."""
    import duckdb
    from dbt_fixtures import RawData, ts

    RawData().add("web_visits", {
        "event_id": "e1", "visitor_id": "v1", "occurred_at": ts("2024-03-01 10:00:00"),
        "event_type": "page_view", "page_url": "https://acme-analytics.example/", "contact_id": "c1",
    }).add("contacts", {
        "contact_id": "c1", "created_at": ts("2024-03-01 10:05:00"), "email": "a@b.io",
    }).add("opportunities", {
        "opportunity_id": "o1", "contact_id": "c_unknown", "created_at": ts("2024-03-02 10:00:00"),
        "stage": "prospecting",
    }).write(tmp_path)
    settings = FunnelSettings(data_dir=str(tmp_path))
    result = dg.materialize([funnel_dbt_assets], resources=funnel_resources(settings))
    assert result.success
    materialized = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    assert {f"marts/{m}" for m in MARTS} <= materialized
    evaluations = result.get_asset_check_evaluations()
    assert len(evaluations) == len(funnel_dbt_assets.check_keys)
    failed = {e.check_name for e in evaluations if not e.passed}
    assert failed and all(name.startswith("relationships_fct_opportunities") for name in failed)

    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True)
    try:
        assert con.sql("select channel from marts.fct_sessions").fetchall() == [("direct",)]
    finally:
        con.close()
