"""Preparing one inbox file for the raw layer: read it, map it, validate it. Never raises for
bad data: bad rows become rejected rows, and a file that cannot be read becomes an
"unreadable" ledger entry, so that the other files of its source still load. Used by each run
(ingest.py) and by a replay (retraction.py), so both read a file the same way."""

from __future__ import annotations

import fnmatch
import logging
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import polars as pl

from pipelines.contract import Source
from pipelines.ingestion import raw_store
from pipelines.ingestion.batches import mapping_digest
from pipelines.ingestion.file_formats import (
    LINE_COLUMN,
    UnreadableFileError,
    header_names,
    read_inbox_file,
)
from pipelines.ingestion.inbox import ledger_path
from pipelines.ingestion.mapping_apply import MappingExpressionError, apply_mapping
from pipelines.ingestion.validation import validate

log = logging.getLogger(__name__)

# How an unreadable file is worded in messages and in the ledger (problem_summary strips it).
UNREADABLE_PREFIX = "file could not be read and was not loaded: "


@dataclass
class Problem:
    """A message a person can act on: which file, which line, which field, what is wrong."""

    file: str
    line: int | None
    field: str | None
    message: str
    severity: str = "warning"  # warning: row kept or file noted; error: row or file rejected

    def __str__(self) -> str:
        where = self.file + (f", line {self.line}" if self.line is not None else "")
        where += f", field '{self.field}'" if self.field else ""
        return f"{where}: {self.message}"


@dataclass
class FileReport:
    """What preparing one file found, for the run's messages."""

    problems: list[Problem] = field(default_factory=list)
    unknown_values: dict[str, dict[str, int]] = field(default_factory=dict)


def empty_valid(source: Source) -> pl.DataFrame:
    """No rows, with the columns and types of prepared rows."""
    return validate(pl.DataFrame(schema={LINE_COLUMN: pl.Int64}), source).valid.with_columns(
        pl.lit(None, dtype=pl.String).alias("_file_hash"),
        pl.lit(None, dtype=pl.String).alias("_source_file"),
        pl.lit(None, dtype=pl.Int64).alias("_file_order"),
    )



def prepare_file(path: Path, relative: str, digest: str, source: Source, mappings,
                 result: FileReport, now: datetime | None = None):
    """Read, map and validate one file. Returns its valid rows (with lineage columns) and its
    ledger entry. Never raises: bad rows become rejected rows, and a file that cannot be read,
    whatever the reason, becomes an "unreadable" ledger entry naming the file and the error,
    so that the other files of the source still load."""
    display = ledger_path(source.name, relative)
    mapping = choose_mapping(path, relative, source.name, mappings)
    try:
        return _read_map_validate(path, display, digest, source, mapping, result, now)
    except (UnreadableFileError, MappingExpressionError) as exc:
        message = f"{UNREADABLE_PREFIX}{exc}"
    except Exception as exc:  # noqa: BLE001 - one bad file must not stop its source's step
        log.exception("%s: unexpected error while reading the file", display)
        message = (f"{UNREADABLE_PREFIX}unexpected {type(exc).__name__}: "
                   f"{exc} (the other files of {source.name} were loaded; please report this)")
    result.problems[:] = [Problem(display, None, None, message, "error")]
    result.unknown_values.clear()
    log.error("%s: %s", display, message)
    try:
        stat = path.stat()
    except OSError:  # gone since it was listed: the ledger entry says why it was not loaded
        stat = None
    return None, raw_store.FileBatch.unreadable(
        digest, display, path.suffix.lstrip("."), stat.st_size if stat else 0,
        mapping.path.name if mapping else None, message, stat.st_mtime_ns if stat else None,
        mapping_digest(mapping and mapping.path))


def choose_mapping(path: Path, relative: str, source: str, mappings):
    """The mapping of a file: by its name, and by its header for mappings with a signature
    (the header is read only when the source has such a mapping, with that mapping's read
    options: the rows it skips, its encoding and delimiter)."""
    headers: dict[str, list[str] | None] = {}

    def header_for(mapping) -> list[str] | None:
        if not mapping.language.header:
            return None
        key = repr(sorted(mapping.language.read.items()))
        if key not in headers:
            headers[key] = header_names(path, mapping.language.read)
        return headers[key]

    for mapping in mappings:  # in file-name order, the first that matches (mapping_for)
        if mapping.source == source and fnmatch.fnmatch(relative, mapping.files) \
                and mapping.matches(source, relative, header_for(mapping)):
            return mapping
    return None


