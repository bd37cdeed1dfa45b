"""Measuring a command: wall time and the peak memory of its whole process tree.

Peak memory is sampled, not taken from `getrusage`: every 0.2 s a thread reads VmRSS from
/proc/<pid>/status for the process and every descendant (found through the parent ids in
/proc/*/stat), sums them and keeps the maximum. `RUSAGE_CHILDREN.ru_maxrss` is recorded too,
but it is the peak of the single largest child, not of the tree at one moment, so the sum is
the figure to read (a `funnel run` starts dbt as a second process next to the Python one).
A peak shorter than the sampling interval can be missed; the figure is a lower bound.
"""

from __future__ import annotations

import os
import resource
import subprocess
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

SAMPLE_SECONDS = 0.2


def machine() -> dict:
    """Core count and load averages (1, 5, 15 min) right now."""
    return {"cores": os.cpu_count(), "load_average": [round(x, 2) for x in os.getloadavg()]}


def _children_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue  # the process ended meanwhile
        # The command name is in parentheses and may hold spaces: split after the last ')'.
        fields = stat[stat.rfind(b")") + 2:].split()
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    return children


def process_tree(pid: int) -> list[int]:
    children = _children_map()
    tree, pending = [], [pid]
    while pending:
        current = pending.pop()
        tree.append(current)
        pending.extend(children.get(current, []))
    return tree


def rss_bytes(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", "rb") as handle:
            for line in handle:
                if line.startswith(b"VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def tree_rss_bytes(pid: int) -> int:
    return sum(rss_bytes(p) for p in process_tree(pid))


class PeakSampler:
    """Samples the tree RSS of `pid` until stopped; `peak` is the largest sum seen."""

    def __init__(self, pid: int, interval: float = SAMPLE_SECONDS, timeline: bool = False):
        self.pid, self.interval = pid, interval
        self.peak = 0
        self.samples = 0
        self.timeline: list[tuple[float, int]] | None = [] if timeline else None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            rss = tree_rss_bytes(self.pid)
            self.peak = max(self.peak, rss)
            self.samples += 1
            if self.timeline is not None:
                self.timeline.append((time.time(), rss))
            self._stop.wait(self.interval)

    def __enter__(self) -> PeakSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


@dataclass
class Measurement:
    label: str
    command: list[str]
    seconds: float
    peak_rss_mib: float
    max_child_rss_mib: float  # getrusage(RUSAGE_CHILDREN): the largest single process so far
    returncode: int
    load_before: list[float]
    load_after: list[float]
    stdout_tail: str = ""
    stderr_tail: str = ""
    # (unix time, tree RSS in MiB) of every sample, when asked for
    timeline: list = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


class CommandFailed(RuntimeError):
    pass


def run_measured(label: str, command: list[str], env: dict | None = None,
                 cwd: Path | None = None, check: bool = True,
                 timeline: bool = False) -> Measurement:
    """Run `command`, timing it and sampling its process tree's RSS (every sample kept in
    `timeline` when asked)."""
    load_before = machine()["load_average"]
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, cwd=cwd, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    with PeakSampler(process.pid, timeline=timeline) as sampler:
        stdout, stderr = process.communicate()
    seconds = time.perf_counter() - started
    result = Measurement(
        label=label, command=[str(c) for c in command], seconds=round(seconds, 3),
        peak_rss_mib=round(sampler.peak / 2**20, 1),
        max_child_rss_mib=round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1),
        returncode=process.returncode, load_before=load_before,
        load_after=machine()["load_average"],
        stdout_tail=stdout[-2000:], stderr_tail=stderr[-4000:],
        timeline=[(round(t, 2), round(b / 2**20)) for t, b in sampler.timeline or []],
    )
    if check and process.returncode != 0:
        raise CommandFailed(f"{label}: `{' '.join(result.command)}` exited {process.returncode}\n"
                            f"{result.stdout_tail}\n{result.stderr_tail}")
    return result
