"""The dbt project wired into Dagster: one `dbt build` for the whole graph, dbt tests as asset
checks, models downstream of the raw assets `raw/<table>`."""

from pipelines.transform.assets import dbt_resource, funnel_dbt_assets

__all__ = ["dbt_resource", "funnel_dbt_assets"]
