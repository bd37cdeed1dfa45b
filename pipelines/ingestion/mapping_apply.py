"""Applying a mapping to a file's rows. A mapping that only renames stays a polars select (the
fast path every plain mapping takes); one with expressions, a filter, several rows per file
row or lookups runs as one DuckDB query over the file's rows."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from pipelines.contract import CUSTOM_FIELDS, NUMBER, SOURCES
from pipelines.ingestion.mapping import ColumnMapping
from pipelines.ingestion.mapping_language import lookup_path, quoted


class MappingExpressionError(ValueError):
    """An expression DuckDB could not evaluate on this file (the message says why)."""


@dataclass
class Mapped:
    frame: pl.DataFrame
    filtered: int = 0  # file rows that gave no contract row (the filter, no `rows:` condition)
    derived: int = 0  # contract rows beyond the first made from one file row


def apply_mapping(frame: pl.DataFrame, mapping: ColumnMapping, keep: list[str]) -> Mapped:
    """Contract columns from the file's columns; file columns the mapping does not name are
    dropped; `keep` columns pass through."""
    language = mapping.language
    if language.custom_fields:
        frame = frame.with_columns(_custom_fields(frame, language.custom_fields))
        keep = [*keep, CUSTOM_FIELDS]
    if language.uses_engine:
        mapped = _run_engine(frame, mapping, keep)
    else:
        selected = [
            pl.col(file_column).alias(contract_column)
            for contract_column, file_column in mapping.columns.items()
            if file_column in frame.columns
        ]
        constants = [pl.lit(v, dtype=pl.String).alias(c) for c, v in mapping.constants.items()]
        mapped = Mapped(frame.select(*selected, *constants, *[pl.col(k) for k in keep]))
    if language.read.get("decimal_comma"):
        mapped.frame = _decimal_comma(mapped.frame, mapping.source)
    mapped.frame = _map_values(mapped.frame, mapping)
    return mapped


def _custom_fields(frame: pl.DataFrame, fields: dict[str, str]) -> pl.Expr:
    """One JSON object of the fields' text values, trimmed; an empty value (`""` too) and a
    field whose column the file lacks are null (the reader has said the column is missing)."""
    def value(column: str) -> pl.Expr:
        if column not in frame.columns:
            return pl.lit(None, dtype=pl.String)
        text = pl.col(column).cast(pl.String).str.strip_chars()
        return pl.when(text != "").then(text)

    values = [value(column).alias(name) for name, column in fields.items()]
    return pl.struct(values).struct.json_encode().alias(CUSTOM_FIELDS)


def _map_values(frame: pl.DataFrame, mapping: ColumnMapping) -> pl.DataFrame:
    language = mapping.language
    for column in dict.fromkeys([*mapping.values, *language.value_defaults]):
        if column not in frame.columns:
            continue
        value_map = mapping.values.get(column, {})
        as_text = pl.col(column).cast(pl.String).str.strip_chars()
        if language.values_ignore_case:
            value_map = {_loose(k): v for k, v in value_map.items()}
            as_text = as_text.str.to_lowercase().str.replace_all(r"[\s_\-]+", "")
        default = language.value_defaults.get(column)
        if default is None:
            mapped = as_text.replace(value_map)
            if language.values_ignore_case:  # unmapped values keep their spelling
                mapped = pl.when(as_text.is_in(list(value_map))).then(mapped) \
                    .otherwise(pl.col(column).cast(pl.String).str.strip_chars())
        else:
            mapped = as_text.replace_strict(value_map, default=pl.lit(default), return_dtype=pl.String)
            empty = pl.col(column).cast(pl.String).str.strip_chars().fill_null("") == ""
            mapped = pl.when(empty).then(None).otherwise(mapped)
        frame = frame.with_columns(mapped.alias(column))
    return frame


def _loose(value: str) -> str:
    return "".join(ch for ch in value.lower() if not ch.isspace() and ch not in "_-")


def _decimal_comma(frame: pl.DataFrame, source: str) -> pl.DataFrame:
    """`1.234,56` -> `1234.56` in the number columns given as text."""
    numbers = [c for c, kind in SOURCES[source].columns.items()
               if kind == NUMBER and c in frame.columns and frame.schema[c] == pl.String]
    return frame.with_columns(
        pl.col(c).str.replace_all(r"[.\s']", "").str.replace(",", ".", literal=True)
        for c in numbers)


def _run_engine(frame: pl.DataFrame, mapping: ColumnMapping, keep: list[str]) -> Mapped:
    language = mapping.language
    con = duckdb.connect()
    try:
        con.execute("SET TimeZone = 'UTC'")
        con.register("file_rows", frame.to_arrow())
        joins = []
        for lookup in language.lookups:
            table = _lookup_table(mapping.path, lookup)
            con.register(f"lookup_{lookup.alias}", table.to_arrow())
            joins.append(
                f"LEFT JOIN (SELECT DISTINCT ON ({quoted(lookup.key)}) * FROM lookup_{lookup.alias}) "
                f"AS {quoted(lookup.alias)} ON {quoted(lookup.alias)}.{quoted(lookup.key)} = "
                f"CAST(({lookup.on}) AS VARCHAR)")
        base = {c: quoted(f) for c, f in mapping.columns.items() if f in frame.columns}
        base.update({c: "'" + v.replace("'", "''") + "'" for c, v in mapping.constants.items()})
        base.update(language.expressions)
        variants = language.rows or (None,)
        selects = []
        for index, variant in enumerate(variants):
            columns = {**base, **(variant.columns if variant else {})}
            conditions = [f"({c})" for c in (language.filter, variant and variant.when) if c]
            projection = ", ".join([*(f"({sql}) AS {quoted(c)}" for c, sql in columns.items()),
                                    *(f"file_rows.{quoted(k)}" for k in keep),
                                    f"{index} AS _variant"])
            where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
            selects.append(f"SELECT {projection} FROM file_rows {' '.join(joins)}{where}")
        query = f"SELECT * EXCLUDE (_variant) FROM ({' UNION ALL BY NAME '.join(selects)})"
        if len(selects) > 1 or joins:
            # One select over the file alone keeps its row order (DuckDB preserves insertion
            # order); a union or a join does not, and sorting costs a pass over every row.
            query += f" ORDER BY {', '.join([*(quoted(k) for k in keep), '_variant'])}"
        try:
            result = pl.from_arrow(con.sql(query).to_arrow_table())
        except duckdb.Error as exc:
            raise MappingExpressionError(
                f"an expression of mapping {mapping.path.name} failed: {exc}") from exc
    finally:
        con.close()
    # true/false as text, like a CSV's; the validation converts the other types.
    result = result.with_columns(pl.col(pl.Boolean).cast(pl.String))
    line = keep[0] if keep else None
    if len(variants) == 1:  # one contract row at most per file row
        produced = result.height
    else:
        produced = result.get_column(line).n_unique() if line and result.height else 0
    return Mapped(result, filtered=frame.height - produced, derived=result.height - produced)


def _lookup_table(mapping_path: Path, lookup) -> pl.DataFrame:
    path = lookup_path(mapping_path, lookup)
    try:
        return pl.read_csv(path, infer_schema=False)
    except (OSError, pl.exceptions.PolarsError) as exc:
        raise MappingExpressionError(
            f"lookup '{lookup.alias}' of mapping {mapping_path.name}: cannot read "
            f"lookups/{lookup.file}: {exc}") from exc
