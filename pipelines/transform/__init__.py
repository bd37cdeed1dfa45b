"""The dbt project wired into Dagster (assets.py): one `dbt build` for the whole graph, dbt tests
as asset checks, models downstream of the raw assets `raw/<table>`. The package itself imports
nothing, so that its light modules (build_state.py) load without Dagster and dbt."""
