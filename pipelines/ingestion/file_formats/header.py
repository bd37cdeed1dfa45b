"""Which columns of a file's header can be used: a name that appears twice is never resolved
by silently keeping one of the copies."""

from __future__ import annotations

from dataclasses import dataclass, field

from pipelines.ingestion.file_formats.contents import UnreadableFileError


@dataclass
class HeaderColumns:
    keep: list[int]  # positions (0-based) of the usable columns
    names: list[str]  # their names, unique
    notes: list[str] = field(default_factory=list)


def usable_columns(names: list[str], wanted: list[str] | None) -> HeaderColumns:
    """The named, unique columns of a header. A name given to several columns refuses the
    file when the mapping or contract uses it (`wanted`; None: every column is used);
    otherwise those copies, like columns without a name, are ignored with a note."""
    positions: dict[str, list[int]] = {}
    for position, name in enumerate(names):
        positions.setdefault(name, []).append(position)
    unnamed = [p for p, name in enumerate(names) if not name.strip()]
    repeated = {n: p for n, p in positions.items() if len(p) > 1 and n.strip()}
    used = {n: p for n, p in repeated.items() if wanted is None or n in wanted}
    if used:
        raise UnreadableFileError(
            "the header names the same column more than once: "
            + "; ".join(f"'{n}' at {_columns(p)}" for n, p in used.items())
            + ". Rename or remove the copies and export the file again")
    notes = [f"the header names '{n}' at {_columns(p)}; the column is not used and was ignored"
             for n, p in repeated.items()]
    if unnamed:
        notes.append(f"{_columns(unnamed)} of the header {'has' if len(unnamed) == 1 else 'have'}"
                     " no name; the values there were ignored")
    keep = [p for p, name in enumerate(names) if p not in unnamed and name not in repeated]
    return HeaderColumns(keep, [names[p] for p in keep], notes)


def _columns(positions: list[int]) -> str:
    numbers = [str(p + 1) for p in positions]
    if len(numbers) == 1:
        return f"column {numbers[0]}"
    return f"columns {', '.join(numbers[:-1])} and {numbers[-1]}"
