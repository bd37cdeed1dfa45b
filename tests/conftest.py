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


EXPORTS = Path(__file__).parent / "exports"


def preset_exports() -> list[tuple[str, str, Path]]:
    """(preset, source, file) for every fixture export: tests/exports/<preset>/<source>/<file>."""
    return [(path.parts[-3], path.parts[-2], path)
            for path in sorted(EXPORTS.glob("*/*/*")) if path.is_file()]


@pytest.fixture(scope="session")
def all_presets_dir(tmp_path_factory) -> Path:
    """A data directory with every shipped preset installed."""
    from pipelines import presets

    data_dir = tmp_path_factory.mktemp("presets")
    assert presets.install(list(presets.available()), data_dir).kept == ()
    return data_dir


@pytest.fixture(scope="session")
def preset_warehouse(all_presets_dir):
    """A read-only connection to the warehouse built by one `funnel run` over every fixture
    export of tests/exports, each in inbox/<source>/ under its own file name."""
    import shutil

    from pipelines.cli import main

    for _, source, path in preset_exports():
        target = all_presets_dir / "inbox" / source
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, target / path.name)
    assert main(["run", "--quiet", "--data-dir", str(all_presets_dir)]) == 0
    con = duckdb.connect(str(all_presets_dir / "warehouse.duckdb"), read_only=True)
    yield con
    con.close()
