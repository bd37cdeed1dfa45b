"""The weekly review as a Dagster job of its own (scheduled Mondays 08:00 in $FUNNEL_TIMEZONE,
pipelines/operations/schedules.py): separate from the nightly graph, so a failed post (reported
in the run's log and metadata, retried) never fails the nightly run, nor this one."""

import dagster as dg

from pipelines.review import render
from pipelines.review.command import NoDataForWeek, describe_post, write_review
from pipelines.review.webhook import post_review
from pipelines.settings import FunnelSettings


@dg.op(description="Write reports/review_<week>.md and .html for the last week complete in the "
       "data and post its summary to the review webhook, if one is set.")
def weekly_review(context: dg.OpExecutionContext, settings: FunnelSettings) -> dg.Output:
    try:
        written = write_review(settings.data_path)
    except (FileNotFoundError, NoDataForWeek) as error:
        context.log.warning(f"no weekly review written: {error}")
        return dg.Output(None, metadata={"written": False, "reason": str(error)})
    metadata = {"week": str(written.review.week), "markdown": str(written.markdown),
                "html": str(written.html), "written": True}
    result = post_review(render.slack_summary(written.review, written.html))
    if result.url_variable is None:
        context.log.info("no review webhook set: the summary was not posted")
    elif result.posted:
        context.log.info(f"review {written.review.week}: {describe_post(result)}")
    else:
        context.log.error(f"review {written.review.week} written, but {describe_post(result)}: "
                          f"`funnel review --week {written.review.week}` posts it again")
    metadata |= {"posted": result.posted, "post_attempts": result.attempts,
                 "post_error": result.error or ""}
    return dg.Output(str(written.html), metadata=metadata)


@dg.job(name="funnel_weekly_review",
        description="The weekly alignment review: files in reports/, a Slack-compatible post.")
def weekly_review_job():
    weekly_review()
