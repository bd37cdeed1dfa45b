"""Reference computation of the contact of an opportunity or interaction (glossary: contact of
an opportunity or interaction), written from the glossary, independently of the dbt models:
its own contact_id; for interactions, else the contact owning its contact_email; else the
primary associated contact; else the earliest associated contact (created_at, a missing one
last, then contact_id); else none."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import polars as pl

TRUE_FLAGS = ("true", "t", "1", "yes", "y")


Rows = pl.DataFrame | Iterable[dict[str, Any]] | None


def _rows(rows: Rows) -> Iterable[dict[str, Any]]:
    if rows is None:
        return []
    return rows.iter_rows(named=True) if isinstance(rows, pl.DataFrame) else rows


def _latest_relations(associations: Rows) -> list[dict[str, Any]]:
    """The latest loaded version of each relation (greatest _source_file, then _source_line)."""
    latest: dict[tuple, dict[str, Any]] = {}
    for row in _rows(associations):
        key = (row["from_type"], row["from_id"], row["to_type"], row["to_id"])
        order = (row["_source_file"] or "", row["_source_line"] or 0)
        if key not in latest or order > latest[key][0]:
            latest[key] = (order, row)
    return [row for _, row in latest.values()]


def associated_contact(associations: Rows, object_type: str
                       ) -> dict[str, tuple[str, str]]:
    """object id -> (contact_id, basis) of the contact associations give it."""
    pairs: dict[tuple[str, str], list] = {}  # (object, contact) -> [is_primary, created_at]
    for row in _latest_relations(associations):
        if row["from_type"] == object_type and row["to_type"] == "contact":
            obj, contact = row["from_id"], row["to_id"]
        elif row["from_type"] == "contact" and row["to_type"] == object_type:
            obj, contact = row["to_id"], row["from_id"]
        else:
            continue
        primary = str(row["is_primary"] or "").strip().lower() in TRUE_FLAGS
        entry = pairs.setdefault((obj, contact), [False, None])
        entry[0] = entry[0] or primary
        created = row["created_at"]
        if created is not None and (entry[1] is None or created < entry[1]):
            entry[1] = created
    best: dict[str, tuple] = {}
    for (obj, contact), (primary, created) in pairs.items():
        rank = (not primary, created is None, created or datetime.min, contact)
        if obj not in best or rank < best[obj][0]:
            best[obj] = (rank, contact, "primary_association" if primary else "earliest_association")
    return {obj: (contact, basis) for obj, (_, contact, basis) in best.items()}


def contact_of(row: dict[str, Any], key: str, associated: dict[str, tuple[str, str]],
               email_owner: dict[str, str] | None = None) -> tuple[str | None, str]:
    """(contact_id, basis) of one opportunity or interaction row."""
    own = row.get("contact_id")
    own = own.strip() or None if isinstance(own, str) else own
    email = (row.get("contact_email") or "").strip().lower()
    if own is not None:
        return own, "own_id"
    if email_owner is not None and email in email_owner:
        return email_owner[email], "email"
    return associated.get(row[key], (None, "unknown"))


def resolve_contacts(records: pl.DataFrame, key: str, object_type: str, associations: Rows,
                     email_owner: dict[str, str] | None = None) -> pl.DataFrame:
    """`records` with contact_id replaced by the resolved contact and a contact_basis column."""
    associated = associated_contact(associations, object_type)
    contacts, bases = [], []
    for row in records.iter_rows(named=True):
        found = contact_of(row, key, associated, email_owner)
        contacts.append(found[0])
        bases.append(found[1])
    return records.with_columns(pl.Series("contact_id", contacts, dtype=pl.String),
                                pl.Series("contact_basis", bases, dtype=pl.String))
