"""One run at a time per data directory (pipelines/run_lock.py): a second run is refused in one
line naming the holder, a killed holder's lock is free at once, a Dagster run holds it too."""

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import dagster as dg
import pytest

from pipelines.run_lock import RunLockHeld, run_lock
from pipelines.settings import FunnelSettings
from pipelines.warehouse import WarehouseResource

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def _env(**extra) -> dict:
    # The child imports this checkout's pipelines, whatever the installed package points at.
    path = os.pathsep.join(filter(None, [str(PROJECT_ROOT), os.environ.get("PYTHONPATH")]))
    return {**os.environ, "PYTHONPATH": path, **extra}


def hold_lock_in_another_process(data_dir: Path, seconds: float = 60) -> subprocess.Popen:
    """A process holding the run lock as `funnel run` would; returns once it holds it."""
    code = textwrap.dedent(f"""
        import sys, time
        from pathlib import Path
        from pipelines.run_lock import run_lock
        with run_lock(Path({str(data_dir)!r}), "run"):
            print("held", flush=True)
            time.sleep({seconds})
    """)
    holder = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True,
                              env=_env())
    assert holder.stdout.readline().strip() == "held"
    return holder


@pytest.fixture
def holder(tmp_path):
    process = hold_lock_in_another_process(tmp_path)
    yield process
    process.kill()
    process.wait()


def funnel(*args, env=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipelines.cli", *args], capture_output=True,
                          text=True, env=env or _env(), timeout=300)


def test_a_second_run_is_refused_in_one_line_naming_the_holder(tmp_path, holder):
    (tmp_path / "inbox").mkdir()
    for command in ("run", "ingest", "demo"):
        refused = funnel(command, "--data-dir", str(tmp_path))
        assert refused.returncode == 1, refused.stderr
        lines = refused.stderr.strip().splitlines()
        assert len(lines) == 1, refused.stderr
        assert lines[0].startswith(f"error: {tmp_path} is in use by pid {holder.pid} (`funnel run`, since ")
        assert lines[0].endswith("): wait for it to finish, then try again")
        assert "Traceback" not in refused.stderr + refused.stdout
    assert not (tmp_path / "warehouse.duckdb").exists(), "the refused run must not touch the warehouse"


def test_the_lock_of_a_killed_holder_is_free_at_once(tmp_path):
    process = hold_lock_in_another_process(tmp_path)
    with pytest.raises(RunLockHeld):
        with run_lock(tmp_path, "run"):
            pass
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    with run_lock(tmp_path, "run"):  # at once: no stale lock to time out or clean up
        pass


def test_the_lock_is_reentrant_within_a_process_and_released_after(tmp_path):
    with run_lock(tmp_path, "run"):
        with run_lock(tmp_path, "ingest"):
            pass
        probe = subprocess.run([sys.executable, "-c", textwrap.dedent(f"""
            from pathlib import Path
            from pipelines.run_lock import RunLockHeld, run_lock
            try:
                with run_lock(Path({str(tmp_path)!r}), "run"):
                    print("acquired")
            except RunLockHeld as held:
                print(held)
        """)], capture_output=True, text=True, env=_env())
        assert f"in use by pid {os.getpid()} (`funnel run`" in probe.stdout
    hold_lock_in_another_process(tmp_path, seconds=0).wait()  # free again once released


@dg.asset
def probe_lock(warehouse: WarehouseResource) -> str:
    """Who another process is told holds the data directory while this Dagster run works."""
    probe = subprocess.run([sys.executable, "-c", textwrap.dedent(f"""
        from pathlib import Path
        from pipelines.run_lock import RunLockHeld, run_lock
        try:
            with run_lock(Path({str(Path(warehouse.path).parent)!r}), "run"):
                print("acquired")
        except RunLockHeld as held:
            print(held)
    """)], capture_output=True, text=True, env=_env())
    return probe.stdout.strip()


def test_a_dagster_run_holds_the_lock_for_its_whole_run(tmp_path, monkeypatch):
    monkeypatch.setenv("FUNNEL_DATA_DIR", str(tmp_path))
    result = dg.materialize([probe_lock], resources={"warehouse": WarehouseResource(settings=FunnelSettings.from_environment())})
    told = result.output_for_node("probe_lock")
    assert f"in use by pid {os.getpid()} (Dagster run {result.run_id[:8]}, since " in told


def test_a_dagster_run_is_refused_while_another_process_holds_the_lock(tmp_path, monkeypatch, holder):
    monkeypatch.setenv("FUNNEL_DATA_DIR", str(tmp_path))
    started = time.perf_counter()
    result = dg.materialize([probe_lock], resources={"warehouse": WarehouseResource(settings=FunnelSettings.from_environment())},
                            raise_on_error=False)
    assert not result.success
    assert time.perf_counter() - started < 30, "refused at once, not after a wait"
    failures = [e for e in result.all_events if e.is_failure]
    text = str([e.event_specific_data for e in failures])
    assert f"is in use by pid {holder.pid} (`funnel run`" in text
