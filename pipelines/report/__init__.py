"""The shared funnel report: one self-contained HTML file (inline CSS and SVG charts, no
JavaScript library, opens offline) built from the published marts.

    from pipelines.report import write_report
    write_report(data_dir / "published" / "funnel.duckdb", data_dir / "reports",
                 data_dir / "reports" / "last_run_checks.json")

Modules, one job each: `source` (read-only connection), `queries` (the SQL), `charts` (SVG),
`html` (tables, figures, the page), `markdown` (the glossary), `sections/` (one per section),
`build` (`write_report`); a run's check results come from `pipelines.quality.run_checks`.
"""

from pipelines.report.build import render_report, write_report

__all__ = ["render_report", "write_report"]
