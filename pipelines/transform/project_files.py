"""The files of the dbt project whose content defines what dbt builds. Standard library only:
the build-state digest reads them without loading dbt or Dagster."""

from __future__ import annotations

from pathlib import Path


def project_source_files(root: Path) -> list[Path]:
    """The files whose content defines what dbt builds (not target/, logs/), sorted."""
    sources = [p for p in (root / "dbt_project.yml", root / "profiles.yml") if p.is_file()]
    for folder in ("models", "seeds", "macros", "tests"):
        sources.extend(sorted(p for p in (root / folder).rglob("*") if p.is_file()))
    return sources
