"""Compare two builds of the warehouse, table by table: every relation of the dbt schemas
(staging views included), its row count on each side and the rows of each side missing from the
other (`EXCEPT ALL` both ways, exact, on the left side's columns).

    python tests/compare_builds.py BEFORE.duckdb AFTER.duckdb [--ignore COLUMN ...]

Each relation is first copied to Parquet, one database at a time: the views of a warehouse name
its catalog (`warehouse`), so two warehouses cannot be attached side by side. Exit status 1 when
any relation differs, is missing on one side, or lacks a column of the left side.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import duckdb

SCHEMAS = ("staging", "intermediate", "marts")


def export(database: Path, out_dir: Path) -> dict[str, list[str]]:
    """Copy every relation of SCHEMAS to <out_dir>/<schema>.<name>.parquet; its columns."""
    con = duckdb.connect(str(database), read_only=True)
    try:
        relations = con.execute(
            "SELECT table_schema, table_name FROM information_schema.tables "
            "WHERE table_schema IN ? ORDER BY 1, 2", [list(SCHEMAS)]).fetchall()
        columns = {}
        for schema, name in relations:
            relation = f"{schema}.{name}"
            columns[relation] = [c for (c,) in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = ? "
                "AND table_name = ? ORDER BY ordinal_position", [schema, name]).fetchall()]
            con.execute(f"COPY (SELECT * FROM {relation}) TO '{out_dir / relation}.parquet' "
                        "(FORMAT parquet)")
        return columns
    finally:
        con.close()


def compare(before: Path, after: Path, ignore: set[str]) -> list[tuple]:
    """One row per relation: (relation, rows before, rows after, before-only, after-only,
    problem)."""
    with tempfile.TemporaryDirectory(prefix="compare_builds_") as tmp:
        left_dir, right_dir = Path(tmp, "before"), Path(tmp, "after")
        left_dir.mkdir()
        right_dir.mkdir()
        left, right = export(before, left_dir), export(after, right_dir)
        con = duckdb.connect()
        rows = []
        for relation in sorted(set(left) | set(right)):
            if relation not in left or relation not in right:
                rows.append((relation, None, None, None, None,
                             "only before" if relation in left else "only after"))
                continue
            missing = [c for c in left[relation] if c not in right[relation]]
            if missing:
                rows.append((relation, None, None, None, None, f"after lacks {missing}"))
                continue
            extra = [c for c in right[relation] if c not in left[relation]]
            select = ", ".join(c for c in left[relation] if c not in ignore)
            a = f"(SELECT {select} FROM '{left_dir / relation}.parquet')"
            b = f"(SELECT {select} FROM '{right_dir / relation}.parquet')"
            count = lambda sql: con.execute(f"SELECT count(*) FROM {sql}").fetchone()[0]  # noqa: E731
            rows.append((relation, count(a), count(b),
                         count(f"({a} EXCEPT ALL {b})"), count(f"({b} EXCEPT ALL {a})"),
                         f"after adds {extra}" if extra else ""))
        con.close()
        return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--ignore", action="append", default=[],
                        help="a column left out of the comparison (e.g. _loaded_at)")
    args = parser.parse_args(argv)
    rows = compare(args.before, args.after, set(args.ignore))
    print(f"{'relation':60} {'before':>9} {'after':>9} {'b-a':>5} {'a-b':>5}  note")
    differing = 0
    for relation, n_before, n_after, only_before, only_after, note in rows:
        bad = (n_before is None or n_before != n_after or only_before or only_after)
        differing += bool(bad)
        print(f"{relation:60} {n_before!s:>9} {n_after!s:>9} {only_before!s:>5} "
              f"{only_after!s:>5}  {note}")
    print(f"{len(rows)} relations, {differing} differing"
          + (f" (ignoring {sorted(args.ignore)})" if args.ignore else ""))
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main())
