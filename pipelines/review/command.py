"""`write_review` and the `funnel review [--week YYYY-Www]` command."""

from __future__ import annotations

import argparse
import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pipelines.console import EXIT_FAILED, EXIT_OK, EXIT_USAGE, Console
from pipelines.review.week import Week, last_complete_week

if TYPE_CHECKING:  # the CLI imports this module for its parser: the rest loads on use
    from pipelines.review.content import Review
    from pipelines.review.webhook import PostResult


class NoDataForWeek(ValueError):
    pass


@dataclass
class Written:
    review: Review
    markdown: Path
    html: Path


def review_paths(reports: Path, week: Week) -> tuple[Path, Path]:
    return reports / f"review_{week}.md", reports / f"review_{week}.html"


def _write_atomically(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def write_review(data_dir: Path, week: Week | None = None) -> Written:
    """Write `<data dir>/reports/review_<week>.md` and `.html` from the published marts (the
    warehouse when nothing is published). `week`: default the last week complete in the data.
    FileNotFoundError without marts; NoDataForWeek for a week after the data."""
    from pipelines.quality.run_checks import LAST_CHECKS_FILE, load_last_checks
    from pipelines.report.source import Marts
    from pipelines.review import render
    from pipelines.review.content import gather

    reports = Path(data_dir) / "reports"
    try:
        checks = load_last_checks(reports / LAST_CHECKS_FILE)
    except (OSError, ValueError):
        checks = None
    with Marts.open(Path(data_dir)) as m:
        last = m.scalar("SELECT max(metric_date) FROM marts.mart_funnel_daily") \
            if m.has("mart_funnel_daily") else None
        if last is None:
            raise NoDataForWeek("the marts hold no data yet: run `funnel run` first")
        if week is None:
            week = last_complete_week(last)
        elif week.first_day > last:
            raise NoDataForWeek(
                f"no data for {week} yet: the data runs through {last.isoformat()} "
                f"(the last complete week is {last_complete_week(last)})")
        review = gather(m, week, checks)
    reports.mkdir(parents=True, exist_ok=True)
    markdown_path, html_path = review_paths(reports, week)
    _write_atomically(markdown_path, render.markdown(review))
    _write_atomically(html_path, render.html(review))
    return Written(review, markdown_path, html_path)


def describe_post(result: PostResult) -> str:
    if result.posted:
        tries = "" if result.attempts == 1 else f" after {result.attempts} attempts"
        return f"posted to ${result.url_variable}{tries}"
    return (f"the post to ${result.url_variable} failed after {result.attempts} attempts "
            f"({result.error})")


def add_review_command(commands, common: argparse.ArgumentParser) -> None:
    review = commands.add_parser(
        "review", parents=[common], help="write the weekly alignment review and post its summary",
        description="Write <data dir>/reports/review_<week>.md and .html (one self-contained "
        "file) from the published marts: the eight metrics and the pipeline against target with "
        "their owning teams, the week's change, MQLs outside the SLA and records to fix by owner, "
        "the pipeline waterfall, what moved out of the month, data quality. When "
        "$FUNNEL_REVIEW_WEBHOOK_URL (else $FUNNEL_ALERT_WEBHOOK_URL) is set, post a "
        "Slack-compatible summary (retried twice). Exits 1 when the post failed.")
    review.add_argument("--week", metavar="YYYY-Www",
                        help="ISO week, e.g. 2026-W04 (default: the last week complete in the data)")
    review.add_argument("--no-post", action="store_true", help="write the files, post nothing")


def cmd_review(args, console: Console) -> int:
    from pipelines.review import render
    from pipelines.review.webhook import post_review

    try:
        week = Week.parse(args.week) if args.week else None
    except ValueError as error:
        console.error(str(error))
        return EXIT_USAGE
    try:
        written = write_review(args.settings.data_path, week)
    except FileNotFoundError as error:
        console.error(str(error))
        return EXIT_FAILED
    except NoDataForWeek as error:
        console.error(str(error))
        return EXIT_FAILED
    files = f"{written.markdown}, {written.html.name}"
    if args.no_post:
        console.say(f"review {written.review.week}: {files}")
        return EXIT_OK
    console.progress("posting the summary")
    result = post_review(render.slack_summary(written.review, written.html))
    if result.url_variable is None:
        console.say(f"review {written.review.week}: {files} (no webhook set: nothing posted)")
        return EXIT_OK
    if not result.posted:
        console.error(f"review {written.review.week} written ({files}) but "
                      f"{describe_post(result)}: check the URL, then post again with "
                      f"`funnel review --week {written.review.week}`")
        return EXIT_FAILED
    console.say(f"review {written.review.week}: {files}; {describe_post(result)}")
    return EXIT_OK


REVIEW_COMMANDS = {"review": cmd_review}
