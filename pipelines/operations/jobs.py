"""The whole graph as one job: ingestion, dbt models and tests, quality checks, publishing."""

import dagster as dg

nightly_job = dg.define_asset_job(
    name="funnel_nightly",
    selection=dg.AssetSelection.all(),
    description="Ingest new inbox files, build every dbt model and check, publish the marts.",
)
