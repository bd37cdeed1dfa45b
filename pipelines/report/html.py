"""HTML building blocks of the report: escaping, number formats, tables, figures, the page.

Everything is inline (CSS in a <style> element, charts as <svg>): the file opens offline.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from html import escape

Cell = object

DASH = "–"


def esc(value: object) -> str:
    return escape("" if value is None else str(value))


# ---- number formats (None or NaN shows as a dash) -------------------------------------------

def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def fmt_int(value) -> str:
    return DASH if _missing(value) else f"{value:,.0f}"


def fmt_num(value, digits: int = 1) -> str:
    return DASH if _missing(value) else f"{value:,.{digits}f}"


def fmt_amount(value) -> str:
    return DASH if _missing(value) else f"{value:,.0f}"


def fmt_pct(value, digits: int = 1) -> str:
    return DASH if _missing(value) else f"{value * 100:.{digits}f}%"


def fmt_date(value) -> str:
    if _missing(value):
        return DASH
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def fmt_month(value) -> str:
    return value.strftime("%Y-%m") if isinstance(value, date) else fmt_date(value)


def ratio(numerator, denominator):
    if _missing(numerator) or _missing(denominator) or not denominator:
        return None
    return numerator / denominator


def change(current, previous) -> str:
    """The period-over-period change as a relative percentage, with an arrow."""
    if _missing(current) or _missing(previous):
        return f'<span class="chg">{DASH}</span>'
    if previous == 0:
        return f'<span class="chg">{"new" if current else DASH}</span>'
    relative = (current - previous) / abs(previous)
    arrow = "▲" if relative > 0 else "▼" if relative < 0 else "■"
    kind = "up" if relative > 0 else "down" if relative < 0 else "flat"
    return f'<span class="chg {kind}">{arrow} {relative * 100:+.1f}%</span>'


def point_change(current, previous) -> str:
    """The change of a rate, in percentage points."""
    if _missing(current) or _missing(previous):
        return f'<span class="chg">{DASH}</span>'
    delta = (current - previous) * 100
    arrow = "▲" if delta > 0 else "▼" if delta < 0 else "■"
    kind = "up" if delta > 0 else "down" if delta < 0 else "flat"
    return f'<span class="chg {kind}">{arrow} {delta:+.1f} pt</span>'


# ---- tables -------------------------------------------------------------------------------

@dataclass
class Column:
    """A table column: header, how to get the cell from a row (a dict), how to format it.
    `raw` marks cells that are already HTML."""
    header: str
    key: str | Callable[[dict], object]
    fmt: Callable[[object], str] = esc
    numeric: bool = True
    raw: bool = False
    title: str = ""


def text(header: str, key, title: str = "") -> Column:
    return Column(header, key, esc, numeric=False, title=title)


def table(rows: Iterable[dict], columns: Sequence[Column], *, caption: str = "",
          css_class: str = "data", empty: str = "no rows", limit: int | None = None,
          total_rows: int | None = None, scroll: bool = False) -> str:
    """An HTML table of `rows` (dicts); `limit` rows at most (with a note saying how many
    there are: `total_rows`, else all the rows given); `scroll` boxes a long list."""
    rows = list(rows)
    if not rows:
        return f'<p class="empty">{esc(empty)}</p>'
    shown = rows[:limit] if limit else rows
    head = "".join(
        f'<th class="{"num" if c.numeric else "txt"}"{f" title={chr(34)}{esc(c.title)}{chr(34)}" if c.title else ""}>'
        f"{esc(c.header)}</th>" for c in columns)
    body = []
    for row in shown:
        cells = []
        for c in columns:
            value = c.key(row) if callable(c.key) else row.get(c.key)
            content = value if c.raw else c.fmt(value)
            cells.append(f'<td class="{"num" if c.numeric else "txt"}">{content}</td>')
        body.append(f"<tr>{''.join(cells)}</tr>")
    note = ""
    count = total_rows if total_rows is not None else len(rows)
    if count > len(shown):
        note = f'<p class="note">Showing {len(shown):,} of {count:,} rows.</p>'
    cap = f"<caption>{esc(caption)}</caption>" if caption else ""
    wrap = "table-wrap scroll" if scroll else "table-wrap"
    return (f'<div class="{wrap}"><table class="{css_class}">{cap}<thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(body)}</tbody></table></div>{note}")


# ---- figures and sections -----------------------------------------------------------------

def legend(items: Sequence[tuple[str, str]]) -> str:
    spans = "".join(f'<span><i style="background:{color}"></i>{esc(name)}</span>' for name, color in items)
    return f'<div class="legend">{spans}</div>'


def figure(chart_id: str, svg: str, caption: str, legend_items: Sequence[tuple[str, str]] = ()) -> str:
    """A chart: the element the browser test looks for is `figure.chart` with an <svg> inside."""
    return (f'<figure class="chart" id="{esc(chart_id)}">{svg}'
            f"{legend(legend_items) if legend_items else ''}"
            f"<figcaption>{caption}</figcaption></figure>")


def kpis(items: Sequence[tuple[str, str, str]]) -> str:
    """Headline numbers: (label, value, detail HTML)."""
    cards = "".join(f'<div class="kpi"><div class="kpi-label">{esc(label)}</div>'
                    f'<div class="kpi-value">{value}</div><div class="kpi-detail">{detail}</div></div>'
                    for label, value, detail in items)
    return f'<div class="kpis">{cards}</div>'


def not_built(*tables: str) -> str:
    names = ", ".join(f"<code>marts.{esc(t)}</code>" for t in tables)
    return (f'<p class="not-built">Not built: {names} is not in this warehouse yet '
            f"(the section appears once the model is built and published).</p>")


def section(anchor: str, title: str, body: str, intro: str = "") -> str:
    lead = f'<p class="intro">{intro}</p>' if intro else ""
    return f'<section id="{esc(anchor)}"><h2>{esc(title)}</h2>{lead}{body}</section>'


CSS = """
:root { --ink:#1d2733; --muted:#5b6775; --line:#e3e7ec; --bg:#f6f8fa; --accent:#4e79a7;
        --good:#2e7d32; --bad:#c62828; --warn:#b26a00; }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;
       color:var(--ink); background:var(--bg); }
