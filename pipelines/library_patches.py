"""Every place this project reaches into a library's internals, in one module, each with the
reason and a test (tests/test_library_patches.py) that fails when the library changes
underneath. No public API does these things in the pinned versions.

- dagster-dbt: `DbtCliResource._cli_version` runs `dbt --version` (~2 s) in every run; we
  know the version from the installed dbt-core's metadata.
- Great Expectations: the pandas engine fingerprints every frame under 1 GB with an md5 of its
  whole content, twice per validation, for a batch marker nothing here reads
  (`HASH_THRESHOLD`: 25 of the 45 s a 10M-row batch took); and it keeps the last batch's data
  after validation (`BatchManager._batch_data_cache`), 1.9 GB after a 10M-row batch.
"""

from __future__ import annotations

import importlib.metadata
import os
import sys
from functools import cached_property
from pathlib import Path

from dagster_dbt import DbtCliResource
from packaging import version

from pipelines.dbt_child import parent_pid_arguments


class FunnelDbtCliResource(DbtCliResource):
    """The dbt CLI resource, without asking the dbt executable for its version when it is
    this environment's dbt (or the funnel-dbt wrapper beside it); through the wrapper, each
    invocation names the process that starts it (pipelines/dbt_child.py)."""

    def cli(self, args, **kwargs):
        flags = [*parent_pid_arguments(self.dbt_executable, os.getpid()), *self.global_config_flags]
        return DbtCliResource.cli(self.model_copy(update={"global_config_flags": flags}), args, **kwargs)

    @cached_property
    def _cli_version(self) -> version.Version:
        if Path(self.dbt_executable).parent == Path(sys.executable).parent:
            return version.parse(importlib.metadata.version("dbt-core"))
        return super()._cli_version


def disable_gx_content_fingerprint() -> None:
    from great_expectations.execution_engine import pandas_execution_engine

    pandas_execution_engine.HASH_THRESHOLD = 0


def drop_gx_batch_data(execution_engine) -> None:
    """Forget the batches (and their data) an execution engine keeps after validating."""
    execution_engine.batch_manager.reset_batch_cache()
    execution_engine.batch_manager._batch_data_cache.clear()
