"""Which batch a user means by FILE_OR_HASH (`funnel retract`, `funnel replay`), and where its
file is in the inbox today."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

from pipelines.ingestion.batches import Batch, list_batches
from pipelines.ingestion.ingest import file_sha256, list_inbox_files


class BatchError(ValueError):
    """A retract or replay that cannot be done; the message says what to do instead."""


def find_batch(con: duckdb.DuckDBPyConnection, target: str, inbox: Path) -> Batch:
    """The one batch `target` names: a ledger path (`contacts/day3.csv`), a path to a file in
    the inbox or elsewhere, or a prefix of the file hash."""
    batches = list_batches(con)
    named = [b for b in batches if b.file_path == target]
    candidate = Path(target).expanduser()
    if not named and candidate.resolve().is_relative_to(inbox):
        relative = candidate.resolve().relative_to(inbox).as_posix()
        named = [b for b in batches if b.file_path == relative]
    if not named and re.fullmatch(r"[0-9a-fA-F]{4,64}", target):
        named = [b for b in batches if b.file_hash.startswith(target.lower())]
    if not named and candidate.is_file():
        digest = file_sha256(candidate)
        named = [b for b in batches if b.file_hash == digest]
    if not named:
        raise BatchError(f"no ingested batch is named {target!r}: give its ledger path "
                         "(e.g. contacts/day3.csv), a file path or a hash prefix "
                         "(`funnel batches` lists them)")
    if len(named) > 1:
        hashes = ", ".join(b.short_hash for b in named)
        raise BatchError(f"{target!r} names {len(named)} batches ({hashes}): give one of "
                         "these hashes instead")
    return named[0]


def locate_inbox_file(batch: Batch, inbox: Path) -> tuple[Path, str]:
    """The inbox file holding the batch's content: at its ledger path, or else under another
    name in its source's folder. (path, path relative to the source's folder)."""
    folder = inbox / batch.source
    relative = batch.file_path.removeprefix(f"{batch.source}/")
    path = folder / relative
    if path.is_file() and file_sha256(path) == batch.file_hash:
        return path, relative
    for other in list_inbox_files(inbox, batch.source):
        if other != path and other.stat().st_size == batch.file_bytes \
                and file_sha256(other) == batch.file_hash:
            return other, other.relative_to(folder).as_posix()
    if path.is_file():
        raise BatchError(f"{path} holds other content than the batch {batch.short_hash} ingested "
                         "from it (that is a new batch, which `funnel run` ingests): put the "
                         "original file back to replay it")
    raise BatchError(f"{batch.file_path} ({batch.short_hash}) is no longer in the inbox "
                     f"({path}): put the file back to replay it, or `funnel retract "
                     f"{batch.short_hash}` to take it out")
