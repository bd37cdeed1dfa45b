"""The weekly alignment review: `funnel review` on the sample warehouse writes Markdown and a
self-contained HTML file whose figures equal the marts (added up here with polars from the
published Parquet), posts a Slack-compatible summary to a local HTTP server, retries a failed
post and reports it without failing the Dagster run; the Monday schedule in FUNNEL_TIMEZONE."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import threading
from datetime import UTC, date, datetime
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import polars as pl
import pytest

from pipelines.cli import main
from pipelines.review import webhook as review_webhook
from pipelines.review.content import METRIC_OWNERS
from pipelines.review.week import Week, last_complete_week

CHROMIUM = Path("/usr/bin/chromium")
WEEK = "2026-W03"  # 2026-01-12 to 2026-01-18, inside the 28-day sample
FIRST, LAST = date(2026, 1, 12), date(2026, 1, 18)


@pytest.fixture
def webhook():
    """A local HTTP server answering with the given statuses in turn (then 200), recording the
    JSON bodies posted to it."""
    received: list[dict] = []
    statuses: list[int] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's naming
            length = int(self.headers["Content-Length"])
            received.append({"content_type": self.headers["Content-Type"],
                             "body": json.loads(self.rfile.read(length))})
            self.send_response(statuses.pop(0) if statuses else 200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/hook", received, statuses
    server.shutdown()


@pytest.fixture
def data_dir(sample_data_dir, tmp_path):
    """The sample's published marts and last run's checks in a data directory of its own."""
    copy = tmp_path / "data"
    shutil.copytree(sample_data_dir / "published", copy / "published")
    (copy / "reports").mkdir()
    shutil.copy(sample_data_dir / "reports" / "last_run_checks.json", copy / "reports")
    return copy


@pytest.fixture(autouse=True)
def no_waiting(monkeypatch):
    monkeypatch.setattr(review_webhook, "RETRY_DELAYS_S", (0.0, 0.0))
    monkeypatch.delenv("FUNNEL_ALERT_WEBHOOK_URL", raising=False)
    monkeypatch.delenv("FUNNEL_REVIEW_WEBHOOK_URL", raising=False)


def _parquet(data_dir: Path, table: str) -> pl.DataFrame:
    return pl.read_parquet(data_dir / "published" / "parquet" / f"{table}.parquet")


def _review(data_dir: Path, *extra: str) -> int:
    return main(["--data-dir", str(data_dir), "review", "--week", WEEK, *extra])


def test_the_review_is_posted_with_the_marts_figures(data_dir, webhook, monkeypatch, capsys):
    url, received, _ = webhook
    monkeypatch.setenv("FUNNEL_REVIEW_WEBHOOK_URL", url)
    assert _review(data_dir) == 0
    out = capsys.readouterr().out
    assert f"review {WEEK}" in out and "posted to $FUNNEL_REVIEW_WEBHOOK_URL" in out
    assert len(received) == 1 and received[0]["content_type"] == "application/json"
    text = received[0]["body"]["text"]
    markdown = (data_dir / "reports" / f"review_{WEEK}.md").read_text()
    assert f"*Weekly alignment review {WEEK} (2026-01-12 to 2026-01-18)*" in text

    daily = _parquet(data_dir, "mart_funnel_daily")
    week = daily.filter(pl.col("metric_date").is_between(FIRST, LAST))
    owners = pl.read_csv(METRIC_OWNERS)
    for metric, column in (("visits", "visits"), ("opportunities", "opportunities"),
                           ("sales_interactions", "sales_interactions")):
        team = owners.filter(pl.col("metric") == metric)["owning_team"][0]
        assert f"• {metric} ({team}): {week[column].sum():,} this week" in text
        assert f"| {metric} | {team} |" in markdown
    for metric in owners["metric"]:  # every owned metric, and the pipeline, with its team
        assert metric in markdown or metric == "pipeline_coverage"
    assert "• pipeline (sales): closed won" in text

    weekly = _parquet(data_dir, "mart_pipeline_waterfall_weekly").filter(pl.col("week") == FIRST)
    start, end = weekly["start_amount"].sum(), weekly["end_amount"].sum()
    assert f"*Pipeline week {WEEK}*: start {start:,.0f}" in text and f"= end {end:,.0f}" in text
    assert f"The waterfall of the week {WEEK}" in markdown
    waterfall = _parquet(data_dir, "mart_pipeline_waterfall").filter(
        pl.col("month") == date(2026, 1, 1))
    pushed = waterfall.group_by("owner_id").agg(pl.col("pushed_out_amount").sum()).filter(
        pl.col("pushed_out_amount") > 0).sort("owner_id")
    assert pushed.height >= 1
    for owner, amount in pushed.iter_rows():
        assert f"| {owner} | {amount:,.0f} |" in markdown

    follow_up = _parquet(data_dir, "mart_lead_follow_up").filter(
        pl.col("mql_at").dt.date().is_between(FIRST, LAST))
    outside = follow_up.filter(~pl.col("is_within_sla").fill_null(False)).group_by(
        pl.col("owner_id").fill_null("unassigned")).len()
    for owner, count in outside.iter_rows():
        assert re.search(rf"\| {owner} \| \d+ \| \d+ \| {count} \| \d+ \|", markdown), owner

    checks = json.loads((data_dir / "reports" / "last_run_checks.json").read_text())
    assert f"Last run `{checks['run_id']}`" in text


def test_a_failed_post_is_retried(data_dir, webhook, monkeypatch, capsys):
    url, received, statuses = webhook
    monkeypatch.setenv("FUNNEL_ALERT_WEBHOOK_URL", url)  # the alerts' channel, no review one
    statuses.extend([500, 503])
    assert _review(data_dir) == 0
    assert len(received) == 3 and received[0]["body"] == received[2]["body"]
    assert "posted to $FUNNEL_ALERT_WEBHOOK_URL after 3 attempts" in capsys.readouterr().out


def test_a_post_that_keeps_failing_is_reported_and_the_files_stay(data_dir, webhook, monkeypatch,
                                                                  capsys):
    url, received, statuses = webhook
    monkeypatch.setenv("FUNNEL_REVIEW_WEBHOOK_URL", url)
    statuses.extend([500, 500, 500])
    assert _review(data_dir) == 1
    error = capsys.readouterr().err.strip()
    assert len(received) == 3 and error.count("\n") == 0
    assert "failed after 3 attempts (HTTP 500" in error and f"--week {WEEK}" in error
    assert (data_dir / "reports" / f"review_{WEEK}.html").is_file()


def test_the_dagster_job_reports_a_failed_post_and_succeeds(data_dir, monkeypatch):
    from pipelines.review.dagster_job import weekly_review_job
    from pipelines.settings import FunnelSettings

    monkeypatch.setenv("FUNNEL_REVIEW_WEBHOOK_URL", "http://127.0.0.1:9/nothing-listens")
    result = weekly_review_job.execute_in_process(
        resources={"settings": FunnelSettings(data_dir=str(data_dir))})
    assert result.success
    [materialization] = [e for e in result.all_events if e.event_type_value == "STEP_OUTPUT"]
    metadata = materialization.event_specific_data.metadata
    assert metadata["posted"].value is False and metadata["post_attempts"].value == 3
    week = metadata["week"].value
    assert week == str(last_complete_week(_parquet(data_dir, "mart_funnel_daily")
                                          ["metric_date"].max()))
    assert (data_dir / "reports" / f"review_{week}.md").is_file()


def test_usage_errors_and_weeks_without_data(data_dir, capsys):
    assert main(["--data-dir", str(data_dir), "review", "--week", "2026-4"]) == 2
    assert "expected an ISO week YYYY-Www" in capsys.readouterr().err
    assert main(["--data-dir", str(data_dir), "review", "--week", "2030-W10"]) == 1
    err = capsys.readouterr().err
    assert "no data for 2030-W10 yet" in err and "the last complete week is 2026-W0" in err
    assert main(["--data-dir", str(data_dir), "review", "--no-post", "-q"]) == 0
    assert capsys.readouterr().out == ""


def test_weeks():
    assert str(Week.parse("2026-W03")) == "2026-W03"
    assert (Week.parse("2026-W01").first_day, Week.parse("2026-W01").last_day) == (
        date(2025, 12, 29), date(2026, 1, 4))
    assert str(Week.parse("2026-W01").previous()) == "2025-W52"
    assert str(last_complete_week(date(2026, 1, 25))) == "2026-W04"  # a Sunday: its week
    assert str(last_complete_week(date(2026, 1, 28))) == "2026-W04"  # a Wednesday: the one before
    with pytest.raises(ValueError, match="2027 has no week 53"):
        Week.parse("2027-W53")


def test_the_review_is_sent_every_monday_at_eight_in_the_configured_zone():
    from dagster._utils.schedules import schedule_execution_time_iterator

    from pipelines.operations.schedules import build_weekly_review_schedule
    from pipelines.settings import FunnelSettings

    settings = FunnelSettings.from_environment({"FUNNEL_TIMEZONE": "America/New_York"})
    schedule = build_weekly_review_schedule(settings)
    assert schedule.cron_schedule == "0 8 * * 1"
    assert schedule.job_name == "funnel_weekly_review"
    assert schedule.execution_timezone == "America/New_York"
    start = datetime(2026, 3, 4, tzinfo=UTC).timestamp()  # a Wednesday; DST starts 8 March
    ticks = schedule_execution_time_iterator(start, schedule.cron_schedule,
                                             schedule.execution_timezone)
    first, second = next(ticks), next(ticks)
    assert (first.isoformat(), second.isoformat()) == (
        "2026-03-09T08:00:00-04:00", "2026-03-16T08:00:00-04:00")


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium package is not installed")
def test_the_html_is_self_contained_and_renders_in_chromium(data_dir, tmp_path):
    assert _review(data_dir, "--no-post") == 0
    page = data_dir / "reports" / f"review_{WEEK}.html"
    html = page.read_text()
    assert not re.search(r"""<(?:script|img|iframe|link)\b[^>]*\b(?:src|href)\s*=""", html, re.I)
    assert "Moved out of 2026-01" in html and '<table class="data">' in html
    shown = subprocess.run(
        [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         f"--user-data-dir={tmp_path / 'profile'}", "--enable-logging=stderr", "--v=0",
         "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=180, check=False)
    assert shown.returncode == 0, shown.stderr[-2000:]
    assert [line for line in shown.stderr.splitlines() if ":CONSOLE" in line] == []
    assert "Weekly alignment review 2026-W03" in shown.stdout
    assert shown.stdout.count("<table") >= 6


def test_an_older_warehouse_without_the_pipeline_marts_says_so(sample_data_dir, tmp_path):
    import duckdb

    data = tmp_path / "older"
    data.mkdir()
    con = duckdb.connect(str(data / "warehouse.duckdb"))
    try:
        con.execute("CREATE SCHEMA marts")
        con.execute(f"ATTACH '{sample_data_dir / 'published' / 'funnel.duckdb'}' AS src (READ_ONLY)")
        for table in ("mart_funnel_daily", "mart_targets_vs_actuals"):
            con.execute(f"CREATE TABLE marts.{table} AS SELECT * FROM src.marts.{table}")
    finally:
        con.close()
    assert _review(data, "--no-post") == 0
    markdown = (data / "reports" / f"review_{WEEK}.md").read_text()
    assert "not built: mart_lead_follow_up, mart_contact_quality, mart_pipeline_daily" in markdown
    assert "*The pipeline marts are not built.*" in markdown and "No run recorded" in markdown
    assert "| visits | marketing |" in markdown
    for table in ("mart_lead_follow_up", "mart_contact_quality", "mart_pipeline_waterfall"):
        assert f"Not built: `{table}`." in markdown
