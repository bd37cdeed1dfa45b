"""The library internals pipelines/library_patches.py relies on are still there and still do
what the patch assumes: each test fails when an upgrade moves one underneath us."""

import importlib.metadata
import inspect
import sys
from pathlib import Path

import pandas as pd
from dagster_dbt import DbtCliResource
from packaging import version

from pipelines.library_patches import (
    FunnelDbtCliResource,
    disable_gx_content_fingerprint,
    drop_gx_batch_data,
)
from pipelines.settings import DBT_PROJECT_DIR


def test_dagster_dbt_still_asks_the_cli_for_its_version_through_cli_version():
    member = inspect.getattr_static(DbtCliResource, "_cli_version")
    assert hasattr(member, "__get__"), "DbtCliResource._cli_version is no longer a property"
    source = inspect.getsource(DbtCliResource)
    assert "self._cli_version" in source, "dagster-dbt no longer reads _cli_version"


def test_our_dbt_version_comes_from_the_installed_package_without_running_dbt(monkeypatch):
    import subprocess

    def no_subprocess(*args, **kwargs):
        raise AssertionError("dbt was started to ask its version")

    monkeypatch.setattr(subprocess, "run", no_subprocess)
    monkeypatch.setattr(subprocess, "check_output", no_subprocess)
    resource = FunnelDbtCliResource(project_dir=str(DBT_PROJECT_DIR),
                                    dbt_executable=str(Path(sys.executable).parent / "dbt"))
    assert resource._cli_version == version.parse(importlib.metadata.version("dbt-core"))


def test_gx_still_fingerprints_frames_below_a_hash_threshold():
    from great_expectations.execution_engine import pandas_execution_engine

    assert isinstance(pandas_execution_engine.HASH_THRESHOLD, int | float)
    assert "HASH_THRESHOLD" in inspect.getsource(pandas_execution_engine), \
        "GX no longer reads HASH_THRESHOLD: the patch does nothing"
    disable_gx_content_fingerprint()
    assert pandas_execution_engine.HASH_THRESHOLD == 0


def test_gx_batch_data_is_dropped_after_a_validation():
    from pipelines.quality.suites import _batch_definition, validate_frame

    frame = pd.DataFrame({"event_id": ["e1"], "visitor_id": ["v1"],
                          "occurred_at": [pd.Timestamp("2026-01-01")], "event_type": ["page_view"],
                          "email": [None], "event_id_repeated_in_batch": [False]})
    validate_frame(frame, "raw_web_visits", ["event_id"])
    engine = _batch_definition().data_asset.datasource.get_execution_engine()
    assert isinstance(engine.batch_manager._batch_data_cache, dict)
    assert len(engine.batch_manager._batch_data_cache) > 0, "GX no longer caches batch data here"
    drop_gx_batch_data(engine)
    assert len(engine.batch_manager._batch_data_cache) == 0