header.top { background:#1d2733; color:#fff; padding:18px 28px; }
header.top h1 { margin:0 0 4px; font-size:22px; }
header.top p { margin:0; color:#c9d3de; }
nav.toc { background:#fff; border-bottom:1px solid var(--line); padding:8px 28px; position:sticky;
          top:0; z-index:2; display:flex; flex-wrap:wrap; gap:4px 16px; }
nav.toc a { color:var(--accent); text-decoration:none; font-weight:600; }
main { max-width:1280px; margin:0 auto; padding:8px 28px 40px; }
section { background:#fff; border:1px solid var(--line); border-radius:8px; padding:8px 22px 18px;
          margin:18px 0; }
section h2 { font-size:19px; margin:14px 0 6px; }
section h3 { font-size:15px; margin:18px 0 6px; }
p.intro, p.note, figcaption, p.empty { color:var(--muted); }
p.not-built, p.section-error { background:#fff6e5; border-left:4px solid var(--warn); padding:8px 12px; }
p.section-error { background:#fdecea; border-color:var(--bad); }
.grid { display:grid; grid-template-columns:repeat(auto-fit,minmax(520px,1fr)); gap:8px 22px; }
figure.chart { margin:8px 0 14px; }
figure.chart svg { width:100%; height:auto; display:block; }
figcaption { font-size:12.5px; margin-top:4px; }
.legend { display:flex; flex-wrap:wrap; gap:4px 12px; font-size:12px; color:var(--muted); margin-top:4px; }
.legend i { display:inline-block; width:10px; height:10px; border-radius:2px; margin-right:4px;
            vertical-align:-1px; }
.kpis { display:flex; flex-wrap:wrap; gap:10px; margin:10px 0; }
.kpi { border:1px solid var(--line); border-radius:6px; padding:8px 12px; min-width:150px; }
.kpi-label { color:var(--muted); font-size:12px; }
.kpi-value { font-size:20px; font-weight:650; }
.kpi-detail { font-size:12px; color:var(--muted); }
.table-wrap { overflow-x:auto; margin:6px 0 10px; }
.table-wrap.scroll { max-height:420px; overflow-y:auto; border:1px solid var(--line); }
table.data td.txt { max-width:560px; overflow-wrap:break-word; }
table { border-collapse:collapse; font-size:13px; }
table.data th, table.data td { padding:4px 9px; border-bottom:1px solid var(--line); }
table.data th { background:var(--bg); text-align:left; position:sticky; top:0; }
table.data td.num, table.data th.num { text-align:right; font-variant-numeric:tabular-nums; }
table.data tbody tr:hover { background:#f3f7fb; }
caption { text-align:left; color:var(--muted); padding:4px 0; }
.chg { white-space:nowrap; font-size:12px; }
.chg.up { color:var(--good); } .chg.down { color:var(--bad); } .chg.flat { color:var(--muted); }
.badge { display:inline-block; white-space:nowrap; padding:1px 8px; border-radius:10px; font-size:12px; font-weight:600; }
.badge.passed { background:#e6f4ea; color:var(--good); }
.badge.warned { background:#fff3d6; color:var(--warn); }
.badge.failed { background:#fdecea; color:var(--bad); }
.glossary table { border-collapse:collapse; margin:8px 0 14px; font-size:13px; }
.glossary th, .glossary td { border:1px solid var(--line); padding:5px 8px; vertical-align:top; text-align:left; }
.glossary th { background:var(--bg); }
code { background:#f0f2f5; padding:0 3px; border-radius:3px; font-size:12.5px; }
details > summary { cursor:pointer; color:var(--accent); font-weight:600; margin:8px 0; }
footer { color:var(--muted); font-size:12px; text-align:center; padding:16px; }
@media print { nav.toc { position:static; } section { break-inside:avoid-page; } }
"""


def page(title: str, subtitle: str, sections: Sequence[tuple[str, str, str]], footer: str) -> str:
    """The whole document. `sections`: (anchor, navigation label, section HTML)."""
    nav = "".join(f'<a href="#{esc(anchor)}">{esc(label)}</a>' for anchor, label, _ in sections)
    content = "\n".join(html for _, _, html in sections)
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title><style>{CSS}</style></head><body>"
        f'<header class="top"><h1>{esc(title)}</h1><p>{subtitle}</p></header>'
        f'<nav class="toc">{nav}</nav><main>{content}</main>'
        f"<footer>{footer}</footer></body></html>\n")
