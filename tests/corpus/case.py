"""What a corpus case is: one inbox file (its exact bytes), optionally a mapping, and what
ingestion must make of it, row by row. Cases are data; `check.py` holds the rules that
compare them with what ingestion did."""

from __future__ import annotations

from dataclasses import dataclass, field

# What can become of a file as a whole.
LOADED = "loaded"  # in the ledger as read: each row loaded, rejected or an exact repeat
UNREADABLE = "unreadable"  # in the ledger as unreadable, named with a file-level reason
IGNORED = "ignored"  # not in the ledger (left in the inbox), named in a message

# Spellings of a reason used by several groups of cases.
DUPLICATE_NAME = ("duplicate", "twice", "more than one", "more than once")


@dataclass(frozen=True)
class Reject:
    """A rejected line: the field named (None: the record as a whole) and its reason, which
    must contain one of the spellings (case-insensitive)."""

    field: str | None
    reason: tuple[str, ...]


def reject(field: str | None, *reason: str) -> Reject:
    return Reject(field, reason)


@dataclass(frozen=True)
class Said:
    """A message the user must see: one problem holding every word of `all_of` and one of
    `any_of`. It must also name the data file, or the mapping file when `of_mapping`."""

    all_of: tuple[str, ...] = ()
    any_of: tuple[str, ...] = ()
    of_mapping: bool = False


def said(*all_of: str, any_of: tuple[str, ...] = (), of_mapping: bool = False) -> Said:
    return Said(all_of, any_of, of_mapping)


@dataclass(frozen=True)
class Case:
    name: str
    source: str  # the inbox folder (a source name, or not)
    file: str  # the file's name in that folder
    data: bytes | None  # exact bytes; None: a symbolic link to nowhere
    outcomes: frozenset[str] = frozenset({LOADED})  # acceptable fates of the file
    refusal: Said | None = None  # what must be said when the file is unreadable or ignored
    rejected: dict[int, Reject] = field(default_factory=dict)  # line -> expected rejection
    may_reject: frozenset[int] = frozenset()  # lines that may be loaded or rejected
    said: tuple[Said, ...] = ()  # further messages, besides one per rejected line
    values: dict[int, dict[str, object]] = field(default_factory=dict)  # line -> loaded values
    repeats: int = 0  # exact repeats of earlier rows of the file
    spans: int = 0  # physical lines that continue a quoted field (not records of their own)
    mapping: str | None = None  # YAML written to <data dir>/mappings/<name>.yml
    nightly: bool = True  # also part of the end-to-end nights (False: it must not be left there)

    @property
    def display(self) -> str:
        """How ingestion's messages and ledger name the file."""
        return f"{self.source}/{self.file}"

    @property
    def mapping_file(self) -> str:
        return f"{self.name}.yml"
