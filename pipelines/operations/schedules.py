"""The nightly schedule: 02:00 in the time zone of FUNNEL_TIMEZONE (UTC by default)."""

import os

import dagster as dg

from pipelines.operations.jobs import nightly_job

NIGHTLY_CRON = "0 2 * * *"

nightly_schedule = dg.ScheduleDefinition(
    name="funnel_nightly_schedule",
    job=nightly_job,
    cron_schedule=NIGHTLY_CRON,
    execution_timezone=os.environ.get("FUNNEL_TIMEZONE", "UTC"),
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Builds the whole funnel every night at 02:00 (FUNNEL_TIMEZONE, default UTC).",
)
