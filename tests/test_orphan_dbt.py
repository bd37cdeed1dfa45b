"""A killed `funnel run` leaves no dbt process behind writing the warehouse: dbt is started
through `funnel-dbt` (pipelines/dbt_child.py), which the kernel kills with its parent."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import psutil
import pytest

from pipelines.dbt_child import WRAPPER_NAME
from pipelines.generate import generate_sample
from pipelines.run_lock import run_lock
from pipelines.transform.project import dbt_executable

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def _dbt_child(funnel: psutil.Process) -> psutil.Process | None:
    """The real dbt (after funnel-dbt replaced itself with it), a child of the funnel process."""
    for child in funnel.children(recursive=True):
        try:
            command = child.cmdline()
        except psutil.Error:
            continue
        if any(part.endswith("/dbt") for part in command) and "build" in command:
            return child
    return None


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_dbt_dies_with_a_killed_funnel_run(tmp_path):
    assert Path(dbt_executable()).name == WRAPPER_NAME, (
        f"{WRAPPER_NAME} is not installed beside {sys.executable}: reinstall the package "
        "(`make install`)")
    generate_sample(tmp_path / "inbox", days=3, seed=42, scale=0.1)
    env = {**os.environ, "FUNNEL_DATA_DIR": str(tmp_path),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(PROJECT_ROOT), os.environ.get("PYTHONPATH")]))}
    run = subprocess.Popen([sys.executable, "-m", "pipelines.cli", "run", "--quiet"], env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        funnel = psutil.Process(run.pid)
        deadline = time.monotonic() + 240
        dbt = None
        while dbt is None and run.poll() is None and time.monotonic() < deadline:
            dbt = _dbt_child(funnel)
            time.sleep(0.1)
        assert dbt is not None, f"dbt never started: {run.stderr.read().decode()[-2000:] if run.poll() is not None else 'timeout'}"
        os.kill(run.pid, signal.SIGKILL)  # the funnel process alone, not its process group
        run.wait()
        gone, alive = psutil.wait_procs([dbt], timeout=10)
        for orphan in alive:  # do not leave it running when the test fails
            orphan.kill()
        assert not alive, f"dbt (pid {dbt.pid}) outlived the killed funnel run"
    finally:
        if run.poll() is None:
            run.kill()
    with run_lock(tmp_path, "run"):  # nobody holds the data directory
        duckdb.connect(str(tmp_path / "warehouse.duckdb")).close()  # nor the warehouse file
