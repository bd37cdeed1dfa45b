"""Comparable snapshots of a warehouse and of the published copy: every table as sorted rows,
without the columns that only say when something ran (load times, run ids)."""

from pathlib import Path

import duckdb

RUN_TIME_COLUMNS = {"_loaded_at", "rejected_at", "ingested_at", "run_id", "repeated_at",
                    "retracted_at", "replayed_at", "models_refreshed_at", "_retracted_at",
                    "retraction_id", "_retraction_id"}
SCHEMAS = ("raw", "staging", "intermediate", "marts")
RUN_LOG_TABLES = {("raw", "_ingestion_runs"), ("audit", "dbt_builds")}  # one row per run by design


def snapshot(database: Path, schemas=SCHEMAS) -> dict[str, list[tuple]]:
    con = duckdb.connect(str(database), read_only=True)
    try:
        tables = con.execute(
            "SELECT table_schema, table_name FROM information_schema.tables "
            f"WHERE table_schema IN ({', '.join('?' * len(schemas))}) ORDER BY 1, 2",
            list(schemas)).fetchall()
        result = {}
        for schema, table in tables:
            if (schema, table) in RUN_LOG_TABLES:
                continue
            columns = [c for (c,) in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = ? "
                "AND table_name = ? ORDER BY ordinal_position", [schema, table]).fetchall()
                if c not in RUN_TIME_COLUMNS]
            select = ", ".join(columns)
            result[f"{schema}.{table}"] = con.execute(
                f"SELECT {select} FROM {schema}.{table} ORDER BY ALL").fetchall()
        return result
    finally:
        con.close()


def differences(left: dict, right: dict, limit: int = 5) -> list[str]:
    problems = []
    for table in sorted(set(left) | set(right)):
        if table not in left or table not in right:
            problems.append(f"{table}: only on one side")
            continue
        a, b = left[table], right[table]
        if a != b:
            only_a = [r for r in a if r not in set(b)][:limit]
            only_b = [r for r in b if r not in set(a)][:limit]
            problems.append(f"{table}: {len(a)} vs {len(b)} rows; only left {only_a}; only right {only_b}")
    return problems
