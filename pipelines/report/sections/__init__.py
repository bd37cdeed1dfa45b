"""The report's sections, one module each. Every section is a function
`build(marts, context) -> str` returning one `<section>`; a section whose marts are not built
says so instead of failing (the alignment marts arrive after the core ones)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path


@dataclass
class Context:
    as_of: date | None = None            # last day with data in mart_funnel_daily
    checks: dict | None = None           # last_run_checks.json, if any
    checks_path: Path | None = None
    glossary_path: Path | None = None
    notes: list[str] = field(default_factory=list)
