"""The ingested files (batches) as the ledger knows them: `funnel batches`, and the batches a
changed mapping file loaded under its older version (which `funnel run` names, with the way to
replay them).

Which mapping loaded a batch is the mapping file's name and the sha256 of its bytes at the time
(ledger `mapping_file`, `mapping_digest`). A batch is stale when that file still exists under
the same name in <data dir>/mappings/ with other bytes today.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb
import yaml

from pipelines.ingestion.raw_store import LEDGER, LEDGER_TABLE, raw_table_names

SHORT_HASH = 12  # characters of the file hash shown; any unique prefix names a batch


def mapping_digest(path: Path | None) -> str | None:
    """The digest the ledger records for the mapping file that loads a batch: of its bytes,
    and of the lookup files it names (a lookup is part of its mapping's version)."""
    if path is None:
        return None
    data = path.read_bytes()
    if b"lookups" not in data:
        return hashlib.sha256(data).hexdigest()
    try:
        document = yaml.safe_load(data) or {}
        files = sorted(str(spec["file"]) for spec in (document.get("lookups") or {}).values())
    except (yaml.YAMLError, AttributeError, KeyError, TypeError):
        return hashlib.sha256(data).hexdigest()
    digest = hashlib.sha256(data)
    for name in files:
        lookup = path.parent.parent / "lookups" / name
        digest.update(name.encode() + (lookup.read_bytes() if lookup.is_file() else b"(missing)"))
    return digest.hexdigest()


@dataclass(frozen=True)
class Batch:
    """One ledger row: an ingested file."""

    file_hash: str
    source: str
    file_path: str
    file_bytes: int
    status: str  # loaded | unreadable | retracted
    rows_read: int
    rows_loaded: int
    rows_rejected: int
    rows_repeated: int
    ingested_at: datetime
    mapping_file: str | None
    mapping_digest: str | None
    retracted_at: datetime | None
    replayed_at: datetime | None

    @property
    def short_hash(self) -> str:
        return self.file_hash[:SHORT_HASH]

    @property
    def mapping_name(self) -> str | None:
        # Older ledgers hold the mapping's whole path for unreadable files.
        return Path(self.mapping_file).name if self.mapping_file else None

    def is_stale(self, mapping_digests: dict[str, str]) -> bool:
        """Loaded under an older version of a mapping file that exists today (`mapping_digests`:
        today's, from current_mapping_digests)."""
        if self.status == "retracted" or not self.mapping_name or not self.mapping_digest:
            return False
        today = mapping_digests.get(self.mapping_name)
        return today is not None and today != self.mapping_digest


def current_mapping_digests(mappings_dir: Path) -> dict[str, str]:
    """File name -> digest of each mapping file in the mappings folder today."""
    if not mappings_dir.is_dir():
        return {}
    return {path.name: mapping_digest(path) for path in sorted(mappings_dir.iterdir())
            if path.is_file() and path.suffix in (".yml", ".yaml")}


_COLUMNS = ("file_hash", "source", "file_path", "file_bytes", "status", "rows_read", "rows_loaded",
            "rows_rejected", "rows_repeated", "ingested_at", "mapping_file", "mapping_digest",
            "retracted_at", "replayed_at")


def list_batches(con: duckdb.DuckDBPyConnection, source: str | None = None,
                 where: str = "", params: list | None = None) -> list[Batch]:
    """The ledger's batches in order of arrival (per source), optionally of one source and
    matching an extra SQL condition."""
    if LEDGER_TABLE not in raw_table_names(con):
        return []
    present = {c for (c,) in con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = 'raw' "
        "AND table_name = ?", [LEDGER_TABLE]).fetchall()}
    # A ledger from before a column existed, opened read-only (not upgraded yet).
    select = ", ".join(c if c in present else f"NULL AS {c}" for c in _COLUMNS)
    conditions = [c for c in ("source = ?" if source else "", where) if c]
    rows = con.execute(
        f"SELECT {select} FROM {LEDGER} "
        + (f"WHERE {' AND '.join(conditions)} " if conditions else "")
        + "ORDER BY source, ingested_at, file_path",
        ([source] if source else []) + (params or []),
    ).fetchall()
    return [Batch(*row) for row in rows]


def stale_mapping_notes(con: duckdb.DuckDBPyConnection, mappings_dir: Path) -> list[str]:
    """One line per source and changed mapping file: how many batches it loaded under its older
    version, and how to load them with today's (for `funnel run` and `funnel batches`)."""
    stale: dict[tuple[str, str], list[Batch]] = {}
    digests = current_mapping_digests(mappings_dir)
    for batch in list_batches(con):
        if batch.is_stale(digests):
            stale.setdefault((batch.source, batch.mapping_name), []).append(batch)
    notes = []
    for (source, mapping), batches in sorted(stale.items()):
        example = batches[0].file_path if len(batches) == 1 else "FILE"
        notes.append(f"{len(batches)} batch(es) of {source} were loaded with an older version of "
                     f"mappings/{mapping}: `funnel replay {example}` to load them with today's "
                     f"mapping (`funnel batches --source {source}` lists them)")
    return notes


def render_batches(batches: list[Batch], mappings_dir: Path) -> str:
    """`funnel batches`: a plain-text table, one line per batch."""
    if not batches:
        return "no batch ingested yet (files land in <data dir>/inbox/<source>/; `funnel run` ingests them)"
    header = ("source", "file", "hash", "ingested (UTC)", "read", "loaded", "rejected",
              "repeats", "status", "mapping")
    lines = [header]
    digests = current_mapping_digests(mappings_dir)
    for b in batches:
        mapping = b.mapping_name or "-"
        if b.is_stale(digests):
            mapping += " (changed since: stale)"
        lines.append((b.source, b.file_path, b.short_hash, _when(b.ingested_at),
                      f"{b.rows_read:,}", f"{b.rows_loaded:,}", f"{b.rows_rejected:,}",
                      f"{b.rows_repeated:,}", _status(b), mapping))
    numeric = {4, 5, 6, 7}
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    text = ["  ".join(cell.rjust(widths[i]) if i in numeric else cell.ljust(widths[i])
                      for i, cell in enumerate(line)).rstrip() for line in lines]
    retracted = sum(1 for b in batches if b.status == "retracted")
    text.append(f"{len(batches)} batch(es), {retracted} retracted")
    return "\n".join(text)


def _status(batch: Batch) -> str:
    if batch.status == "retracted":
        return f"retracted {_when(batch.retracted_at)}"
    if batch.replayed_at is not None:
        return f"{batch.status} (replayed {_when(batch.replayed_at)})"
    return batch.status


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment else "-"
