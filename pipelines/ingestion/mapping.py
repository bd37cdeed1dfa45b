"""Declarative column mappings: how a real export (HubSpot, Salesforce, GA4...) maps onto the
contract, without code. Public format, documented in the README:

    source: contacts                 # which source this maps onto
    files: "crm_export_*.csv"        # glob, relative to inbox/<source>/
    columns: {contact_id: "Record ID", created_at: "Create Date"}   # contract: file column
    values: {original_source: {ORGANIC_SEARCH: organic_search}}     # optional
    timestamp_format: "%Y-%m-%d %H:%M:%S"                           # optional
    constants: {stage: closed_won}                                  # optional

and the expression keys of mapping_language.py (expressions, filter, rows, lookups, read,
timezone, values_ignore_case, value_defaults, header), documented in the same README section.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from pipelines.contract import CUSTOM_FIELDS, SOURCES, Source
from pipelines.ingestion.mapping_language import (
    READ_OPTIONS,
    Language,
    Lookup,
    RowVariant,
    column_expression,
    referenced_columns,
)

ALLOWED_KEYS = {"source", "files", "columns", "values", "timestamp_format", "constants",
                "filter", "rows", "lookups", "read", "timezone", "values_ignore_case",
                "value_defaults", "header", "custom_fields"}


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
    language: Language = field(default_factory=Language)
    expression_columns: tuple[str, ...] = ()  # the file columns its expressions read

    def matches(self, source: str, relative_path: str, header: list[str] | None = None) -> bool:
        """Its source, its glob, and (when it has a header signature) a header holding every
        column of the signature."""
        if source != self.source or not fnmatch.fnmatch(relative_path, self.files):
            return False
        return not self.language.header or (
            header is not None and set(self.language.header) <= set(header))

    @property
    def file_columns(self) -> list[str]:
        return list(dict.fromkeys([*self.columns.values(), *self.expression_columns,
                                   *self.language.custom_fields.values()]))


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
    if "header" in document:
        document.setdefault("files", "*")
    for key in ("source", "files", "columns"):
        if key not in document:
            raise MappingError(path, f"missing key '{key}'")
    source_name = str(document["source"])
    if source_name not in SOURCES:
        raise MappingError(path, f"source '{source_name}' is not one of {sorted(SOURCES)}",
                           lines.get(("source",)))
    source = SOURCES[source_name]
    columns, expressions = _columns(path, lines, ("columns",), document["columns"])
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
    language = _language(path, lines, document, source, expressions)
    try:
        used = referenced_columns(language.sql_texts(), {lk.alias for lk in language.lookups})
    except ValueError as exc:
        raise MappingError(path, str(exc)) from exc
    return ColumnMapping(path, source_name, str(document["files"]), columns, values,
                         str(fmt) if fmt else None, constants, language, tuple(used))


def _columns(path: Path, lines: dict, key: tuple[str, ...], value: object
             ) -> tuple[dict[str, str], dict[str, str]]:
    """(contract column: file column) for plain renames, (contract column: SQL) for the rest."""
    if not isinstance(value, dict):
        raise MappingError(path, f"'{'.'.join(key)}' must be a mapping", lines.get(key))
    plain, expressions = {}, {}
    for contract_column, spec in value.items():
        name = _text(contract_column)
        try:
            sql, is_expression = column_expression(spec)
        except ValueError as exc:
            raise MappingError(path, f"'{name}': {exc}", lines.get((*key, name))) from exc
        if is_expression:
            expressions[name] = sql
        else:
            plain[name] = _text(spec)
    return plain, expressions


def _custom_fields(path: Path, lines: dict, document: dict, source: Source) -> dict[str, str]:
    """`custom_fields: [Industry, "Lead Score"]` (fields named as their columns) or
    `{industry: Industry}` (field name: file column)."""
    spec = document.get("custom_fields")
    if not spec:
        return {}
    line = lines.get(("custom_fields",))
    _check_contract_column(path, line, source, CUSTOM_FIELDS)
    if isinstance(spec, list):
        spec = {_text(column): column for column in spec}
    if not isinstance(spec, dict):
        raise MappingError(path, "'custom_fields' lists file columns, or maps field names to "
                           "file columns", line)
    return {_text(name): _text(column) for name, column in spec.items()}


def _language(path: Path, lines: dict, document: dict, source: Source,
              expressions: dict[str, str]) -> Language:
    for column in expressions:
        _check_contract_column(path, lines.get(("columns", column)), source, column)
    rows = []
    for number, variant in enumerate(document.get("rows") or [], start=1):
        if not isinstance(variant, dict) or not set(variant) <= {"when", "columns"}:
            raise MappingError(path, f"rows, item {number}: expected 'when' and 'columns'",
                               lines.get(("rows",)))
        plain, exprs = _columns(path, lines, ("rows",), variant.get("columns") or {})
        for column in [*plain, *exprs]:
            _check_contract_column(path, lines.get(("rows",)), source, column)
        exprs.update({c: column_expression(f)[0] for c, f in plain.items()})
        rows.append(RowVariant(str(variant["when"]) if variant.get("when") else None, exprs))
    lookups = []
    for alias, spec in (document.get("lookups") or {}).items():
        if isinstance(spec, dict):  # YAML 1.1 reads an unquoted `on:` key as true
            spec = {("on" if k is True else k): v for k, v in spec.items()}
        if not isinstance(spec, dict) or not {"file", "key", "on"} <= set(spec):
            raise MappingError(path, f"lookup '{alias}': expected 'file', 'key' and 'on'",
                               lines.get(("lookups", str(alias))))
        on = column_expression(spec["on"])[0]
        lookups.append(Lookup(str(alias), str(spec["file"]), str(spec["key"]), on))
    read = document.get("read") or {}
    if not isinstance(read, dict) or not set(read) <= READ_OPTIONS:
        raise MappingError(path, f"'read' takes {sorted(READ_OPTIONS)}", lines.get(("read",)))
    defaults = _string_dict(path, lines, ("value_defaults",), document.get("value_defaults") or {})
    for column in defaults:
        _check_contract_column(path, lines.get(("value_defaults", column)), source, column)
    header = document.get("header") or []
    if not isinstance(header, list):
        raise MappingError(path, "'header' must list column names", lines.get(("header",)))
    zone = document.get("timezone")
    if zone:
        _check_timezone(path, lines.get(("timezone",)), str(zone))
    return Language(expressions, str(document["filter"]) if document.get("filter") else None,
                    tuple(rows), tuple(lookups), dict(read), str(zone) if zone else None,
                    bool(document.get("values_ignore_case")), defaults,
                    tuple(_text(h) for h in header), _custom_fields(path, lines, document, source))


def _check_timezone(path: Path, line: int | None, zone: str) -> None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise MappingError(path, f"unknown time zone '{zone}' (an IANA name, e.g. "
                           "Europe/Berlin)", line) from exc


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


def mapping_for(source: str, relative_path: str, mappings: list[ColumnMapping],
                header: list[str] | None = None) -> ColumnMapping | None:
    """The first mapping (in file-name order) whose glob, and header signature if it has one,
    match the file."""
    return next((m for m in mappings if m.matches(source, relative_path, header)), None)
