"""Where things live. One data directory, `data/` in the project by default,
overridden by the environment variable FUNNEL_DATA_DIR (DESIGN.md section 6)."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
EXPECTATIONS_DIR = PROJECT_ROOT / "expectations"


def data_dir() -> Path:
    return Path(os.environ.get("FUNNEL_DATA_DIR") or PROJECT_ROOT / "data").resolve()


def inbox_dir() -> Path:
    return data_dir() / "inbox"


def mappings_dir() -> Path:
    return data_dir() / "mappings"


def warehouse_path() -> Path:
    return data_dir() / "warehouse.duckdb"


def published_dir() -> Path:
    return data_dir() / "published"


def reports_dir() -> Path:
    return data_dir() / "reports"


def duckdb_memory_limit() -> str:
    """DuckDB's buffer pool per process (it spills beyond it); DuckDB's own default is 80% of
    the machine. The same variable sets dbt's (dbt_project/profiles.yml)."""
    return os.environ.get("FUNNEL_DUCKDB_MEMORY_LIMIT") or "2.5GB"


def duckdb_config() -> dict[str, str]:
    return {"memory_limit": duckdb_memory_limit(), "preserve_insertion_order": "false"}


DBT_TARGETS = ("duckdb", "spark")


def dbt_target() -> str:
    """The dbt target that transforms the raw layer: `duckdb` (default) or `spark`
    (FUNNEL_DBT_TARGET; `funnel run --target spark` sets it)."""
    target = os.environ.get("FUNNEL_DBT_TARGET") or "duckdb"
    if target not in DBT_TARGETS:
        raise ValueError(f"FUNNEL_DBT_TARGET={target!r}: expected one of {', '.join(DBT_TARGETS)}")
    return target


def raw_parquet_dir() -> Path:
    """The raw layer exported as Parquet, read by the Spark target's dbt sources."""
    return data_dir() / "raw"


def spark_warehouse_dir() -> Path:
    """Where the local Spark target keeps its tables (`spark.sql.warehouse.dir` in profiles.yml)."""
    return data_dir() / "spark" / "warehouse"
