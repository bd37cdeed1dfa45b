"""The published copy of the marts as a Dagster asset, downstream of every mart: it only runs
when they all built, so a failed run leaves the last publication in place."""

from collections.abc import Sequence
from pathlib import Path

import dagster as dg

from pipelines.publish.publish import publish_marts
from pipelines.transform import build_state
from pipelines.warehouse import WarehouseResource


def build_published_marts_asset(mart_keys: Sequence[dg.AssetKey]) -> dg.AssetsDefinition:
    @dg.asset(
        key=dg.AssetKey(["published", "marts"]),
        deps=list(mart_keys),
        group_name="publishing",
        kinds={"duckdb", "parquet"},
        description="Read-only copy of the marts for BI tools (data/published/): emails hashed, "
        "names and phones dropped, DuckDB 1.0 storage, one Parquet file per mart.",
    )
    def published_marts(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
        publication = publish_marts(Path(warehouse.path), warehouse.settings.published_dir)
        with warehouse.connect() as con:
            build_state.mark_published(con, context.run_id)
        context.log.info(f"published {len(publication.tables)} marts as {publication.version}")
        return dg.MaterializeResult(metadata={
            "version": publication.version,
            "path": dg.MetadataValue.path(str(warehouse.settings.published_dir)),
            "tables": dg.MetadataValue.json(publication.tables),
        })

    return published_marts

