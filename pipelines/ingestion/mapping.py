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
import re
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
import yaml

from pipelines.contract import SOURCES, Source

ALLOWED_KEYS = {"source", "files", "columns", "values", "timestamp_format", "constants"}


class MappingError(ValueError):
    """A mapping file is not valid; the message names the file, the line where known, and
    what is wrong."""

    def __init__(self, path: Path | str, reason: str | None = None, line: int | None = None):
        if reason is None:  # MappingError("<path>: <reason>"), the older form
            path, _, reason = str(path).partition(": ")
        self.path, self.reason, self.line = Path(path), reason, line
        super().__init__(f"{path}{f', line {line}' if line else ''}: {reason}")


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


@dataclass(frozen=True)
class MappingProblem:
    """A mapping file that is not valid. `source`: the source it maps, when that can be told
    (its files wait until it is fixed); None: it maps nothing, every source goes on."""

    path: Path
    line: int | None
    reason: str
    source: str | None

    @property
    def name(self) -> str:
        return f"mappings/{self.path.name}"

    def __str__(self) -> str:
        return f"{self.name}{f', line {self.line}' if self.line else ''}: {self.reason}"


class MappingSet(list):
    """The valid mappings, in file-name order (a list of ColumnMapping), and the problems of
    the mapping files that are not valid."""

    def __init__(self, mappings=(), problems=()):
        super().__init__(mappings)
        self.problems: list[MappingProblem] = list(problems)

    def problems_of(self, source: str) -> list[MappingProblem]:
        return [p for p in self.problems if p.source == source]


def load_mappings(directory: Path) -> MappingSet:
    """Every mapping file of the directory: a broken one is a problem of its own source, never
    an error that stops the others."""
    if not directory.is_dir():
        return MappingSet()
    paths = sorted([*directory.glob("*.yml"), *directory.glob("*.yaml")])
    mappings, problems = [], []
    for path in paths:
        try:
            mappings.append(load_mapping(path))
        except MappingError as error:
            problems.append(MappingProblem(path, error.line, error.reason, _declared_source(path)))
    return MappingSet(mappings, problems)


_SOURCE_LINE = re.compile(r"^source\s*:\s*[\"']?([A-Za-z_][A-Za-z0-9_]*)", re.MULTILINE)


def _declared_source(path: Path) -> str | None:
    """The source a broken mapping file names on a `source:` line, if it is one of ours."""
    try:
        match = _SOURCE_LINE.search(path.read_text(encoding="utf-8", errors="replace"))
    except OSError:
        return None
    return match.group(1) if match and match.group(1) in SOURCES else None


def load_mapping(path: Path) -> ColumnMapping:
    try:
        text = path.read_text(encoding="utf-8")
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        document = yaml.safe_load(text)
    except (OSError, UnicodeDecodeError) as exc:
        raise MappingError(path, f"cannot be read: {exc}") from exc
    except yaml.YAMLError as exc:
        raise _yaml_error(path, exc) from exc
    lines = _key_lines(node)
    if not isinstance(document, dict):
        raise MappingError(path, "expected a YAML mapping with 'source', 'files', 'columns'", 1)
    unknown = sorted(set(map(str, document)) - ALLOWED_KEYS)
    if unknown:
        raise MappingError(path, f"unknown key '{unknown[0]}'; allowed: {sorted(ALLOWED_KEYS)}",
                           lines.get((unknown[0],)))
    for key in ("source", "files", "columns"):
        if key not in document:
            raise MappingError(path, f"missing key '{key}'")
    source_name = str(document["source"])
    if source_name not in SOURCES:
        raise MappingError(path, f"source '{source_name}' is not one of {sorted(SOURCES)}",
                           lines.get(("source",)))
    source = SOURCES[source_name]
    columns = _string_dict(path, lines, ("columns",), document["columns"])
    constants = _string_dict(path, lines, ("constants",), document.get("constants") or {})
    for section, keys in (("columns", columns), ("constants", constants)):
        for key in keys:
            _check_contract_column(path, lines.get((section, key)), source, key)
    values_doc = document.get("values") or {}
    if not isinstance(values_doc, dict):
        raise MappingError(path, "'values' must map contract columns to value maps",
                           lines.get(("values",)))
    values = {}
    for column, value_map in values_doc.items():
        column = _text(column)
        _check_contract_column(path, lines.get(("values", column)), source, column)
        values[column] = _string_dict(path, lines, ("values", column), value_map)
    fmt = document.get("timestamp_format")
    return ColumnMapping(path, source_name, str(document["files"]), columns, values,
                         str(fmt) if fmt else None, constants)


def _yaml_error(path: Path, exc: yaml.YAMLError) -> MappingError:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    reason = f"not valid YAML: {problem}" + (f" ({context})" if context else "")
    return MappingError(path, reason, mark.line + 1 if mark else None)


def _key_lines(node, prefix: tuple[str, ...] = ()) -> dict[tuple[str, ...], int]:
    """(key, nested key, ...) -> the line the key is on, for the messages."""
    lines: dict[tuple[str, ...], int] = {}
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            path = (*prefix, _text(key.value))
            lines[path] = key.start_mark.line + 1
            lines.update(_key_lines(value, path))
    return lines


def _string_dict(path: Path, lines: dict, key: tuple[str, ...], value: object) -> dict[str, str]:
    if not isinstance(value, dict):
        raise MappingError(path, f"'{'.'.join(key)}' must be a mapping", lines.get(key))
    # YAML reads `yes`, `1` or `true` as non-strings; the contract compares text.
    return {_text(k): _text(v) for k, v in value.items()}


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _check_contract_column(path: Path, line: int | None, source: Source, column: str) -> None:
    if column not in source.columns:
        raise MappingError(
            path, f"'{column}' is not a column of the {source.name} contract "
            f"(expected one of {list(source.columns)})", line)


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
