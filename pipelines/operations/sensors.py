"""Sensors: start the pipeline when new files land in the inbox, and alert when a run fails."""

import json
import os
import urllib.request
from pathlib import Path

import dagster as dg

from pipelines.operations.jobs import nightly_job
from pipelines.settings import FunnelSettings

ALERT_URL_VARIABLE = "FUNNEL_ALERT_WEBHOOK_URL"


def inbox_fingerprint(inbox: Path) -> tuple[float, int]:
    """(newest modification time, number of files) of the inbox. Reading the warehouse here
    would collide with a running pipeline (DuckDB's single writer), so the sensor looks only at
    the files; ingestion itself skips files already in the ledger."""
    newest, count = 0.0, 0
    if inbox.is_dir():
        for path in inbox.rglob("*"):
            if path.is_file() and not path.name.startswith("."):
                count += 1
                newest = max(newest, path.stat().st_mtime)
    return newest, count


@dg.sensor(
    name="inbox_sensor",
    job=nightly_job,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Starts a run when files are added to or changed in data/inbox/.",
)
def inbox_sensor(context: dg.SensorEvaluationContext, settings: FunnelSettings):
    newest, count = inbox_fingerprint(settings.inbox_dir)
    cursor = json.dumps([newest, count])
    if count == 0 or cursor == context.cursor:
        return dg.SkipReason("no new files in the inbox")
    context.update_cursor(cursor)
    return dg.RunRequest(run_key=f"inbox-{newest}-{count}")


def failure_message(job_name: str, run_id: str, error: str | None) -> dict:
    """A Slack-compatible webhook payload."""
    text = f":rotating_light: Funnel warehouse run failed: job `{job_name}`, run `{run_id}`."
    if error:
        text += f"\n```{error[:1500]}```"
    text += "\nThe last published marts stay in place; fix the cause and re-run (re-runs are safe)."
    return {"text": text}


def post_alert(url: str, payload: dict, timeout: float = 10.0) -> int:
    request = urllib.request.Request(
        url, data=json.dumps(payload).encode("utf-8"),
        headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - user's URL
        return response.status


@dg.run_failure_sensor(
    name="run_failure_alert",
    default_status=dg.DefaultSensorStatus.RUNNING,
    description=f"Posts a message to the webhook in ${ALERT_URL_VARIABLE} when a run fails.",
)
def run_failure_alert(context: dg.RunFailureSensorContext):
    url = os.environ.get(ALERT_URL_VARIABLE)
    if not url:
        context.log.info(f"{ALERT_URL_VARIABLE} is not set: no alert sent")
        return
    error = context.failure_event.message if context.failure_event else None
    post_alert(url, failure_message(context.dagster_run.job_name, context.dagster_run.run_id, error))
