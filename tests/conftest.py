"""Shared fixtures. Tests never touch the user's data directory: each builds in a temporary one."""

import os
from pathlib import Path

import duckdb
import pytest

os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "true")

SAMPLE = {"days": 28, "seed": 7, "scale": 0.5}


@pytest.fixture(scope="session")
def sample_data_dir(tmp_path_factory) -> Path:
    """A data directory holding a generated sample inbox, ingested and built by `funnel run`
    (ingestion, dbt build, checks), once per test session."""
    from pipelines.cli import main
    from pipelines.generate import generate_sample

    data_dir = tmp_path_factory.mktemp("sample_data")
    generate_sample(data_dir / "inbox", **SAMPLE)
    status = main(["run", "--quiet", "--data-dir", str(data_dir)])
    assert status == 0, "funnel run failed on the generated sample"
    return data_dir


@pytest.fixture
def sample_warehouse(sample_data_dir):
    """A read-only connection to the built sample warehouse."""
    con = duckdb.connect(str(sample_data_dir / "warehouse.duckdb"), read_only=True)
    yield con
    con.close()
