"""`write_report`: the shared funnel report, one self-contained HTML file.

Read from the published marts (or the warehouse when nothing is published), read-only; write
`<out_dir>/funnel_report_<date>.html` and a copy `<out_dir>/latest.html`, each swapped in
atomically (a browser or a mail job reading the previous file never sees half a report).
"""

from __future__ import annotations

import logging
import os
import shutil
import traceback
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

from pipelines.quality.run_checks import FAILED, WARNED, check_status, load_last_checks
from pipelines.report import html as h
from pipelines.report import queries
from pipelines.report.sections import (
    Context,
    attribution,
    checks,
    follow_up,
    glossary,
    lifecycle,
    metrics,
    pipeline,
    quality,
    targets,
)
from pipelines.report.source import Marts

log = logging.getLogger(__name__)

DEFAULT_GLOSSARY = Path(__file__).resolve().parents[2] / "dbt_project" / "models" / "glossary.md"
LATEST = "latest.html"
TITLE = "Funnel report: marketing and sales, one set of numbers"

SECTIONS = [  # (module, navigation label)
    (metrics, "Eight metrics"), (lifecycle, "Lifecycle funnel"), (quality, "Contact completeness"),
    (follow_up, "Lead follow-up"), (attribution, "Attribution"), (pipeline, "Pipeline"),
    (targets, "Targets"),
    (checks, "Data quality"), (glossary, "Glossary"),
]


def report_file_name(day: date) -> str:
    return f"funnel_report_{day.isoformat()}.html"


def _safe(build: Callable[[Marts, Context], str], module, m: Marts, ctx: Context) -> str:
    """One section; an unexpected error (a renamed column, say) spoils that section only."""
    try:
        return build(m, ctx)
    except Exception as error:  # noqa: BLE001 - one broken section must not lose the report
        log.error("report section %s failed:\n%s", module.ANCHOR, traceback.format_exc())
        return h.section(module.ANCHOR, module.TITLE,
                         f'<p class="section-error">This section could not be built: '
                         f"{h.esc(type(error).__name__)}: {h.esc(error)}</p>")


def _subtitle(m: Marts, ctx: Context, generated: datetime) -> str:
    if m.published:
        version = m.manifest.get("version")
        source = "the published marts" + (f" (version {h.esc(version)})" if version else "")
    else:
        source = "the working warehouse (not published yet)"
    parts = [f"Data through <strong>{ctx.as_of.isoformat()}</strong>" if ctx.as_of else "No data yet",
             f"from {source}", f"generated {generated.strftime('%Y-%m-%d %H:%M')} UTC"]
    if ctx.checks is not None:
        statuses = [check_status(c) for c in ctx.checks.get("checks", [])]
        warned = statuses.count(WARNED)
        status = "failed" if FAILED in statuses or not ctx.checks.get("success") else "passed"
        parts.append(f'last run <a href="#data-quality" style="color:inherit">{status}'
                     f"{f', {warned} warnings' if warned else ''}</a>")
    return " · ".join(parts)


def render_report(m: Marts, ctx: Context, generated: datetime | None = None) -> str:
    generated = generated or datetime.now(UTC)
    sections = [(module.ANCHOR, label, _safe(module.build, module, m, ctx)) for module, label in SECTIONS]
    footer = (f"Funnel warehouse · {h.esc(m.path)} · tables: {len(m.tables)} · "
              "every number is defined in the glossary above")
    return h.page(TITLE, _subtitle(m, ctx, generated), sections, footer)


def _write_atomically(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def write_report(warehouse_or_published_path: Path, out_dir: Path,
                 checks_path: Path | dict | None = None, *, report_date: date | None = None,
                 glossary_path: Path | None = None) -> Path:
    """Write the report and return its path.

    `warehouse_or_published_path`: `published/funnel.duckdb`, the `published/` folder, a data
    directory (its published copy is preferred) or `warehouse.duckdb`. `checks_path`: the last
    run's `last_run_checks.json`, or that document itself (see `pipelines.quality.run_checks`);
    missing: the data-quality section says no run is recorded. `report_date` names the file
    (default: today, UTC).
    """
    generated = datetime.now(UTC)
    day = report_date or generated.date()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    checks_document, checks_file = None, None
    if isinstance(checks_path, dict):
        checks_document = checks_path
    elif checks_path is not None:
        checks_file = Path(checks_path)
        try:
            checks_document = load_last_checks(checks_file)
        except (OSError, ValueError) as error:
            log.warning("cannot read %s: %s", checks_file, error)
    with Marts.open(Path(warehouse_or_published_path)) as m:
        ctx = Context(checks=checks_document, checks_path=checks_file,
                      glossary_path=glossary_path or DEFAULT_GLOSSARY)
        if m.has("mart_funnel_daily"):
            ctx.as_of = queries.as_of_date(m)
        document = render_report(m, ctx, generated)
    target = out_dir / report_file_name(day)
    _write_atomically(target, document)
    latest = out_dir / LATEST
    temporary = latest.with_name(f".{LATEST}.{uuid.uuid4().hex[:8]}")
    shutil.copyfile(target, temporary)
    os.replace(temporary, latest)
    return target
