"""What is in the inbox: the files ingestion reads, and every file it leaves alone, with why.

`inbox/<source>/**` holds the batches of a source. A file there is read unless it is hidden
(a name starting with a dot, or inside a hidden folder: uploads in progress stay silent), a
symbolic link to nothing, not a regular file (a pipe would block the read) or of an unknown
type. Anything else at the top of the inbox (a folder that is not a source, a loose file) is
ignored too. Ignored files are named in the run's output, never skipped without a word.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path

from pipelines.contract import SOURCES
from pipelines.ingestion.file_formats import UnreadableFileError, detect_format
from pipelines.ingestion.mapping import ColumnMapping, MappingProblem, mapping_for


def ledger_path(source: str, relative: str) -> str:
    """How the ledger and messages name a file: `<source>/<path within the source's folder>`."""
    return f"{source}/{relative}"


@dataclass(frozen=True)
class IgnoredFile:
    path: str  # relative to the inbox: `web_visits/notes.xlsx`
    reason: str

    def __str__(self) -> str:
        return f"inbox/{self.path}: {self.reason}"


def repeated_content(path: str, first_path: str) -> IgnoredFile:
    """A file whose content is ingested already under another name (two empty daily exports,
    a renamed copy): not loaded twice, named on every run until it is removed."""
    return IgnoredFile(path, f"same content as {first_path}, which is ingested already: "
                             "not loaded twice (remove the copy)")


@dataclass
class InboxScan:
    files: list[Path] = field(default_factory=list)  # to read, sorted
    ignored: list[IgnoredFile] = field(default_factory=list)


def _is_hidden(relative: Path) -> bool:
    return any(part.startswith(".") for part in relative.parts)


def _why_ignored(path: Path) -> str | None:
    if path.is_symlink() and not path.exists():
        return f"a symbolic link to {path.readlink()}, which does not exist"
    if not path.is_file():
        return None if path.is_dir() else "not a regular file"
    try:
        detect_format(path)
    except UnreadableFileError as error:
        return str(error)
    return None


def scan_source_folder(inbox: Path, source: str) -> InboxScan:
    """The files of `inbox/<source>/` to ingest, and those ignored (with the reason)."""
    folder = inbox / source
    scan = InboxScan()
    if not folder.is_dir():
        return scan
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if _is_hidden(relative):
            continue
        reason = _why_ignored(path)
        if reason:
            scan.ignored.append(IgnoredFile(f"{source}/{relative.as_posix()}", reason))
        elif path.is_file():
            scan.files.append(path)
    return scan


MAX_STRAYS_NAMED = 20


def stray_inbox_entries(inbox: Path) -> list[IgnoredFile]:
    """What sits at the top of the inbox outside the source folders: never read."""
    if not inbox.is_dir():
        return []
    strays = []
    for path in sorted(inbox.iterdir()):
        if path.name.startswith(".") or path.name in SOURCES and path.is_dir():
            continue
        if path.is_dir():
            close = difflib.get_close_matches(path.name.lower(), list(SOURCES), n=1)
            hint = f" (did you mean {close[0]}/?)" if close else ""
            reason = (f"in a folder that is not a source{hint}: files are read from "
                      f"inbox/<source>/, one of {', '.join(SOURCES)}")
            files = [f for f in sorted(path.rglob("*"))
                     if not _is_hidden(f.relative_to(inbox)) and not f.is_dir()]
            strays += [IgnoredFile(f.relative_to(inbox).as_posix(), reason)
                       for f in files[:MAX_STRAYS_NAMED]]
            if len(files) > MAX_STRAYS_NAMED:
                strays.append(IgnoredFile(f"{path.name}/", f"{len(files) - MAX_STRAYS_NAMED} "
                                          f"more files {reason}"))
            if not files:
                strays.append(IgnoredFile(f"{path.name}/", f"an empty folder that is not a "
                                          f"source{hint}"))
        else:
            strays.append(IgnoredFile(path.name, "not in a source folder: move it into "
                                      "inbox/<source>/ to have it read"))
    return strays


def held_back(source: str, relative: str, mappings: list[ColumnMapping],
              broken: list[MappingProblem]) -> IgnoredFile | None:
    """A new file that no valid mapping matches waits while a mapping file of its source is
    broken (it may have been that file's): loaded with contract names, its rows would be
    rejected or land in the wrong columns. It is not read and not put in the ledger."""
    if not broken or mapping_for(source, relative, mappings):
        return None
    names = " and ".join(p.name for p in broken)
    return IgnoredFile(ledger_path(source, relative), f"held back until {names} is fixed")
