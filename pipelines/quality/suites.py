"""Great Expectations suites, kept as JSON files in `expectations/` (one per table), and their
validation on pandas frames in an in-memory GX context.

Each expectation has a GX `severity`: `critical` (structural: a broken key, an impossible date;
blocks downstream assets) or `warning` (a threshold breach: reported, the run goes on).
Bounds that depend on the run are suite parameters, the same bounds ingestion enforces at the
door (pipelines/limits.py): `{"$PARAMETER": "timestamp_floor"}`, `{"$PARAMETER":
"latest_allowed"}` (the run's time plus the future tolerance) and `{"$PARAMETER": "now"}`.
Value sets are suite parameters too, named as the vars of dbt_project.yml that hold them
(`{"$PARAMETER": "event_types"}`, pipelines/value_sets.py): written once, for dbt and GX.
"""

from __future__ import annotations

import ctypes
import gc
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import pandas as pd

from pipelines import limits, settings, value_sets
from pipelines.library_patches import disable_gx_content_fingerprint, drop_gx_batch_data

SAMPLE_SIZE = 10


@dataclass
class ExpectationOutcome:
    expectation: str
    column: str | None
    severity: str  # critical | warning
    passed: bool
    unexpected_count: int | None = None
    unexpected_percent: float | None = None
    sample: list = field(default_factory=list)  # offending keys or values
    observed: object = None
    error: str | None = None

    def summary(self) -> str:
        target = f"{self.expectation}({self.column})" if self.column else self.expectation
        if self.error:
            return f"{target}: could not be evaluated: {self.error}"
        if self.passed:
            return f"{target}: ok"
        figures = []
        if self.unexpected_count is not None:
            figures.append(f"{self.unexpected_count} rows ({self.unexpected_percent or 0:.2f}%)")
        if self.observed is not None:
            figures.append(f"observed {self.observed}")
        if self.sample:
            figures.append(f"e.g. {', '.join(map(str, self.sample[:SAMPLE_SIZE]))}")
        return f"{target}: " + "; ".join(figures)


def suite_path(name: str) -> Path:
    return settings.EXPECTATIONS_DIR / f"{name}.json"


def load_suite_document(name: str) -> dict:
    return json.loads(suite_path(name).read_text(encoding="utf-8"))


@cache
def _batch_definition():
    import great_expectations as gx

    disable_gx_content_fingerprint()
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(),
        progress_bars=ProgressBarsConfig(globally=False),
        analytics_enabled=False,
    )
    context = gx.get_context(mode="ephemeral", project_config=config)
    source = context.data_sources.add_pandas("funnel")
    return source.add_dataframe_asset("table").add_batch_definition_whole_dataframe("whole")


def build_suite(document: dict):
    import great_expectations as gx

    return gx.ExpectationSuite(**document)


def validate_frame(frame: pd.DataFrame, suite_name: str, key_columns: list[str],
                   now: datetime | None = None) -> list[ExpectationOutcome]:
    document = load_suite_document(suite_name)
    suite = build_suite(document)
    parameters = {name: pd.Timestamp(bound) for name, bound in
                  limits.suite_parameters(now or datetime.now(UTC).replace(tzinfo=None)).items()}
    parameters.update(value_sets.suite_parameters())
    result_format = {"result_format": "COMPLETE",
                     "unexpected_index_column_names": key_columns,
                     "partial_unexpected_count": SAMPLE_SIZE}
    batch = _batch_definition().get_batch(
        batch_parameters={"dataframe": _nanosecond_datetimes(frame)})
    validation = batch.validate(suite, expectation_parameters=parameters,
                                result_format=result_format)
    return [_outcome(r, key_columns) for r in validation.results]


def release_memory() -> None:
    """Give validated frames' memory back (call once they are dropped), before dbt starts in a
    child process: the GX engine caches the last batch and its metrics, and the Arrow and C
    allocators keep freed pages (1.9 GB held after a 10M-row batch, 0.5 GB after this)."""
    import pyarrow as pa

    drop_gx_batch_data(_batch_definition().data_asset.datasource.get_execution_engine())
    gc.collect()
    pa.default_memory_pool().release_unused()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to trim
        pass


def _nanosecond_datetimes(frame: pd.DataFrame) -> pd.DataFrame:
    """GX compares datetimes in one vectorised step only for datetime64[ns] columns; DuckDB
    hands over microseconds, which GX checks with a Python call per row (19 s for 10M rows).
    Values beyond the nanosecond range (before 1677, after 2262) are clipped to its ends: they
    stay outside every bound a suite sets, so they still fail."""
    converted = {}
    for column in frame.columns:
        dtype = frame[column].dtype
        if pd.api.types.is_datetime64_dtype(dtype) and dtype != "datetime64[ns]":
            lowest, highest = pd.Timestamp.min.ceil("s"), pd.Timestamp.max.floor("s")
            converted[column] = frame[column].clip(lowest, highest).astype("datetime64[ns]")
    return frame.assign(**converted) if converted else frame


def _outcome(result, key_columns: list[str]) -> ExpectationOutcome:
    config = result.expectation_config
    kwargs = config.kwargs
    column = kwargs.get("column") or (
        f"{kwargs['column_A']},{kwargs['column_B']}" if "column_A" in kwargs else None)
    severity = str(getattr(config.severity, "value", config.severity) or "critical")
    info = result.exception_info or {}
    errors = [v.get("exception_message") for v in info.values() if isinstance(v, dict)
              and v.get("raised_exception")] if "raised_exception" not in info else (
        [info.get("exception_message")] if info.get("raised_exception") else [])
    details = result.result or {}
    index = details.get("unexpected_index_list") or []
    sample = []
    for item in index[: SAMPLE_SIZE * 5]:
        value = tuple(item.get(k) for k in key_columns) if isinstance(item, dict) else item
        value = value[0] if isinstance(value, tuple) and len(value) == 1 else value
        if value not in sample:
            sample.append(value)
    if not sample:
        sample = list(details.get("partial_unexpected_list") or [])[:SAMPLE_SIZE]
    percent = details.get("unexpected_percent")
    return ExpectationOutcome(
        expectation=config.type,
        column=column,
        severity=severity,
        passed=bool(result.success) and not errors,
        unexpected_count=details.get("unexpected_count"),
        unexpected_percent=round(float(percent), 4) if percent is not None else None,
        sample=[_plain(v) for v in sample[:SAMPLE_SIZE]],
        observed=_plain(details.get("observed_value")),
        error="; ".join(e for e in errors if e) or None,
    )


def _plain(value):
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return str(value)
