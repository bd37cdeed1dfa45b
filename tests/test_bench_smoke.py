"""The benchmark (`python -m bench`, issue 8) at a small size: it completes, and the floor
(bench/floor.sql, one DuckDB script over the raw inbox files) equals the pipeline's marts, after
the full build and after the one-day increment. The run with nothing new (step 4) is skipped here
to keep the test under two minutes; it is the same command as the increment."""

import sys
from pathlib import Path

import duckdb
import pytest

# bench/ is a folder of scripts next to the package, not part of it: import it from the checkout.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.compare import compare_marts  # noqa: E402
from bench.measure import run_measured  # noqa: E402
from bench.paths import ROOT  # noqa: E402
from bench.report import table  # noqa: E402
from bench.scenario import bench_size  # noqa: E402

SMOKE_EVENTS = 50_000
SMOKE_DAYS = 30


@pytest.fixture(scope="module")
def smoke(tmp_path_factory) -> dict:
    workdir = tmp_path_factory.mktemp("bench_smoke")
    return bench_size(SMOKE_EVENTS, SMOKE_DAYS, seed=42, workdir=workdir, project=ROOT,
                      include_overhead=False, say=lambda message: None)


def test_floor_equals_pipeline_after_full_build_and_increment(smoke):
    for key in ("floor_equals_pipeline", "floor_equals_pipeline_after_increment"):
        comparison = smoke[key]
        assert comparison["equal"], comparison
        for mart, item in comparison["marts"].items():
            assert item["rows_pipeline"] > 0, f"{mart} is empty: the comparison proves nothing"
    assert smoke["bars"]["floor_equals_pipeline"]


def test_benchmark_measures_every_step(smoke):
    assert smoke["rows"]["web_visits"] > 0.9 * SMOKE_EVENTS
    assert smoke["increment_files"], "the increment copied no files"
    assert all(smoke["increment_rows"][s] > 0 for s in ("web_visits", "contacts"))
    for step in ("full", "floor", "increment"):
        assert smoke[step]["seconds"] > 0
        assert smoke[step]["peak_rss_mib"] > 50, f"{step}: no memory sampled"
    assert smoke["ratios"]["full_over_floor"] > 0
    dbt_alone = smoke["dbt_only"]
    assert dbt_alone["returncode"] == 0 and dbt_alone["seconds"] > 0, dbt_alone["stderr_tail"]
    assert dbt_alone["nodes"] > 100, "dbt alone built the whole project (models, seeds, tests)"
    assert smoke["machine"]["cores"] >= 1
    assert "full" in table([smoke]) or "events" in table([smoke])


def test_comparison_reports_every_kind_of_difference(tmp_path):
    """compare_marts finds a changed value, a missing row and a double beyond 1e-9 relative,
    and accepts a double within it."""
    def build(path: Path, visits: int, credit: float, contacts: list[str]) -> Path:
        con = duckdb.connect(str(path))
        schema = "marts." if "pipeline" in path.name else ""
        if schema:
            con.execute("CREATE SCHEMA marts")
        con.execute(f"CREATE TABLE {schema}mart_funnel_daily AS SELECT DATE '2026-01-01' "
                    f"AS metric_date, 'direct' AS channel, {visits}::BIGINT AS visits")
        con.execute(f"CREATE TABLE {schema}dim_contacts (contact_id VARCHAR)")
        con.executemany(f"INSERT INTO {schema}dim_contacts VALUES (?)", [[c] for c in contacts])
        con.execute(f"CREATE TABLE {schema}fct_attribution AS SELECT 'o' AS opportunity_id, "
                    f"'s' AS session_id, 'linear' AS attribution_model, {credit!r}::DOUBLE AS credit")
        con.close()
        return path

    pipeline = build(tmp_path / "pipeline.duckdb", 5, 1 / 3, ["a", "b"])
    same = build(tmp_path / "floor_same.duckdb", 5, 1 / 3 * (1 + 1e-12), ["a", "b"])
    assert compare_marts(same, pipeline)["equal"]
    other = build(tmp_path / "floor_other.duckdb", 6, 1 / 3 * (1 + 1e-8), ["a"])
    report = compare_marts(other, pipeline)
    assert not report["equal"]
    marts = report["marts"]
    assert marts["mart_funnel_daily"]["differing_values"] == {"visits": 1}
    assert marts["dim_contacts"]["rows_only_in_pipeline"] == 1
    assert marts["fct_attribution"]["differing_values"] == {"credit": 1}


def test_peak_memory_counts_the_whole_process_tree():
    """A child that allocates 300 MiB in its own child: the tree's peak includes it."""
    grandchild = "b = bytearray(300 * 2**20); import time; time.sleep(1.5)"
    child = f"import subprocess, sys; subprocess.run([sys.executable, '-c', {grandchild!r}])"
    measured = run_measured("tree", [sys.executable, "-c", child])
    assert measured.peak_rss_mib > 300
    assert measured.seconds >= 1.5
