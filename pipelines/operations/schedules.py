"""The nightly schedule: 02:00 in the settings' time zone (FUNNEL_TIMEZONE, UTC by default)."""

import dagster as dg

from pipelines.operations.jobs import nightly_job
from pipelines.settings import FunnelSettings

NIGHTLY_CRON = "0 2 * * *"


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
