"""One run at a time per data directory (DESIGN.md section 3): every command that writes the
warehouse holds `<data dir>/.funnel.lock` while it works.

The lock is an OS file lock (filelock, fcntl on Unix): the kernel releases it when its holder
dies, so the lock of a killed run is never stale. Who holds it (pid, command, since when) is
written beside it, for the one-line message a second run gets. The lock is re-entrant within a
process: the CLI takes it, and the Dagster run it starts in-process takes it again for free.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from filelock import FileLock, Timeout

LOCK_FILE = ".funnel.lock"
HOLDER_FILE = ".funnel.lock.holder"

_held: dict[Path, int] = {}  # data dir -> re-entry depth in this process
_guard = threading.Lock()


class RunLockHeld(RuntimeError):
    """Another process is running on this data directory."""

    def __init__(self, data_dir: Path, holder: dict | None):
        self.data_dir, self.holder = data_dir, holder or {}
        super().__init__(f"{data_dir} is in use by {describe_holder(self.holder)}: wait for it "
                         "to finish, then try again")


def describe_holder(holder: dict) -> str:
    """`pid 123 (`funnel run`, since 2026-12-04 20:00:59 UTC)`, or `another process`."""
    if "pid" not in holder:
        return "another process"
    what = holder.get("label") or f"`funnel {holder.get('command', '?')}`"
    since = str(holder.get("since", "?")).replace("T", " ").replace("+00:00", " UTC")
    return f"pid {holder['pid']} ({what}, since {since})"


def read_holder(data_dir: Path) -> dict | None:
    try:
        return json.loads((data_dir / HOLDER_FILE).read_text())
    except (OSError, ValueError):
        return None


@contextmanager
def run_lock(data_dir: Path, command: str, label: str | None = None) -> Iterator[None]:
    """Hold the data directory's run lock, or raise RunLockHeld at once if another process
    holds it. `command`: the funnel command (`run`); `label` names a holder that is not a
    funnel command (`Dagster run 1a2b3c4d`)."""
    data_dir = data_dir.resolve()
    with _guard:
        if _held.get(data_dir):
            _held[data_dir] += 1
            reentered = True
        else:
            reentered = False
    if reentered:
        try:
            yield
        finally:
            with _guard:
                _held[data_dir] -= 1
        return

    data_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(data_dir / LOCK_FILE, is_singleton=False)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        raise RunLockHeld(data_dir, read_holder(data_dir)) from None
    try:
        holder = {"pid": os.getpid(), "command": command,
                  "since": datetime.now(UTC).isoformat(timespec="seconds")}
        if label:
            holder["label"] = label
        (data_dir / HOLDER_FILE).write_text(json.dumps(holder))
        with _guard:
            _held[data_dir] = 1
        yield
    finally:
        with _guard:
            _held.pop(data_dir, None)
        lock.release()
