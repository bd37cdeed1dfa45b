"""The run's configuration, one object: where the data directory is, which dbt target builds
it, DuckDB's memory limit and the time zone of the schedules (DESIGN.md section 6).

`FunnelSettings.from_environment()` reads the environment once (FUNNEL_DATA_DIR, ...; the
table below); the `funnel` CLI overrides it with its options; Dagster injects the result into
every asset, check and sensor as the resource `settings` (pipelines/resources.py). Nothing
writes the environment: dbt is handed the data directory as a `--vars` value on its command.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import dagster as dg

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
EXPECTATIONS_DIR = PROJECT_ROOT / "expectations"

DBT_TARGETS = ("duckdb", "spark")

# Setting -> the environment variable that sets it.
ENVIRONMENT = {
    "data_dir": "FUNNEL_DATA_DIR",
    "dbt_target": "FUNNEL_DBT_TARGET",
    "duckdb_memory_limit": "FUNNEL_DUCKDB_MEMORY_LIMIT",
    "timezone": "FUNNEL_TIMEZONE",
}


class FunnelSettings(dg.ConfigurableResource):
    """data_dir: absolute path of the data directory (`data/` in the project by default).
    dbt_target: `duckdb` or `spark`. duckdb_memory_limit: DuckDB's buffer pool per process
    (it spills beyond it; DuckDB's own default is 80% of the machine), dbt's too.
    timezone: the IANA zone the schedules fire in."""

    data_dir: str = str(PROJECT_ROOT / "data")
    dbt_target: str = "duckdb"
    duckdb_memory_limit: str = "2.5GB"
    timezone: str = "UTC"

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None,
                         **overrides: object) -> FunnelSettings:
        """The settings the environment gives (unset or empty variables keep the defaults),
        with `overrides` (None values ignored) on top; the data directory made absolute."""
        environ = os.environ if environ is None else environ
        values: dict[str, object] = {name: environ[variable] for name, variable in ENVIRONMENT.items()
                                     if environ.get(variable)}
        values.update({name: value for name, value in overrides.items() if value is not None})
        if "data_dir" in values:
            values["data_dir"] = str(Path(str(values["data_dir"])).resolve())
        target = values.get("dbt_target", "duckdb")
        if target not in DBT_TARGETS:
            raise ValueError(f"{ENVIRONMENT['dbt_target']}={target!r}: expected one of "
                             f"{', '.join(DBT_TARGETS)}")
        return cls(**values)

    @property
    def data_path(self) -> Path:
        return Path(self.data_dir)

    @property
    def inbox_dir(self) -> Path:
        return self.data_path / "inbox"

    @property
    def mappings_dir(self) -> Path:
        return self.data_path / "mappings"

    @property
    def warehouse_path(self) -> Path:
        return self.data_path / "warehouse.duckdb"

    @property
    def published_dir(self) -> Path:
        return self.data_path / "published"

    @property
    def reports_dir(self) -> Path:
        return self.data_path / "reports"

    @property
    def raw_parquet_dir(self) -> Path:
        """The raw layer exported as Parquet, read by the Spark target's dbt sources."""
        return self.data_path / "raw"

    @property
    def spark_warehouse_dir(self) -> Path:
        """Where the local Spark target keeps its tables (`spark.sql.warehouse.dir`)."""
        return self.data_path / "spark" / "warehouse"

    @property
    def duckdb_config(self) -> dict[str, str]:
        return {"memory_limit": self.duckdb_memory_limit, "preserve_insertion_order": "false"}

    @property
    def dbt_vars(self) -> dict[str, str]:
        """What dbt reads from the pipeline (`--vars`; dbt_project/profiles.yml): it runs with
        dbt_project/ as its working directory, so the data directory goes as an absolute path."""
        return {"data_dir": self.data_dir, "duckdb_memory_limit": self.duckdb_memory_limit}
