"""Crash injection for the crash-safety tests: `FUNNEL_CRASH_AT=<point>[:<n>]` kills the whole
process group with SIGKILL the n-th time (default first) the code passes that point, exactly
as a power cut or the OOM killer would. Unset (always, in production) it does nothing."""

import os
import signal
from collections import Counter

_passes: Counter[str] = Counter()


def crash_point(point: str) -> None:
    wanted = os.environ.get("FUNNEL_CRASH_AT")
    if not wanted:
        return
    name, _, nth = wanted.partition(":")
    if name != point:
        return
    _passes[point] += 1
    if _passes[point] == int(nth or 1):
        os.killpg(os.getpgid(0), signal.SIGKILL)