def _read_map_validate(path, display, digest, source, mapping, result, now):
    stat = path.stat()
    wanted = mapping.file_columns if mapping else list(source.columns)
    contents = read_inbox_file(path, columns=wanted,
                               options=mapping.language.read if mapping else None)
    result.problems.extend(Problem(display, None, None, note) for note in contents.notes)
    frame = contents.frame
    filtered = derived = 0
    if mapping:
        if mapping.language.header:
            result.problems.append(Problem(display, None, None,
                                           f"recognised by mapping {mapping.path.name} (its header)",
                                           "info"))
        mapped = apply_mapping(frame, mapping, keep=[LINE_COLUMN])
        frame, filtered, derived = mapped.frame, mapped.filtered, mapped.derived
        if filtered:
            result.problems.append(Problem(display, None, None,
                                           f"{filtered} row(s) left out by mapping {mapping.path.name} "
                                           "(its filter or row conditions)", "info"))
        missing = [c for c in mapping.file_columns if c not in contents.columns]
        for column in missing:
            result.problems.append(Problem(display, None, column,
                                           f"column named by mapping {mapping.path.name} is not in the file"))
    else:
        extra = [c for c in contents.columns if c not in source.columns]
        for column in extra:
            result.problems.append(Problem(
                display, None, column,
                f"column is not in the {source.name} contract and was ignored "
                f"(add a mapping in mappings/ to use it)"))
        frame = frame.select([c for c in frame.columns if c in source.columns or c == LINE_COLUMN])
    if contents.records_read == 0:
        result.problems.append(Problem(display, None, None, "file holds no rows"))

    checked = validate(frame, source, mapping.timestamp_format if mapping else None, now,
                       mapping.language.timezone if mapping else None)
    rejected = pl.concat([
        checked.rejected.rename({LINE_COLUMN: "line_number"}).select(
            "line_number", "field", "reason", "raw_record"),
        contents.unparseable_frame(),
    ]).sort("line_number")
    for row in rejected.head(50).iter_rows(named=True):
        result.problems.append(Problem(display, row["line_number"], row["field"],
                                       f"row rejected: {row['reason']}", "error"))
    if rejected.height > 50:
        result.problems.append(Problem(display, None, None,
                                       f"{rejected.height - 50} more rows rejected (see raw.{source.name}_rejected)",
                                       "error"))
    for column, values in checked.unknown_values.items():
        for value, count in values.items():
            result.unknown_values.setdefault(column, {})
            result.unknown_values[column][value] = result.unknown_values[column].get(value, 0) + count
            result.problems.append(Problem(display, None, column,
                                           f"{count} row(s) with unknown value '{value}' kept"))
    result.problems.extend(_version_conflicts(display, source, checked.conflicting_versions))
    valid = checked.valid.with_columns(
        pl.lit(digest).alias("_file_hash"),
        pl.lit(display).alias("_source_file"),
    )
    batch = raw_store.FileBatch(digest, display, contents.file_format, stat.st_size,
                                str(mapping.path.name) if mapping else None,
                                contents.records_read, rejected, file_mtime_ns=stat.st_mtime_ns,
                                lines_counted=contents.lines_counted,
                                continuation_lines=contents.continuation_lines,
                                mapping_digest=mapping_digest(mapping and mapping.path),
                                rows_filtered=filtered, rows_derived=derived)
    return valid, batch


MAX_CONFLICTS_NAMED = 20


def _version_conflicts(display: str, source: Source, conflicts) -> list[Problem]:
    """A warning per version given twice with different contents in one file."""
    problems = []
    for values, lines in conflicts[:MAX_CONFLICTS_NAMED]:
        named = ", ".join(f"{c} '{v}'" for c, v in zip(source.version_columns, values, strict=True))
        problems.append(Problem(display, lines[-1], ", ".join(source.key_columns),
                                f"two versions of {named} conflict in this file (lines "
                                f"{', '.join(map(str, lines))}): both are kept, the later line wins"))
    if len(conflicts) > MAX_CONFLICTS_NAMED:
        problems.append(Problem(display, None, ", ".join(source.key_columns),
                                f"{len(conflicts) - MAX_CONFLICTS_NAMED} more conflicting versions"))
    return problems

