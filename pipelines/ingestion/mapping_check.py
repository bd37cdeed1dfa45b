"""What the mappings would do to the inbox, before anything is loaded (`funnel mappings check`):
for each inbox file, the mapping that recognises it, the columns it finds and misses, its
rows as they would be loaded, and what would be rejected or filtered. It reads and maps each
file exactly as ingestion does (prepare.prepare_file) and writes nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from pipelines.contract import SOURCES
from pipelines.ingestion.file_formats import header_names
from pipelines.ingestion.inbox import ledger_path, scan_source_folder
from pipelines.ingestion.mapping import ColumnMapping, MappingProblem, load_mappings
from pipelines.ingestion.prepare import FileReport, choose_mapping, prepare_file

LINE = "_source_line"  # the file line of a prepared row
LINEAGE = ("_file_hash", "_source_file", "_file_order", LINE)


@dataclass
class FileCheck:
    path: str  # as the ledger names it: <source>/<file>
    mapping: str | None  # its file name, None: read by the contract's own column names
    by_header: bool
    columns_found: list[str] = field(default_factory=list)
    columns_missing: list[str] = field(default_factory=list)
    rows_read: int = 0
    rows_valid: int = 0
    rows_rejected: int = 0
    rows_filtered: int = 0
    sample: pl.DataFrame | None = None
    errors: list[str] = field(default_factory=list)  # unreadable, rejected rows
    notes: list[str] = field(default_factory=list)  # unknown values, ignored columns

    @property
    def unreadable(self) -> bool:
        return self.sample is None


@dataclass
class MappingsCheck:
    files: list[FileCheck]
    idle_mappings: list[str]  # valid mappings no inbox file uses
    broken_mappings: list[MappingProblem]

    @property
    def ok(self) -> bool:
        return not self.broken_mappings and not any(
            f.unreadable or f.columns_missing or f.errors for f in self.files)


def check_mappings(inbox: Path, mappings_dir: Path, sources: list[str] | None = None,
                   sample_rows: int = 5) -> MappingsCheck:
    mappings = load_mappings(mappings_dir)
    files, used = [], set()
    for source_name in sources or list(SOURCES):
        for path in scan_source_folder(inbox, source_name).files:
            relative = path.relative_to(inbox / source_name).as_posix()
            check = _check_file(path, relative, source_name, mappings, sample_rows)
            check.errors += [f"waits, not loaded, until {problem.name} is fixed"
                             for problem in mappings.problems_of(source_name)]
            files.append(check)
            used.add(check.mapping)
    idle = [m.path.name for m in mappings if m.path.name not in used
            and (sources is None or m.source in sources)]
    broken = [p for p in mappings.problems if sources is None or p.source in (*sources, None)]
    return MappingsCheck(files, idle, broken)


def _check_file(path: Path, relative: str, source_name: str, mappings: list[ColumnMapping],
                sample_rows: int) -> FileCheck:
    source = SOURCES[source_name]
    mapping = choose_mapping(path, relative, source_name, mappings)
    check = FileCheck(ledger_path(source_name, relative), mapping and mapping.path.name,
                      bool(mapping and mapping.language.header))
    report = FileReport()
    valid, batch = prepare_file(path, relative, "0" * 64, source, mappings, report)
    check.rows_read, check.rows_filtered = batch.rows_read, batch.rows_filtered
    check.rows_rejected = batch.rows_rejected
    for problem in report.problems:
        if problem.message.endswith("is not in the file"):  # the reader's own finding
            check.columns_missing.append(problem.field)
        elif problem.severity == "error":
            check.errors.append(str(problem))
        elif problem.severity != "info":
            check.notes.append(str(problem))
    if mapping:
        check.columns_found = [c for c in mapping.file_columns if c not in check.columns_missing]
    else:
        header = header_names(path) or []
        check.columns_found = [c for c in source.columns if c in header]
    if valid is not None:
        check.rows_valid = valid.height
        sample = valid.head(sample_rows)
        filled = [c for c in sample.columns
                  if c not in LINEAGE and sample.height and sample[c].null_count() < sample.height]
        check.sample = sample.select(pl.col(LINE).alias("line"), *filled)
    return check


def render(result: MappingsCheck, verbose: bool = False) -> str:
    lines = []
    for check in result.files:
        how = (f"mapping {check.mapping}" + (" (by its header)" if check.by_header else "")
               if check.mapping else "no mapping: the contract's own column names")
        lines.append(f"{check.path}: {how}")
        if check.unreadable:
            lines += [f"  {error}" for error in check.errors]
            continue
        lines.append(f"  {check.rows_read} row(s) read: {check.rows_valid} would load, "
                     f"{check.rows_rejected} rejected, {check.rows_filtered} filtered")
        lines.append(f"  columns found: {', '.join(check.columns_found) or '-'}")
        if check.columns_missing:
            lines.append(f"  columns missing: {', '.join(check.columns_missing)}")
        shown = check.errors if verbose else check.errors[:5]
        lines += [f"  {error}" for error in shown]
        if len(check.errors) > len(shown):
            lines.append(f"  ... {len(check.errors) - len(shown)} more (--verbose)")
        lines += [f"  {note}" for note in (check.notes if verbose else check.notes[:5])]
        if check.sample is not None and check.sample.height:
            lines += ["  " + line for line in _table(check.sample).splitlines()]
    for name in result.idle_mappings:
        lines.append(f"mappings/{name}: recognises no file in the inbox")
    lines += [f"{problem} (its files wait until it is fixed)" for problem in result.broken_mappings]
    if not result.files:
        lines.append("the inbox holds no files")
    return "\n".join(lines)


def _table(frame: pl.DataFrame) -> str:
    """The sample rows, one line each: the columns the mapping filled (all-empty ones left
    out), as `column=value`."""
    return "\n".join(
        f"line {row.pop('line')}: " + ", ".join(f"{column}={value}" for column, value in row.items())
        for row in frame.iter_rows(named=True))
