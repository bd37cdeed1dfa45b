"""The schedules, in the time zone of FUNNEL_TIMEZONE (UTC by default): the nightly build at
02:00 every day, the weekly alignment review at 08:00 every Monday."""

import os

import dagster as dg

from pipelines.operations.jobs import nightly_job
from pipelines.review.dagster_job import weekly_review_job

NIGHTLY_CRON = "0 2 * * *"
WEEKLY_REVIEW_CRON = "0 8 * * 1"


def timezone() -> str:
    return os.environ.get("FUNNEL_TIMEZONE", "UTC")


nightly_schedule = dg.ScheduleDefinition(
    name="funnel_nightly_schedule",
    job=nightly_job,
    cron_schedule=NIGHTLY_CRON,
    execution_timezone=timezone(),
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Builds the whole funnel every night at 02:00 (FUNNEL_TIMEZONE, default UTC).",
)

weekly_review_schedule = dg.ScheduleDefinition(
    name="funnel_weekly_review_schedule",
    job=weekly_review_job,
    cron_schedule=WEEKLY_REVIEW_CRON,
    execution_timezone=timezone(),
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Writes and posts the weekly alignment review every Monday at 08:00 "
    "(FUNNEL_TIMEZONE, default UTC): the week that ended on the Sunday.",
)
