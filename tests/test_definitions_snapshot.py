"""The loaded Dagster definitions, compared with a committed snapshot: every asset key (with
its group), every asset check (with whether it blocks), job, schedule and sensor. A dropped
or renamed asset, check or schedule fails here; a deliberate change updates the snapshot:

    FUNNEL_UPDATE_SNAPSHOT=1 .venv/bin/pytest tests/test_definitions_snapshot.py
"""

import json
import os
from pathlib import Path

SNAPSHOT = Path(__file__).parent / "snapshots" / "definitions.json"


def describe_definitions() -> dict:
    from pipelines.definitions import defs

    graph = defs.resolve_asset_graph()
    assets = {key.to_user_string(): graph.get(key).group_name
              for key in sorted(graph.get_all_asset_keys(), key=lambda k: k.to_user_string())
              if graph.get(key).is_materializable}
    specs = [graph.get_check_spec(key) for key in graph.asset_check_keys]
    checks = sorted(
        f"{spec.asset_key.to_user_string()} · {spec.name}{' (blocking)' if spec.blocking else ''}"
        for spec in specs)
    return {
        "assets": assets,
        "asset_checks": checks,
        "jobs": sorted(job.name for job in defs.resolve_all_job_defs()
                       if not job.name.startswith("__")),
        "schedules": {s.name: s.cron_schedule for s in defs.schedules},
        "sensors": sorted(s.name for s in defs.sensors),
    }


def test_the_definitions_equal_the_committed_snapshot():
    current = describe_definitions()
    if os.environ.get("FUNNEL_UPDATE_SNAPSHOT"):
        SNAPSHOT.write_text(json.dumps(current, indent=1, ensure_ascii=False) + "\n")
    expected = json.loads(SNAPSHOT.read_text())
    for part in expected:
        missing = sorted(set(expected[part]) - set(current[part]))
        added = sorted(set(current[part]) - set(expected[part]))
        assert (missing, added) == ([], []), (
            f"{part} differ from tests/snapshots/definitions.json: missing {missing[:10]}, "
            f"added {added[:10]}; if deliberate, rerun with FUNNEL_UPDATE_SNAPSHOT=1")
    assert current == expected


def test_the_snapshot_holds_the_contract_of_the_product():
    """What DESIGN.md names must be in the snapshot itself, so updating it cannot drop them."""
    expected = json.loads(SNAPSHOT.read_text())
    for table in ("dim_contacts", "fct_sessions", "fct_opportunities", "fct_sales_interactions",
                  "fct_attribution", "mart_funnel_daily", "mart_lead_follow_up",
                  "mart_funnel_conversion", "mart_contact_quality"):
        assert expected["assets"].get(f"marts/{table}") == "marts", table
    for source in ("web_visits", "contacts", "opportunities", "sales_interactions"):
        assert f"raw/{source} · rows_balance (blocking)" in expected["asset_checks"]
        assert f"raw/{source} · contract_structure (blocking)" in expected["asset_checks"]
    assert expected["schedules"] and expected["sensors"] and expected["jobs"]
