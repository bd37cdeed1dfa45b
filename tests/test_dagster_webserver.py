"""`dagster dev`'s webserver loads every asset, check, schedule and sensor of the definitions:
started on a free local port, asked through its GraphQL API."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from pipelines.settings import PROJECT_ROOT

QUERY = """
{
  repositoriesOrError {
    ... on RepositoryConnection {
      nodes {
        schedules { name cronSchedule }
        sensors { name }
        assetNodes {
          assetKey { path }
          assetChecksOrError { ... on AssetChecks { checks { name } } }
        }
      }
    }
  }
}
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def graphql(port: int, query: str) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql", data=json.dumps({"query": query}).encode(),
        headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


@pytest.fixture(scope="module")
def webserver(tmp_path_factory):
    home = tmp_path_factory.mktemp("dagster_home")
    data = tmp_path_factory.mktemp("data")
    port = free_port()
    env = {**os.environ, "DAGSTER_HOME": str(home), "FUNNEL_DATA_DIR": str(data)}
    webserver_bin = Path(sys.executable).with_name("dagster-webserver")
    process = subprocess.Popen(
        [str(webserver_bin), "-m", "pipelines.definitions", "-h", "127.0.0.1", "-p", str(port)],
        cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    try:
        while True:
            if process.poll() is not None:
                pytest.fail(f"dagster-webserver exited: {process.stderr.read()[-3000:]}")
            try:
                graphql(port, "{ version }")
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("dagster-webserver did not answer within 120 s")
                time.sleep(1)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_every_asset_check_schedule_and_sensor_is_loaded(webserver):
    from pipelines.definitions import defs

    answer = graphql(webserver, QUERY)
    assert "errors" not in answer, answer.get("errors")
    nodes = answer["data"]["repositoriesOrError"]["nodes"]
    assert len(nodes) == 1
    repo = nodes[0]

    graph = defs.resolve_asset_graph()
    expected_assets = {"/".join(k.path) for k in graph.get_all_asset_keys()}
    expected_checks = {("/".join(k.asset_key.path), k.name) for k in graph.asset_check_keys}
    loaded_assets = {"/".join(n["assetKey"]["path"]) for n in repo["assetNodes"]}
    loaded_checks = {("/".join(n["assetKey"]["path"]), c["name"])
                     for n in repo["assetNodes"]
                     for c in (n["assetChecksOrError"] or {}).get("checks", [])}
    assert loaded_assets == expected_assets
    assert loaded_checks == expected_checks
    assert {"raw/web_visits", "raw/contacts", "raw/opportunities", "raw/sales_interactions",
            "published/marts"} <= loaded_assets
    assert {s["name"]: s["cronSchedule"] for s in repo["schedules"]} == \
        {"funnel_nightly_schedule": "0 2 * * *", "funnel_weekly_review_schedule": "0 8 * * 1"}
    assert {s["name"] for s in repo["sensors"]} == {"inbox_sensor", "run_failure_alert"}
