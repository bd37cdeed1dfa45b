"""The run's configuration is one object, read from the environment once, overridden by the
CLI's options, and never written back into the environment."""

import os
import re
from pathlib import Path

import duckdb
import polars  # noqa: F401 - sets its allocator's variable on import, before the comparison

from pipelines.cli import main
from pipelines.dbt_child import PARENT_PID_FLAG, parent_pid_arguments, split_parent_pid
from pipelines.settings import DBT_PROJECT_DIR, PROJECT_ROOT, FunnelSettings


def test_defaults_environment_and_overrides_in_that_order(tmp_path):
    default = FunnelSettings.from_environment({})
    assert default.data_path == PROJECT_ROOT / "data" and default.dbt_target == "duckdb"
    assert default.timezone == "UTC"

    environ = {"FUNNEL_DATA_DIR": str(tmp_path / "env"), "FUNNEL_DBT_TARGET": "spark",
               "FUNNEL_DUCKDB_MEMORY_LIMIT": "1GB", "FUNNEL_TIMEZONE": "", "UNRELATED": "x"}
    configured = FunnelSettings.from_environment(environ)
    assert (configured.data_path, configured.dbt_target, configured.duckdb_memory_limit,
            configured.timezone) == (tmp_path / "env", "spark", "1GB", "UTC")

    given = FunnelSettings.from_environment(environ, data_dir=Path("relative"), dbt_target=None)
    assert given.data_path == Path.cwd() / "relative", "an option wins, made absolute"
    assert given.dbt_target == "spark", "an option not given keeps the environment's value"


def test_every_path_hangs_off_the_data_directory(tmp_path):
    settings = FunnelSettings(data_dir=str(tmp_path))
    paths = [settings.inbox_dir, settings.mappings_dir, settings.warehouse_path,
             settings.published_dir, settings.reports_dir, settings.raw_parquet_dir,
             settings.spark_warehouse_dir]
    assert all(path.is_relative_to(tmp_path) for path in paths)
    assert len(set(paths)) == len(paths)
    assert settings.dbt_vars["data_dir"] == str(tmp_path)


def test_a_cli_run_with_options_leaves_the_environment_as_it_was(tmp_path, monkeypatch):
    monkeypatch.delenv("FUNNEL_DATA_DIR", raising=False)
    monkeypatch.delenv("FUNNEL_DBT_TARGET", raising=False)
    inbox = tmp_path / "inbox" / "web_visits"
    inbox.mkdir(parents=True)
    (inbox / "day1.csv").write_text("event_id,visitor_id,occurred_at,event_type,page_url\n"
                                    "e1,v1,2026-01-01T10:00:00,page_view,/a\n")
    before = dict(os.environ)
    assert main(["ingest", "--quiet", "--data-dir", str(tmp_path), "--target", "duckdb"]) == 0
    assert dict(os.environ) == before
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True)
    try:
        assert con.sql("select event_id from raw.web_visits").fetchall() == [("e1",)]
    finally:
        con.close()


def test_the_dbt_wrapper_takes_the_parent_pid_off_the_arguments():
    wrapper = str(Path("/venv/bin/funnel-dbt"))
    args = [*parent_pid_arguments(wrapper, 4242), "build", "--vars", "{}"]
    assert split_parent_pid(args) == ("4242", ["build", "--vars", "{}"])
    assert split_parent_pid(["build"]) == ("", ["build"])
    assert parent_pid_arguments("/venv/bin/dbt", 4242) == [], "a plain dbt gets no extra flag"
    assert PARENT_PID_FLAG not in split_parent_pid(args)[1]


def test_a_hand_run_dbt_falls_back_to_the_pipelines_memory_limit():
    profiles = (DBT_PROJECT_DIR / "profiles.yml").read_text()
    [fallback] = re.findall(r"env_var\('FUNNEL_DUCKDB_MEMORY_LIMIT', '([^']+)'\)", profiles)
    assert fallback == FunnelSettings.model_fields["duckdb_memory_limit"].default
