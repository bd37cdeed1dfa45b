"""The Dagster definitions: gathers each area's assets and checks and sets the global things.
Loaded by `dagster dev -m pipelines.definitions` and by the `funnel` CLI (which hands
`dg.materialize` the resources of its own settings: pipelines/runner.py)."""

from __future__ import annotations

import dagster as dg

from pipelines.ingestion.assets import raw_asset_checks, raw_assets
from pipelines.operations.jobs import nightly_job
from pipelines.operations.schedules import build_nightly_schedule, build_weekly_review_schedule
from pipelines.operations.sensors import inbox_sensor, run_failure_alert
from pipelines.publish.assets import build_published_marts_asset
from pipelines.quality.mart_checks import build_mart_suite_checks
from pipelines.quality.raw_checks import build_raw_suite_checks
from pipelines.report.assets import funnel_report
from pipelines.resources import funnel_resources
from pipelines.review.dagster_job import weekly_review_job
from pipelines.settings import FunnelSettings
from pipelines.transform.assets import funnel_dbt_assets

settings = FunnelSettings.from_environment()
mart_keys = [key for key, group in funnel_dbt_assets.group_names_by_key.items() if group == "marts"]

defs = dg.Definitions(
    assets=[*raw_assets, funnel_dbt_assets, build_published_marts_asset(mart_keys), funnel_report],
    asset_checks=[*raw_asset_checks, *build_raw_suite_checks(), *build_mart_suite_checks()],
    jobs=[nightly_job, weekly_review_job],
    schedules=[build_nightly_schedule(settings), build_weekly_review_schedule(settings)],
    sensors=[inbox_sensor, run_failure_alert],
    resources=funnel_resources(settings),
    # Steps write one DuckDB file, which allows a single writer: run them in one process.
    executor=dg.in_process_executor,
)
