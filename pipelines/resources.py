"""The resources every run gets, all built from one FunnelSettings: `dagster dev` and the
schedule take it from the environment (pipelines/definitions.py), the `funnel` CLI from its
options (pipelines/runner.py)."""

from __future__ import annotations

from pipelines.settings import FunnelSettings
from pipelines.transform.assets import dbt_resource
from pipelines.warehouse import WarehouseResource


def funnel_resources(settings: FunnelSettings) -> dict[str, object]:
    return {
        "settings": settings,
        "warehouse": WarehouseResource(settings=settings),
        "dbt": dbt_resource(settings),
    }
