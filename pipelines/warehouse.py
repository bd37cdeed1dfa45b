"""The one DuckDB warehouse file, as a Dagster resource. DuckDB allows a single writing
process, so every step that writes opens it here, briefly, and closes it before dbt runs.

A Dagster run that uses the resource holds the data directory's run lock
(pipelines/run_lock.py) from start to end, however it was started (`funnel run`, `dagster dev`,
the schedule): two runs never write at once, and the second is told who holds the directory.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb

from pipelines.run_lock import run_lock
from pipelines.settings import FunnelSettings


class WarehouseResource(dg.ConfigurableResource):
    """`<data dir>/warehouse.duckdb` of the run's settings, opened with its memory limit."""

    settings: FunnelSettings

    @property
    def path(self) -> str:
        return str(self.settings.warehouse_path)

    @contextmanager
    def yield_for_execution(self, context: dg.InitResourceContext) -> Iterator[WarehouseResource]:
        # In-process execution initialises resources once per run, so the lock spans the run.
        # The funnel CLI already holds it (re-entrant within a process).
        run = context.run
        label = f"Dagster run {run.run_id[:8]}" if run else "a Dagster run"
        with run_lock(Path(self.path).parent, "run", label=label):
            with super().yield_for_execution(context) as resource:
                yield resource

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        con = duckdb.connect(self.path, read_only=read_only, config=self.settings.duckdb_config)
        try:
            yield con
        finally:
            con.close()
