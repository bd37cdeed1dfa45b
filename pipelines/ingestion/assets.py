"""One Dagster asset per raw source (`raw/<source>`), with the ingestion balance as a blocking
asset check. The asset keys equal dbt's source keys, so the dbt models hang below them."""


from datetime import UTC, datetime

import dagster as dg

from pipelines.contract import SOURCES
from pipelines.ingestion import raw_parquet, raw_store
from pipelines.ingestion.balance import balance_of_files
from pipelines.ingestion.ingest import SourceIngestion, ingest_source
from pipelines.ingestion.mapping import load_mappings
from pipelines.ingestion.problem_summary import summarize_source
from pipelines.warehouse import WarehouseResource

INGESTION_GROUP = "ingestion"


def raw_asset_key(source: str) -> dg.AssetKey:
    return dg.AssetKey(["raw", source])


# The materialization's structured summary of problems (pipelines/ingestion/problem_summary.py),
# read by the funnel CLI, `funnel quality` and the report.
PROBLEMS_METADATA = "ingestion_problems"


def _metadata(result: SourceIngestion, summary: dict) -> dict:
    problems = "\n".join(f"- {p}" for p in result.problems[:30]) or "none"
    if len(result.problems) > 30:
        problems += f"\n- ... and {len(result.problems) - 30} more"
    return {
        "files_seen": result.files_seen,
        "files_ingested": result.files_ingested,
        "files_unreadable": result.files_unreadable,
        "rows_read": result.rows_read,
        "rows_loaded": result.rows_loaded,
        "rows_rejected": result.rows_rejected,
        "rows_repeated": result.rows_repeated,
        "is_balanced": result.is_balanced,
        "unknown_values": dg.MetadataValue.json(result.unknown_values),
        "problems": dg.MetadataValue.md(problems),
        "files_ignored": len(result.ignored_files),
        "files_held_back": len(result.held_back_files),
        PROBLEMS_METADATA: dg.MetadataValue.json(summary),
    }


def build_raw_asset(source: str) -> dg.AssetsDefinition:
    @dg.asset(
        key=raw_asset_key(source),
        group_name=INGESTION_GROUP,
        description=(
            f"Append-only history of the `{source}` inbox files (data/inbox/{source}/), "
            f"validated against the contract; rejected rows in raw.{source}_rejected."
        ),
        kinds={"duckdb", "polars"},
    )
    def _raw_source(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
        settings = warehouse.settings
        mappings = load_mappings(settings.mappings_dir)
        for problem in mappings.problems_of(source):
            context.log.error(f"{problem}: the {source} files it may map are held back until "
                              "it is fixed")
        with warehouse.connect() as con:
            result = ingest_source(con, source, settings.inbox_dir, mappings,
                                   progress=context.log.debug)
            summary = summarize_source(con, result, datetime.now(UTC).replace(tzinfo=None))
            if settings.dbt_target == "spark":
                # Spark reads the raw layer from Parquet (dbt sources, macros/spark_sources.sql).
                exported = raw_parquet.export_new_rows(con, source, settings.raw_parquet_dir)
                context.log.debug(f"exported {exported:,} new raw rows to Parquet")
        for ignored in [*result.ignored_files, *result.held_back_files]:
            context.log.warning(str(ignored))
        for problem in result.problems[:100]:
            context.log.warning(str(problem))
        return dg.MaterializeResult(metadata=_metadata(result, summary))

    return _raw_source


def build_balance_check(source: str) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=raw_asset_key(source),
        name="rows_balance",
        blocking=True,
        description="Every ingested file balances: rows read = loaded + rejected + exact "
        "repeats, the records counted in the file without its parser are all accounted for, "
        "and the raw tables hold exactly the rows the ledger claims.",
    )
    def _balance(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        with warehouse.connect() as con:
            raw_store.ensure_raw_schema(con)
            hashes = [r[0] for r in con.execute(
                f"SELECT file_hash FROM {raw_store.LEDGER} WHERE source = ?", [source]).fetchall()]
            balance = balance_of_files(con, hashes)
        broken = [b for b in balance if not b["is_balanced"]]
        totals = {k: sum(b[k] for b in balance) for k in
                  ("rows_read", "rows_loaded", "rows_rejected", "rows_repeated")}
        return dg.AssetCheckResult(
            passed=not broken,
            metadata={**totals, "files": len(balance), "unbalanced_files": len(broken),
                      "sample_unbalanced": dg.MetadataValue.json(broken[:5])},
        )

    return _balance


raw_assets = [build_raw_asset(s) for s in SOURCES]
raw_asset_checks = [build_balance_check(s) for s in SOURCES]
