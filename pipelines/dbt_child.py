"""`funnel-dbt`: the dbt that dagster-dbt starts, made to die with the process that starts it.

dagster-dbt runs dbt as a child process. When the funnel process is killed (kill -9, the OOM
killer), an ordinary child lives on, goes on writing the DuckDB file and holds its lock, so the
next run fails on it. On Linux this wrapper asks the kernel to SIGKILL it when its parent dies
(prctl PR_SET_PDEATHSIG, kept across exec), then replaces itself with this environment's dbt.
Elsewhere it only replaces itself with dbt.

Standard library only, and outside `pipelines.transform` (whose package imports Dagster): it
starts in milliseconds.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import signal
import sys
from pathlib import Path

PR_SET_PDEATHSIG = 1  # linux/prctl.h
WRAPPER_NAME = "funnel-dbt"  # the console script (pyproject.toml)
# `funnel-dbt --funnel-parent-pid PID dbt-args...`: the pid of the process that starts dbt
# (pipelines/library_patches.py, transform/project.py), taken off before dbt sees the
# arguments. It closes the gap between the fork and the prctl call, when the parent may
# already be gone and this process adopted by another.
PARENT_PID_FLAG = "--funnel-parent-pid"


def parent_pid_arguments(executable: str, pid: int) -> list[str]:
    """The arguments naming the starting process to the wrapper; none for a plain dbt."""
    return [PARENT_PID_FLAG, str(pid)] if Path(executable).name == WRAPPER_NAME else []


def split_parent_pid(args: list[str]) -> tuple[str, list[str]]:
    """(the parent pid given, or "", the arguments for dbt)."""
    if args[:1] == [PARENT_PID_FLAG] and len(args) > 1:
        return args[1], args[2:]
    return "", args


def die_with_parent(expected: str = "") -> None:
    if not sys.platform.startswith("linux"):
        return
    parent = os.getppid()
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
        return  # best effort: dbt still runs
    orphaned = os.getppid() != parent or (
        expected.isdigit() and int(expected) != parent and not _is_alive(int(expected)))
    if orphaned:  # the parent died before the request took effect
        os.kill(os.getpid(), signal.SIGKILL)


def _is_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def real_dbt() -> str:
    beside = Path(sys.executable).parent / "dbt"
    return str(beside) if beside.exists() else (shutil.which("dbt") or "dbt")


def main() -> None:
    expected, args = split_parent_pid(sys.argv[1:])
    die_with_parent(expected)
    dbt = real_dbt()
    os.execv(dbt, [dbt, *args])


if __name__ == "__main__":
    main()
