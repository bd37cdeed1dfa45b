"""The schedules, in the settings' time zone (FUNNEL_TIMEZONE, UTC by default): the nightly
build at 02:00 every day, the weekly alignment review at 08:00 every Monday."""

import dagster as dg

from pipelines.operations.jobs import nightly_job
from pipelines.review.dagster_job import weekly_review_job
from pipelines.settings import FunnelSettings

NIGHTLY_CRON = "0 2 * * *"
WEEKLY_REVIEW_CRON = "0 8 * * 1"


def build_nightly_schedule(settings: FunnelSettings) -> dg.ScheduleDefinition:
    return dg.ScheduleDefinition(
        name="funnel_nightly_schedule",
        job=nightly_job,
        cron_schedule=NIGHTLY_CRON,
        execution_timezone=settings.timezone,
        default_status=dg.DefaultScheduleStatus.RUNNING,
        description=f"Builds the whole funnel every night at 02:00 ({settings.timezone}; "
        "FUNNEL_TIMEZONE).",
    )


def build_weekly_review_schedule(settings: FunnelSettings) -> dg.ScheduleDefinition:
    return dg.ScheduleDefinition(
        name="funnel_weekly_review_schedule",
        job=weekly_review_job,
        cron_schedule=WEEKLY_REVIEW_CRON,
        execution_timezone=settings.timezone,
        default_status=dg.DefaultScheduleStatus.RUNNING,
        description=f"Writes and posts the weekly alignment review every Monday at 08:00 "
        f"({settings.timezone}; FUNNEL_TIMEZONE): the week that ended on the Sunday.",
    )
