"""The key marts' suites: structural rules block publishing, thresholds (share of incomplete
contacts, of unknown sources, of suspected duplicates) warn."""

import dagster as dg

from pipelines.quality.checks import build_suite_checks, query_frame

MART_SUITES = {
    "dim_contacts": (["contact_id"], """
        SELECT contact_id, original_channel, created_at, is_complete, is_suspected_duplicate
        FROM marts.dim_contacts"""),
    "mart_funnel_daily": (["metric_date", "channel"], "SELECT * FROM marts.mart_funnel_daily"),
}


def _loader(sql: str):
    def load(warehouse):
        with warehouse.connect() as con:
            frame = query_frame(con, sql)
        for column in frame.columns:
            # GX compares dates with datetimes; DuckDB DATE arrives as Python dates.
            if frame[column].dtype == object and len(frame) and hasattr(frame[column].iloc[0], "isoformat") \
                    and not hasattr(frame[column].iloc[0], "hour"):
                frame[column] = frame[column].astype("datetime64[us]")
        return frame

    return load


def build_mart_suite_checks() -> list[dg.AssetChecksDefinition]:
    return [
        build_suite_checks(dg.AssetKey(["marts", table]), f"marts_{table}", keys, _loader(sql),
                           f"Great Expectations suite on marts.{table}.")
        for table, (keys, sql) in MART_SUITES.items()
    ]
