"""The dbt models and seeds as Dagster assets, their dbt tests as asset checks.

Model assets keep dbt's default keys (the model name); a dbt source maps to
`["raw", <table>]`, the key of the Python ingestion assets, so lineage connects with no
overrides. The whole graph runs in one `dbt build` (each dbt start-up costs seconds)."""

# No `from __future__ import annotations`: Dagster inspects the context annotation at runtime.

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    dbt_assets,
)

from pipelines.faults import crash_point
from pipelines.ingestion import audit
from pipelines.library_patches import FunnelDbtCliResource
from pipelines.settings import FunnelSettings
from pipelines.transform import build_state, invocations, spark_tables
from pipelines.transform.project import (
    dbt_executable,
    dbt_vars_argument,
    funnel_dbt_project,
    prepare_if_dev,
)
from pipelines.warehouse import WarehouseResource

LAYERS = ("staging", "intermediate", "marts")


class FunnelDbtTranslator(DagsterDbtTranslator):
    """Groups by layer (staging, intermediate, marts; seeds with staging) and owners from the
    `meta.owner` of each model (the team that owns the metric, glossary)."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        resource_type = dbt_resource_props.get("resource_type")
        if resource_type == "seed":
            return "staging"
        if resource_type == "model":
            fqn = dbt_resource_props.get("fqn", [])
            for layer in LAYERS:
                if layer in fqn:
                    return layer
        return super().get_group_name(dbt_resource_props)

    def get_owners(self, dbt_resource_props: Mapping[str, Any]) -> Sequence[str] | None:
        meta = dbt_resource_props.get("config", {}).get("meta") or dbt_resource_props.get("meta") or {}
        owner = meta.get("owner")
        if isinstance(owner, str) and owner.strip():
            return [f"team:{owner.strip().replace(' ', '_')}"]
        return super().get_owners(dbt_resource_props)


SKIPPED_MESSAGE = ("dbt build skipped: nothing ingested and no dbt file changed since the last "
                   "published build")


class DbtBuildConfig(dg.Config):
    """Run config of the dbt build. skip_when_unchanged: skip dbt when neither the raw layer
    nor the dbt project changed since the last published build (pipelines/transform/
    build_state.py; `funnel run --rebuild` sets it false)."""

    skip_when_unchanged: bool = True


def build_args(settings: FunnelSettings, full_refresh: bool = False) -> list[str]:
    """The dbt CLI arguments of a run (the selection is added by dagster-dbt). full_refresh:
    a retraction took rows out of the raw layer, which incremental models cannot notice
    (pipelines/ingestion/audit.py)."""
    refresh = ["--full-refresh"] if full_refresh else []
    return ["build", *refresh, *dbt_vars_argument(settings)]


@dbt_assets(
    manifest=prepare_if_dev(),
    project=funnel_dbt_project(),
    dagster_dbt_translator=FunnelDbtTranslator(
        settings=DagsterDbtTranslatorSettings(enable_asset_checks=True)
    ),
)
def funnel_dbt_assets(context: dg.AssetExecutionContext, dbt: DbtCliResource,
                      warehouse: WarehouseResource, config: DbtBuildConfig):
    whole_graph = not context.is_subset
    with warehouse.connect() as con:
        state = build_state.current_state(con, Path(dbt.project_dir), dbt.target)
        unchanged = state == build_state.last_published_build(con)
        refreshes = audit.pending_full_refresh(con)
    if whole_graph and unchanged and config.skip_when_unchanged:
        # Yielding nothing leaves every model unmaterialised: the mart checks and publishing
        # downstream are skipped too, and the marts keep the last build's (identical) rows.
        context.log.info(f"{SKIPPED_MESSAGE} (run config skip_when_unchanged: false forces it)")
        return
    invocation = dbt.cli(build_args(warehouse.settings, full_refresh=bool(refreshes)),
                         context=context)
    try:
        for event in invocation.stream():
            yield event
            crash_point("dbt.model_built")
    finally:
        invocations.prune_run_folders(invocation.target_path.parent, context.op_execution_context.op.name)
    invocations.keep_partial_parse(invocation.target_path, invocation.target_path.parent)
    if dbt.target == "spark":
        _copy_spark_marts(context, warehouse)
    if whole_graph:
        with warehouse.connect() as con:
            build_state.record_build(con, state, context.run_id)
            audit.mark_models_refreshed(con, refreshes)


def _copy_spark_marts(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> None:
    """The marts Spark built, copied into the DuckDB warehouse for the checks and publishing
    downstream (pipelines/transform/spark_tables.py)."""
    marts = sorted(key.path[-1] for key in context.selected_asset_keys
                   if funnel_dbt_assets.group_names_by_key.get(key) == "marts")
    with warehouse.connect() as con:
        spark_tables.copy_marts(con, warehouse.settings.spark_warehouse_dir, marts)
    context.log.info(f"copied {len(marts)} marts from Spark into {warehouse.path}")


def dbt_resource(settings: FunnelSettings) -> DbtCliResource:
    """The dbt CLI resource (resource key `dbt`), running this environment's dbt on the
    settings' target (`duckdb` or `spark`)."""
    project = funnel_dbt_project()
    return FunnelDbtCliResource(
        project_dir=project,
        profiles_dir=str(project.profiles_dir),
        dbt_executable=dbt_executable(),
        target=settings.dbt_target,
    )
