"""The expression part of the mapping format (README "Column mappings"): the keys a mapping may
add to the plain renames, checked when the mapping is loaded. Expressions are DuckDB SQL
expressions over the file's columns; this module never parses SQL itself, it asks DuckDB for
the column references (json_serialize_sql) and for a dry run on an empty table."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

# Read options of a file (file_formats.read_inbox_file); all optional.
READ_OPTIONS = {"delimiter", "encoding", "quote", "skip_rows", "decimal_comma"}


@dataclass(frozen=True)
class Lookup:
    """A small table in <data dir>/lookups/, joined to each file row: `alias.<column>` in an
    expression is the lookup's value for the row whose `key` equals `on` (an expression)."""

    alias: str
    file: str
    key: str
    on: str


@dataclass(frozen=True)
class RowVariant:
    """One contract row made from each file row where `when` holds (None: always)."""

    when: str | None
    columns: dict[str, str]  # contract column: SQL expression


@dataclass(frozen=True)
class Language:
    """The parsed extension keys of one mapping; empty when it only renames."""

    expressions: dict[str, str] = field(default_factory=dict)
    filter: str | None = None
    rows: tuple[RowVariant, ...] = ()
    lookups: tuple[Lookup, ...] = ()
    read: dict[str, object] = field(default_factory=dict)
    timezone: str | None = None
    values_ignore_case: bool = False
    value_defaults: dict[str, str] = field(default_factory=dict)
    header: tuple[str, ...] = ()
    custom_fields: dict[str, str] = field(default_factory=dict)  # field name: file column

    @property
    def uses_engine(self) -> bool:
        return bool(self.expressions or self.filter or self.rows or self.lookups)

    def sql_texts(self) -> list[str]:
        texts = [*self.expressions.values(), *(lk.on for lk in self.lookups)]
        texts += [self.filter] if self.filter else []
        for variant in self.rows:
            texts += [*variant.columns.values(), *([variant.when] if variant.when else [])]
        return texts


def quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def column_expression(spec: object) -> tuple[str, bool]:
    """(SQL, is an expression) for a `columns:` entry: a file column's name, or
    {expr: SQL} / {value: constant}."""
    if isinstance(spec, dict):
        if set(spec) == {"expr"}:
            return str(spec["expr"]), True
        if set(spec) == {"value"}:
            return "'" + str(spec["value"]).replace("'", "''") + "'", True
        raise ValueError("a column is a file column's name, {expr: SQL} or {value: text}")
    return quoted(str(spec)), False


def referenced_columns(sql_texts: list[str], lookup_aliases: set[str]) -> list[str]:
    """The file columns the expressions read, as DuckDB's parser finds them (a lookup's
    `alias.column` is not a file column)."""
    if not sql_texts:
        return []
    select = "SELECT " + ", ".join(f"({t})" for t in sql_texts)
    con = duckdb.connect()
    try:
        tree = json.loads(con.execute("SELECT json_serialize_sql(?)", [select]).fetchone()[0])
    finally:
        con.close()
    if tree.get("error"):
        raise ValueError(f"not a valid SQL expression: {tree.get('error_message', '')}")
    found: list[str] = []
    _walk(tree, found, lookup_aliases)
    return list(dict.fromkeys(found))


def _walk(node: object, found: list[str], aliases: set[str]) -> None:
    if isinstance(node, dict):
        if node.get("class") == "COLUMN_REF":
            names = node["column_names"]
            if not (len(names) > 1 and names[0] in aliases):
                found.append(".".join(names))
        for value in node.values():
            _walk(value, found, aliases)
    elif isinstance(node, list):
        for value in node:
            _walk(value, found, aliases)


def lookup_path(mapping_path: Path, lookup: Lookup) -> Path:
    """<data dir>/lookups/<file>, beside the mappings folder."""
    return mapping_path.parent.parent / "lookups" / lookup.file
