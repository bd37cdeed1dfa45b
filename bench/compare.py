"""Comparing the floor's marts with the pipeline's: same columns and types, same rows by key,
doubles within a relative tolerance."""

from __future__ import annotations

from pathlib import Path

# The marts the floor computes, with their keys (one row per key).
MARTS = {
    "mart_funnel_daily": ["metric_date", "channel"],
    "dim_contacts": ["contact_id"],
    "fct_attribution": ["opportunity_id", "session_id", "attribution_model"],
}
RELATIVE_TOLERANCE = 1e-9


def compare_marts(floor_db: Path, warehouse_db: Path, marts: dict[str, list[str]] | None = None,
                  tolerance: float = RELATIVE_TOLERANCE) -> dict:
    """Per mart: columns and types, row counts, keys missing on either side, and the number of
    matched rows that differ per column (doubles: |a - b| <= tolerance * max(|a|, |b|); every
    other type exactly, nulls equal). `equal` is true when nothing differs."""
    import duckdb

    marts = marts or MARTS
    con = duckdb.connect()
    con.execute(f"ATTACH '{floor_db}' AS floor (READ_ONLY)")
    con.execute(f"ATTACH '{warehouse_db}' AS pipeline (READ_ONLY)")
    report: dict = {"equal": True, "marts": {}}
    for mart, keys in marts.items():
        item: dict = {}
        report["marts"][mart] = item
        exists = con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE database_name = 'pipeline' "
            "AND schema_name = 'marts' AND table_name = ?", [mart]).fetchone()[0]
        if not exists:
            item["error"] = f"marts.{mart} does not exist in the pipeline's warehouse"
            report["equal"] = False
            continue
        floor_cols = con.execute(f"DESCRIBE floor.main.{mart}").fetchall()
        pipe_cols = con.execute(f"DESCRIBE pipeline.marts.{mart}").fetchall()
        floor_types = {r[0]: r[1] for r in floor_cols}
        pipe_types = {r[0]: r[1] for r in pipe_cols}
        item["columns"] = len(pipe_cols)
        item["missing_columns"] = [c for c in pipe_types if c not in floor_types]
        item["extra_columns"] = [c for c in floor_types if c not in pipe_types]
        item["type_differences"] = {c: [floor_types[c], t] for c, t in pipe_types.items()
                                    if c in floor_types and floor_types[c] != t}
        item["rows_floor"] = con.execute(f"SELECT count(*) FROM floor.main.{mart}").fetchone()[0]
        item["rows_pipeline"] = con.execute(f"SELECT count(*) FROM pipeline.marts.{mart}").fetchone()[0]
        key_list = ", ".join(keys)
        item["duplicate_keys_floor"] = con.execute(
            f"SELECT count(*) FROM (SELECT {key_list} FROM floor.main.{mart} GROUP BY ALL "
            "HAVING count(*) > 1)").fetchone()[0]
        item["duplicate_keys_pipeline"] = con.execute(
            f"SELECT count(*) FROM (SELECT {key_list} FROM pipeline.marts.{mart} GROUP BY ALL "
            "HAVING count(*) > 1)").fetchone()[0]
        on = " AND ".join(f"f.{k} IS NOT DISTINCT FROM p.{k}" for k in keys)
        first_key = keys[0]
        item["rows_only_in_floor"] = con.execute(
            f"SELECT count(*) FROM floor.main.{mart} f ANTI JOIN pipeline.marts.{mart} p ON {on}"
        ).fetchone()[0]
        item["rows_only_in_pipeline"] = con.execute(
            f"SELECT count(*) FROM pipeline.marts.{mart} p ANTI JOIN floor.main.{mart} f ON {on}"
        ).fetchone()[0]
        shared = [c for c in pipe_types if c in floor_types and c not in keys]
        differs = []
        for c in shared:
            if pipe_types[c] in ("DOUBLE", "FLOAT") or floor_types[c] in ("DOUBLE", "FLOAT"):
                differs.append(
                    f"count(*) FILTER (WHERE (f.{c} IS NULL) <> (p.{c} IS NULL) OR "
                    f"abs(f.{c} - p.{c}) > {tolerance} * greatest(abs(f.{c}), abs(p.{c}))) AS \"{c}\"")
            else:
                differs.append(f"count(*) FILTER (WHERE f.{c} IS DISTINCT FROM p.{c}) AS \"{c}\"")
        counts = con.execute(
            f"SELECT {', '.join(differs) or 'NULL'} FROM floor.main.{mart} f "
            f"JOIN pipeline.marts.{mart} p ON {on}").fetchone() if differs else ()
        item["differing_values"] = {c: n for c, n in zip(shared, counts, strict=True) if n}
        if item["differing_values"]:
            column = next(iter(item["differing_values"]))
            item["sample_difference"] = [list(map(str, r)) for r in con.execute(
                f"SELECT {', '.join('f.' + k for k in keys)}, f.{column} AS floor_value, "
                f"p.{column} AS pipeline_value FROM floor.main.{mart} f "
                f"JOIN pipeline.marts.{mart} p ON {on} "
                f"WHERE f.{column} IS DISTINCT FROM p.{column} ORDER BY f.{first_key} LIMIT 5"
            ).fetchall()]
        item["equal"] = not (item["missing_columns"] or item["extra_columns"]
                             or item["type_differences"] or item["rows_only_in_floor"]
                             or item["rows_only_in_pipeline"] or item["differing_values"]
                             or item["duplicate_keys_floor"] or item["duplicate_keys_pipeline"]
                             or item["rows_floor"] != item["rows_pipeline"])
        report["equal"] = report["equal"] and item["equal"]
    con.close()
    return report


def describe_differences(report: dict) -> str:
    lines = []
    for mart, item in report["marts"].items():
        if item.get("equal"):
            continue
        if "error" in item:
            lines.append(f"{mart}: {item['error']}")
            continue
        lines.append(
            f"{mart}: rows floor {item['rows_floor']} / pipeline {item['rows_pipeline']}, "
            f"only in floor {item['rows_only_in_floor']}, only in pipeline "
            f"{item['rows_only_in_pipeline']}, missing columns {item['missing_columns']}, "
            f"extra columns {item['extra_columns']}, types {item['type_differences']}, "
            f"differing values {item['differing_values']}, sample {item.get('sample_difference')}")
    return "\n".join(lines)
