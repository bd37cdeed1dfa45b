"""Posting the review's summary to a Slack-compatible webhook, with retries.

The URL: $FUNNEL_REVIEW_WEBHOOK_URL, else $FUNNEL_ALERT_WEBHOOK_URL (the run-failure alerts'
channel). A post that fails (no answer, an HTTP error) is retried after 2 s, then 8 s; the
outcome is returned, never raised, so a failed post cannot fail the run that sends it.
"""

from __future__ import annotations

import os
import time
import urllib.error
from dataclasses import dataclass

from pipelines.operations.sensors import ALERT_URL_VARIABLE, post_alert

REVIEW_URL_VARIABLE = "FUNNEL_REVIEW_WEBHOOK_URL"
RETRY_DELAYS_S = (2.0, 8.0)


@dataclass
class PostResult:
    url_variable: str | None  # which variable named the URL; None: no webhook set
    attempts: int = 0
    status: int | None = None
    error: str | None = None

    @property
    def posted(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def webhook_url() -> tuple[str | None, str | None]:
    """(URL, the variable it came from), or (None, None)."""
    for variable in (REVIEW_URL_VARIABLE, ALERT_URL_VARIABLE):
        if os.environ.get(variable):
            return os.environ[variable], variable
    return None, None


def post_review(payload: dict, delays=None, timeout: float = 10.0) -> PostResult:
    url, variable = webhook_url()
    delays = RETRY_DELAYS_S if delays is None else delays
    result = PostResult(variable)
    if url is None:
        return result
    for attempt, delay in enumerate((0.0, *delays), start=1):
        time.sleep(delay)
        result.attempts = attempt
        try:
            result.status, result.error = post_alert(url, payload, timeout=timeout), None
            return result
        except urllib.error.HTTPError as error:
            result.status, result.error = error.code, f"HTTP {error.code} {error.reason}"
        except (urllib.error.URLError, OSError, ValueError) as error:
            reason = getattr(error, "reason", error)
            result.status, result.error = None, f"{type(error).__name__}: {reason}"
    return result
