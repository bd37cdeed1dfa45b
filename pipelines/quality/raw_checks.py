"""The raw tables' suites. Each validates the latest batch (the rows of the most recent load of
that table), so the nightly cost follows the increment, not the history."""

import dagster as dg
import pandas as pd

from pipelines import limits
from pipelines.ingestion import raw_store
from pipelines.ingestion.assets import raw_asset_key
from pipelines.quality.checks import build_suite_checks, query_frame

LATEST_BATCH = "_loaded_at = (SELECT max(_loaded_at) FROM raw.{table})"

# "One version of a key per batch" is a flag the query computes, validated by the suite like
# any column: GX's expect_column_values_to_be_unique hashes the keys in pandas on one core
# (4.6 s for the 10M events of a full build), DuckDB groups them on every core (under 1 s).
REPEATED_IN_BATCH = """coalesce({key} IN (
            SELECT {key} FROM raw.{table} WHERE {{latest}} GROUP BY {key} HAVING count(*) > 1
        ), false) AS {key}_repeated_in_batch"""



def order_flags(table: str) -> str:
    """One flag per ordered pair of pipelines/limits.py, compared as dates: the door rejects
    any finer breach, so on loaded rows only a defect of the pipeline can set it."""
    return "".join(
        f",\n               coalesce(cast({later} AS DATE) < cast({earlier} AS DATE), false) "
        f"AS {later}_before_{earlier}"
        for later, earlier in limits.ORDERED_PAIRS.get(table, ()))


RAW_SUITES = {
    "web_visits": (["event_id"], f"""
        SELECT event_id, visitor_id, occurred_at, event_type, email,
               {REPEATED_IN_BATCH.format(key="event_id", table="web_visits")}
        FROM raw.web_visits WHERE {{latest}}"""),
    "contacts": (["contact_id"], f"""
        SELECT contact_id, created_at, updated_at, email, lifecycle_stage{order_flags("contacts")}
        FROM raw.contacts WHERE {{latest}}"""),
    "opportunities": (["opportunity_id"], f"""
        SELECT opportunity_id, created_at, updated_at, closed_at, amount, stage,
               coalesce(stage = 'closed_won' AND amount IS NULL, false) AS won_without_amount{order_flags("opportunities")}
        FROM raw.opportunities WHERE {{latest}}"""),
    "sales_interactions": (["interaction_id"], f"""
        SELECT interaction_id, occurred_at, interaction_type,
               contact_id IN (SELECT contact_id FROM raw.contacts) AS contact_is_known,
               {REPEATED_IN_BATCH.format(key="interaction_id", table="sales_interactions")}
        FROM raw.sales_interactions WHERE {{latest}}"""),
}


def _loader(table: str, sql: str):
    query = sql.format(latest=LATEST_BATCH.format(table=table))

    def load(warehouse):
        with warehouse.connect(read_only=False) as con:
            exists = table in raw_store.raw_table_names(con)
            return query_frame(con, query) if exists else pd.DataFrame()

    return load


def build_raw_suite_checks() -> list[dg.AssetChecksDefinition]:
    return [
        build_suite_checks(raw_asset_key(table), f"raw_{table}", keys, _loader(table, sql),
                           f"Great Expectations suite on the latest batch of raw.{table}.")
        for table, (keys, sql) in RAW_SUITES.items()
    ]
