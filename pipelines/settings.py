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
