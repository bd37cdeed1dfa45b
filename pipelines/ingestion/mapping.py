"""Declarative column mappings: how a real export (HubSpot, Salesforce, GA4...) maps onto the
contract, without code. Public format, documented in the README:

    source: contacts                 # which source this maps onto
    files: "crm_export_*.csv"        # glob, relative to inbox/<source>/
    columns: {contact_id: "Record ID", created_at: "Create Date"}   # contract: file column
    values: {original_source: {ORGANIC_SEARCH: organic_search}}     # optional
    timestamp_format: "%Y-%m-%d %H:%M:%S"                           # optional
    constants: {stage: closed_won}                                  # optional
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
import yaml

from pipelines.contract import SOURCES, Source

ALLOWED_KEYS = {"source", "files", "columns", "values", "timestamp_format", "constants"}


class MappingError(ValueError):
    """A mapping file is not valid; the message names the file and the key."""


@dataclass(frozen=True)
class ColumnMapping:
    path: Path
    source: str
    files: str
    columns: dict[str, str]
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    timestamp_format: str | None = None
    constants: dict[str, str] = field(default_factory=dict)

    def matches(self, source: str, relative_path: str) -> bool:
        return source == self.source and fnmatch.fnmatch(relative_path, self.files)

    @property
    def file_columns(self) -> list[str]:
        return list(dict.fromkeys(self.columns.values()))


def load_mappings(directory: Path) -> list[ColumnMapping]:
    if not directory.is_dir():
        return []
    paths = sorted([*directory.glob("*.yml"), *directory.glob("*.yaml")])
    return [load_mapping(p) for p in paths]


def load_mapping(path: Path) -> ColumnMapping:
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError, UnicodeDecodeError) as exc:
        raise MappingError(f"{path}: cannot be read as YAML: {exc}") from exc
    if not isinstance(document, dict):
        raise MappingError(f"{path}: expected a YAML mapping with 'source', 'files', 'columns'")
    unknown = set(document) - ALLOWED_KEYS
    if unknown:
        raise MappingError(f"{path}: unknown key(s) {sorted(unknown)}; allowed: {sorted(ALLOWED_KEYS)}")
    for key in ("source", "files", "columns"):
        if key not in document:
            raise MappingError(f"{path}: missing key '{key}'")
    source_name = str(document["source"])
    if source_name not in SOURCES:
        raise MappingError(f"{path}: source '{source_name}' is not one of {sorted(SOURCES)}")
    source = SOURCES[source_name]
    columns = _string_dict(path, "columns", document["columns"])
    constants = _string_dict(path, "constants", document.get("constants") or {})
    for key in (*columns, *constants):
        _check_contract_column(path, source, key)
    values_doc = document.get("values") or {}
    if not isinstance(values_doc, dict):
        raise MappingError(f"{path}: 'values' must map contract columns to value maps")
    values = {}
    for column, value_map in values_doc.items():
        _check_contract_column(path, source, str(column))
        values[str(column)] = _string_dict(path, f"values.{column}", value_map)
    fmt = document.get("timestamp_format")
    return ColumnMapping(path, source_name, str(document["files"]), columns, values,
                         str(fmt) if fmt else None, constants)


def _string_dict(path: Path, key: str, value: object) -> dict[str, str]:
    if not isinstance(value, dict):
        raise MappingError(f"{path}: '{key}' must be a mapping")
    # YAML reads `yes`, `1` or `true` as non-strings; the contract compares text.
    return {_text(k): _text(v) for k, v in value.items()}


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _check_contract_column(path: Path, source: Source, column: str) -> None:
    if column not in source.columns:
        raise MappingError(
            f"{path}: '{column}' is not a column of the {source.name} contract "
            f"(expected one of {list(source.columns)})"
        )


def mapping_for(source: str, relative_path: str, mappings: list[ColumnMapping]) -> ColumnMapping | None:
    """The first mapping (in file-name order) whose glob matches the file."""
    return next((m for m in mappings if m.matches(source, relative_path)), None)


def apply_mapping(frame: pl.DataFrame, mapping: ColumnMapping, keep: list[str]) -> pl.DataFrame:
    """Rename the file's columns to contract columns; a file column may feed several contract
    columns. File columns the mapping does not name are dropped; `keep` columns pass through."""
    selected = [
        pl.col(file_column).alias(contract_column)
        for contract_column, file_column in mapping.columns.items()
        if file_column in frame.columns
    ]
    constants = [pl.lit(value, dtype=pl.String).alias(c) for c, value in mapping.constants.items()]
    mapped = frame.select(*selected, *constants, *[pl.col(k) for k in keep])
    for column, value_map in mapping.values.items():
        if column in mapped.columns:
            as_text = pl.col(column).cast(pl.String).str.strip_chars()
            mapped = mapped.with_columns(as_text.replace(value_map).alias(column))
    return mapped
