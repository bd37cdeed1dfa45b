"""The one DuckDB warehouse file, as a Dagster resource. DuckDB allows a single writing
process, so every step that writes opens it here, briefly, and closes it before dbt runs."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg
import duckdb

from pipelines import settings


class WarehouseResource(dg.ConfigurableResource):
    """Path of the DuckDB file; empty means `<data dir>/warehouse.duckdb`."""

    database: str = ""

    @property
    def path(self) -> str:
        return self.database or str(settings.warehouse_path())

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        con = duckdb.connect(self.path, read_only=read_only, config=settings.duckdb_config())
        try:
            yield con
        finally:
            con.close()
