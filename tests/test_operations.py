"""Nightly operation: schedule, inbox sensor, failure alert to a webhook."""

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import dagster as dg
import pytest

from pipelines.operations.schedules import build_nightly_schedule
from pipelines.operations.sensors import (
    failure_message,
    inbox_sensor,
    post_alert,
    run_failure_alert,
)
from pipelines.settings import FunnelSettings


@pytest.fixture
def webhook():
    """A local HTTP server that records the JSON bodies posted to it."""
    received: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's naming
            length = int(self.headers["Content-Length"])
            received.append({"content_type": self.headers["Content-Type"],
                             "body": json.loads(self.rfile.read(length))})
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/hook", received
    server.shutdown()


def test_schedule_runs_the_whole_graph_at_two_in_the_configured_zone():
    default = build_nightly_schedule(FunnelSettings.from_environment({}))
    assert default.cron_schedule == "0 2 * * *"
    assert default.job_name == "funnel_nightly"
    assert default.execution_timezone == "UTC"
    configured = FunnelSettings.from_environment({"FUNNEL_TIMEZONE": "Europe/Berlin"})
    assert build_nightly_schedule(configured).execution_timezone == "Europe/Berlin"


def test_alert_posts_slack_compatible_json(webhook):
    url, received = webhook
    status = post_alert(url, failure_message("funnel_nightly", "abc123", "boom: table locked"))
    assert status == 200
    assert received[0]["content_type"] == "application/json"
    text = received[0]["body"]["text"]
    assert "funnel_nightly" in text and "abc123" in text and "boom: table locked" in text


def test_failure_sensor_posts_to_the_configured_url(webhook, monkeypatch):
    url, received = webhook
    monkeypatch.setenv("FUNNEL_ALERT_WEBHOOK_URL", url)

    @dg.op
    def explode():
        raise RuntimeError("disk full")

    @dg.job
    def failing_job():
        explode()

    instance = dg.DagsterInstance.ephemeral()
    result = failing_job.execute_in_process(instance=instance, raise_on_error=False)
    assert not result.success
    failure = next(e for e in result.all_events if e.event_type == dg.DagsterEventType.RUN_FAILURE)
    context = dg.build_run_status_sensor_context(
        sensor_name="run_failure_alert", dagster_instance=instance,
        dagster_run=result.dagster_run, dagster_event=failure,
    ).for_run_failure()
    run_failure_alert(context)
    assert len(received) == 1
    assert "failing_job" in received[0]["body"]["text"]
    assert result.run_id in received[0]["body"]["text"]


def test_inbox_sensor_requests_a_run_once_per_new_file_set(tmp_path):
    resources = {"settings": FunnelSettings(data_dir=str(tmp_path))}
    context = dg.build_sensor_context(resources=resources)
    assert isinstance(inbox_sensor(context), dg.SkipReason)
    (tmp_path / "inbox" / "contacts").mkdir(parents=True)
    (tmp_path / "inbox" / "contacts" / "a.csv").write_text("contact_id,created_at\n")
    first = inbox_sensor(context)
    assert isinstance(first, dg.RunRequest)
    context = dg.build_sensor_context(cursor=context.cursor, resources=resources)
    assert isinstance(inbox_sensor(context), dg.SkipReason)
    (tmp_path / "inbox" / "contacts" / "b.csv").write_text("contact_id,created_at\n")
    second = inbox_sensor(context)
    assert isinstance(second, dg.RunRequest) and second.run_key != first.run_key


def test_status_reports_freshness_and_mart_counts(tmp_path):
    import duckdb

    from pipelines.ingestion.raw_store import ensure_raw_schema
    from pipelines.operations.status import render_status

    path = tmp_path / "warehouse.duckdb"
    con = duckdb.connect(str(path))
    ensure_raw_schema(con)
    con.execute("INSERT INTO raw.web_visits (event_id, visitor_id, occurred_at, event_type, page_url) "
                "VALUES ('e1', 'v1', TIMESTAMP '2026-01-05 10:00:00', 'page_view', '/')")
    con.execute("CREATE SCHEMA marts")
    con.execute("CREATE TABLE marts.mart_funnel_daily AS SELECT range AS x FROM range(3)")
    con.close()
    text = render_status(path, {"success": True, "finished_at": "2026-01-06T03:00:00", "run_id": "r1"})
    assert "last run: succeeded" in text
    assert "web_visits           newest 2026-01-05 10:00:00" in text
    assert "contacts             newest None (never)" in text
    assert "mart_funnel_daily                3" in text


def test_status_says_so_when_a_run_holds_the_warehouse(tmp_path):
    import subprocess
    import sys

    from pipelines.operations.status import render_status

    path = tmp_path / "warehouse.duckdb"
    holder = subprocess.Popen(
        [sys.executable, "-c",
         f"import duckdb, sys, time; c = duckdb.connect({str(path)!r}); print('ready', flush=True); "
         "sys.stdin.read()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        assert "is being written by a running pipeline" in render_status(path, None)
    finally:
        holder.communicate("")
