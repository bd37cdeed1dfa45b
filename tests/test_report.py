"""The shared funnel report: built from the sample warehouse's published marts, one offline HTML
file, every section present, tolerant of marts not built yet; rendered in headless Chromium
(Debian's package) where every chart must draw with no console error."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from datetime import date, timedelta
from html import unescape
from pathlib import Path

import duckdb
import polars as pl
import pytest

from pipelines.report import charts, write_report
from pipelines.report.build import LATEST, report_file_name
from pipelines.report.markdown import docs_blocks, to_html
from pipelines.report.sections.metrics import derive

CHROMIUM = Path("/usr/bin/chromium")
REPORT_DAY = date(2026, 2, 1)
SECTIONS = ["metrics", "lifecycle", "quality", "follow-up", "attribution", "pipeline", "targets",
            "data-quality", "glossary"]
CHARTS = ["chart-visits", "chart-new-contacts", "chart-complete-contacts", "chart-completeness-rate",
          "chart-contact-source", "chart-opportunities", "chart-pipeline-amount", "chart-customers",
          "chart-revenue-won", "chart-site-interactions", "chart-sales-interactions",
          "chart-email-rates", "chart-lifecycle-funnel", "chart-mql-to-sql-by-channel",
          "chart-completeness-by-channel", "chart-missing-fields", "chart-follow-up-by-owner",
          "chart-ignored-by-channel", "chart-attribution", "chart-attribution-revenue",
          "chart-pipeline-waterfall", "chart-pipeline-by-stage", "chart-pipeline-coverage",
          "chart-velocity-by-channel", "chart-targets", "chart-checks"]


@pytest.fixture(scope="module")
def report(sample_data_dir, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("reports")
    return write_report(sample_data_dir / "published" / "funnel.duckdb", out,
                        sample_data_dir / "reports" / "last_run_checks.json", report_date=REPORT_DAY)


@pytest.fixture(scope="module")
def html(report) -> str:
    return report.read_text(encoding="utf-8")


def chart_ids(document: str) -> list[str]:
    return re.findall(r'<figure class="chart" id="([^"]+)"', document)


# ---- the file -----------------------------------------------------------------------------

def test_report_is_written_with_a_dated_name_and_latest(report):
    assert report.name == report_file_name(REPORT_DAY) == "funnel_report_2026-02-01.html"
    latest = report.parent / LATEST
    assert latest.read_bytes() == report.read_bytes()
    assert not [p for p in report.parent.iterdir() if p.name.startswith(".")], "temporary files left"
    assert 10_000 < report.stat().st_size < 3_000_000


def test_report_is_self_contained(html):
    """One file that opens offline: no external script, style sheet, image or font."""
    assert not re.search(r"""<(?:script|img|iframe|link)\b[^>]*\b(?:src|href)\s*=""", html, re.I)
    assert not re.search(r"""\b(?:src|href)\s*=\s*["']?(?:https?:)?//""", html, re.I)
    assert "@import" not in html and not re.search(r"url\(\s*['\"]?(?:https?:)?//", html)
    assert html.count("<style>") == 1


def test_every_section_and_chart_is_there(html):
    for anchor in SECTIONS:
        assert f'<section id="{anchor}">' in html
        assert f'href="#{anchor}"' in html, f"{anchor} missing from the navigation"
    assert chart_ids(html) == CHARTS
    assert len(set(chart_ids(html))) == len(chart_ids(html))
    assert 'class="section-error"' not in html
    assert 'class="not-built"' not in html, "every mart exists in the sample warehouse"
    assert 'data-empty="true"' not in html, "a chart of the sample has no data"


def test_glossary_is_included(html):
    glossary = html[html.index('<section id="glossary">'):]
    assert "<table>" in glossary
    for term in ("session", "channel", "original channel", "complete contact record", "visits"):
        assert term in glossary
    assert "{%" not in html and "{{" not in html


def test_headline_numbers_equal_an_independent_computation(sample_data_dir, html):
    """Last 7 days against the 7 before, recomputed with polars from the published Parquet."""
    daily = pl.read_parquet(sample_data_dir / "published" / "parquet" / "mart_funnel_daily.parquet")
    as_of = daily["metric_date"].max()
    last = daily.filter(pl.col("metric_date") > as_of - timedelta(days=7))
    previous = daily.filter(pl.col("metric_date").is_between(as_of - timedelta(days=13),
                                                             as_of - timedelta(days=7)))
    assert f"Data through <strong>{as_of.isoformat()}</strong>" in html
    for label, column in (("1 · visits (sessions)", "visits"), ("2 · new contacts", "new_contacts"),
                          ("5 · opportunities", "opportunities"),
                          ("8 · sales interactions", "sales_interactions")):
        now, before = last[column].sum(), previous[column].sum()
        card = re.search(rf'<div class="kpi-label">{re.escape(label)}</div>'
                         r'<div class="kpi-value">([^<]+)</div><div class="kpi-detail">(.*?)</div>', html)
        assert card, label
        assert card.group(1) == f"{now:,}"
        if before:
            assert f"{(now - before) / before * 100:+.1f}%" in card.group(2)
    rate = last["complete_contacts"].sum() / last["new_contacts"].sum()
    assert f'<div class="kpi-value">{rate * 100:.1f}%</div>' in html


def test_records_to_fix_match_the_contact_quality_mart(sample_data_dir, html):
    quality = pl.read_parquet(sample_data_dir / "published" / "parquet" / "mart_contact_quality.parquet")
    to_fix = quality.filter(~pl.col("is_complete") | pl.col("is_suspected_duplicate")).height
    assert f"Records to fix ({to_fix:,})" in html


def test_data_quality_section_reflects_the_last_run(sample_data_dir, html):
    document = json.loads((sample_data_dir / "reports" / "last_run_checks.json").read_text())
    section = html[html.index('<section id="data-quality">'):html.index('<section id="glossary">')]
    assert document["run_id"] in section
    passed = sum(1 for c in document["checks"] if c["passed"])
    assert f'<div class="kpi-label">passed</div><div class="kpi-value">{passed:,}</div>' in section
    for check in document["checks"]:
        if not check["passed"]:
            assert unescape(check["check"]) in unescape(section)


def _parquet(data_dir: Path, table: str) -> pl.DataFrame:
    return pl.read_parquet(data_dir / "published" / "parquet" / f"{table}.parquet")


def _kpi(section: str, label: str) -> str:
    card = re.search(rf'<div class="kpi-label">{re.escape(label)}</div>'
                     r'<div class="kpi-value">([^<]+)</div>', section)
    assert card, label
    return card.group(1)


def test_pipeline_figures_equal_the_marts(sample_data_dir, html):
    """The waterfall, the open pipeline, coverage and velocity, added up with polars from the
    published Parquet files."""
    section = html[html.index('<section id="pipeline">'):html.index('<section id="targets">')]
    waterfall = _parquet(sample_data_dir, "mart_pipeline_waterfall")
    month = waterfall["month"].max()
    latest = waterfall.filter(pl.col("month") == month).select(pl.col(pl.Float64).sum())
    for name in ("start", "created", "increased", "decreased", "won", "lost", "end"):
        shown = f"{latest[f'{name}_amount'][0]:,.0f}"
        sign = "" if name in ("start", "end") else ("+" if name in ("created", "increased") else "−")
        assert f"<title>{name}: {sign}{shown}</title>" in section, name
    assert f"<h3>Waterfall, {month:%Y-%m}</h3>" in section

    daily = _parquet(sample_data_dir, "mart_pipeline_daily")
    last = daily.filter(pl.col("metric_date") == daily["metric_date"].max())
    assert _kpi(section, "open pipeline") == f"{last['open_amount'].sum():,.0f}"
    assert _kpi(section, "weighted") == f"{last['weighted_amount'].sum():,.0f}"
    assert f"{last['open_opportunities'].sum():,} deals" in section

    coverage = _parquet(sample_data_dir, "mart_pipeline_coverage")
    current = coverage.filter(pl.col("month") == coverage["month"].max())
    quota, won = current["quota"].sum(), current["closed_won_amount"].sum()
    assert _kpi(section, "quota") == f"{quota:,.0f}"
    assert _kpi(section, "gap to quota") == f"{quota - won:,.0f}"
    expected = (f"{current['due_amount'].sum() / (quota - won):.2f}×" if quota > won else "–")
    assert _kpi(section, "coverage") == expected

    velocity = _parquet(sample_data_dir, "mart_sales_velocity")
    month = velocity["month"].max()
    by_channel = velocity.filter(pl.col("month") == month).group_by("channel").agg(
        won=pl.col("won_opportunities").sum(), lost=pl.col("lost_opportunities").sum(),
        amount=pl.col("won_amount").sum(), open=pl.col("open_opportunities").sum(),
        days=(pl.col("avg_cycle_days") * pl.col("won_opportunities")).sum())
    shown = 0
    for row in by_channel.filter(pl.col("won") > 0).iter_rows(named=True):
        rate = row["won"] / (row["won"] + row["lost"])
        value = row["open"] * rate * (row["amount"] / row["won"]) / (row["days"] / row["won"])
        assert f"<title>{row['channel']}: {value:,.0f}</title>" in section, row
        shown += 1
    assert shown >= 2


# ---- tolerance: marts not built yet, no run recorded ---------------------------------------

def _partial_warehouse(path: Path, source: Path, tables: list[str], where: str = "true") -> Path:
    con = duckdb.connect(str(path))
    try:
        con.execute("CREATE SCHEMA marts")
        if tables:
            con.execute(f"ATTACH '{source}' AS src (READ_ONLY)")
            for table in tables:
                con.execute(f"CREATE TABLE marts.{table} AS SELECT * FROM src.marts.{table} WHERE {where}")
            con.execute("DETACH src")
    finally:
        con.close()
    return path


def test_missing_marts_say_not_built(sample_data_dir, tmp_path):
    """Only the core marts: every alignment section says "not built" and the rest still draws."""
    database = _partial_warehouse(tmp_path / "warehouse.duckdb",
                                  sample_data_dir / "published" / "funnel.duckdb",
                                  ["mart_funnel_daily", "mart_contact_quality", "fct_sessions"])
    path = write_report(database, tmp_path / "reports", tmp_path / "missing.json", report_date=REPORT_DAY)
    document = path.read_text(encoding="utf-8")
    assert 'class="section-error"' not in document
    for table in ("mart_funnel_conversion", "mart_contact_quality_summary", "mart_lead_follow_up_summary",
                  "mart_lead_follow_up", "mart_attribution_by_channel", "mart_targets_vs_actuals",
                  "mart_pipeline_waterfall", "mart_pipeline_coverage"):
        assert f"Not built: <code>marts.{table}</code>" in document
    assert "No run recorded" in document
    assert "the working warehouse (not published yet)" in document
    assert "chart-visits" in document and "Records to fix" in document


def test_an_empty_warehouse_gives_a_report_of_not_built_sections(tmp_path):
    database = _partial_warehouse(tmp_path / "empty.duckdb", tmp_path, [])
    document = write_report(database, tmp_path / "reports", None).read_text(encoding="utf-8")
    assert 'class="section-error"' not in document
    assert document.count('class="not-built"') >= 7
    assert chart_ids(document) == []


def test_marts_without_rows_give_a_report_without_errors(sample_data_dir, tmp_path):
    published = sample_data_dir / "published" / "funnel.duckdb"
    with duckdb.connect(str(published), read_only=True) as con:
        tables = [r[0] for r in con.sql("SELECT table_name FROM information_schema.tables "
                                        "WHERE table_schema = 'marts'").fetchall()]
    database = _partial_warehouse(tmp_path / "empty_marts.duckdb", published, tables, "false")
    document = write_report(database, tmp_path / "reports", None).read_text(encoding="utf-8")
    assert 'class="section-error"' not in document and 'class="not-built"' in document  # no run
    assert "No data yet" in document


def test_a_data_directory_reads_its_published_copy(sample_data_dir, tmp_path):
    document = write_report(sample_data_dir, tmp_path, None, report_date=REPORT_DAY).read_text()
    assert "from the published marts" in document


def test_a_missing_database_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="run `funnel run` first"):
        write_report(tmp_path / "nowhere", tmp_path / "reports", None)


def test_checks_of_a_dagster_run_feed_the_data_quality_section(sample_data_dir, tmp_path):
    """Inside the nightly run the report takes the run's own check results from Dagster."""
    import dagster as dg

    from pipelines.quality.run_checks import from_instance
    from pipelines.settings import FunnelSettings

    @dg.asset(key=["raw", "contacts"])
    def contacts():
        return 1

    @dg.asset_check(asset=contacts, blocking=False)
    def too_many_rejected():
        return dg.AssetCheckResult(passed=False, severity=dg.AssetCheckSeverity.WARN,
                                   metadata={"rows_rejected": 7})

    @dg.asset_check(asset=contacts, blocking=True)
    def balanced():
        return dg.AssetCheckResult(passed=True)

    instance = dg.DagsterInstance.ephemeral()
    result = dg.materialize([contacts, too_many_rejected, balanced], instance=instance)
    document = from_instance(instance, result.run_id, FunnelSettings(data_dir=str(tmp_path)))
    assert document["run_id"] == result.run_id and document["success"] is True
    assert sorted((c["check"], c["passed"], c["severity"], c["blocking"]) for c in document["checks"]) == [
        ("balanced", True, "ERROR", True), ("too_many_rejected", False, "WARN", False)]
    json.dumps(document)
    path = write_report(sample_data_dir, tmp_path, document, report_date=REPORT_DAY)
    section = path.read_text(encoding="utf-8").split('<section id="data-quality">')[1]
    assert result.run_id in section and "too_many_rejected" in section and "rows rejected 7" in section


def test_the_nightly_asset_writes_the_report_after_publishing(sample_data_dir, tmp_path):
    import dagster as dg

    from pipelines.report.assets import PUBLISHED_KEY, REPORT_KEY, funnel_report
    from pipelines.settings import FunnelSettings

    data_dir = tmp_path / "data"
    data_dir.mkdir()
    (data_dir / "published").symlink_to(sample_data_dir / "published")

    @dg.asset(key=PUBLISHED_KEY)
    def published_marts():
        return None

    @dg.asset_check(asset=published_marts, blocking=True)
    def publication_balanced():
        return dg.AssetCheckResult(passed=True)

    result = dg.materialize([published_marts, publication_balanced, funnel_report],
                            instance=dg.DagsterInstance.ephemeral(),
                            resources={"settings": FunnelSettings(data_dir=str(data_dir))})
    assert result.success
    [materialization] = result.asset_materializations_for_node("reports__funnel_report")
    assert materialization.asset_key == REPORT_KEY
    path = Path(materialization.metadata["path"].value)
    assert path.parent == data_dir / "reports" and (data_dir / "reports" / LATEST).is_file()
    document = path.read_text(encoding="utf-8")
    assert result.run_id in document and "publication_balanced" not in document  # passed: not listed
    assert 'class="section-error"' not in document and "from the published marts" in document


# ---- small parts ----------------------------------------------------------------------------

def test_period_rates_are_recomputed_from_counts():
    sums = derive({"visits": 4, "pageviews": 10, "bounces": 1.0, "session_seconds": 400.0,
                   "new_contacts": 0, "complete_contacts": 0, "emails_sent": 8, "emails_opened": 2.0})
    assert sums["bounce_rate"] == 0.25 and sums["avg_session_seconds"] == 100.0
    assert sums["pages_per_session"] == 2.5 and sums["email_open_rate"] == 0.25
    assert sums["completeness_rate"] is None and sums["email_reply_rate"] is None
    assert derive(None)["visits"] == 0


def test_markdown_tables_with_escaped_pipes_and_code():
    text = "{% docs x %}\n# Title\n\n| a | b |\n|---|---|\n| `x \\|\\| y` | **bold** <tag> |\n{% enddocs %}"
    rendered = to_html(docs_blocks(text)["x"])
    assert "<h3>Title</h3>" in rendered
    assert "<td><code>x || y</code></td>" in rendered
    assert "<td><strong>bold</strong> &lt;tag&gt;</td>" in rendered


def test_nice_ticks_and_empty_charts():
    assert charts.nice_ticks(2, integer=True) == [0, 1, 2]
    assert charts.nice_ticks(437) == [0, 100, 200, 300, 400, 500]
    assert charts.nice_ticks(0) == [0.0, 1.0]
    svg = charts.stacked_columns([], [], label="nothing")
    assert 'data-empty="true"' in svg and svg.startswith("<svg")
    assert "&lt;b&gt;" in charts.horizontal_bars(["<b>"], [1], label="escaped")


# ---- in a real browser ----------------------------------------------------------------------

CAPTURE_ERRORS = """<script>
window.__reportErrors = [];
window.addEventListener('error', function (e) {
  var target = e.target && (e.target.src || e.target.href);
  window.__reportErrors.push(target ? 'failed to load ' + target : String(e.message));
}, true);
var __consoleError = console.error;
console.error = function () {
  window.__reportErrors.push(Array.prototype.join.call(arguments, ' '));
  __consoleError.apply(console, arguments);
};
</script>"""

REPORT_CHARTS = """<script>
(function () {
  var out = {charts: [], errors: window.__reportErrors};
  document.querySelectorAll('figure.chart').forEach(function (figure) {
    var svg = figure.querySelector('svg'), info = {id: figure.id, svg: !!svg};
    if (svg) {
      var box = svg.getBBox(), rect = svg.getBoundingClientRect();
      info.bboxWidth = box.width; info.bboxHeight = box.height;
      info.width = rect.width; info.height = rect.height;
      info.marks = svg.querySelectorAll('rect, polyline, circle, line, path').length;
      info.empty = svg.getAttribute('data-empty') === 'true';
    }
    out.charts.push(info);
  });
  var pre = document.createElement('pre');
  pre.id = 'render-check';
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
})();
</script>"""


def _chromium(tmp_path: Path, url: str, *action: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
         "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--hide-scrollbars",
         f"--user-data-dir={tmp_path / 'chromium-profile'}", "--enable-logging=stderr", "--v=0",
         "--window-size=1280,4000", *action, url],
        capture_output=True, text=True, timeout=180, check=False)


def _console_messages(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if ":CONSOLE" in line]


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium package is not installed "
                    "(/usr/bin/chromium); .ci/run installs it")
def test_report_draws_every_chart_in_chromium(report, html, tmp_path):
    # 1. The report itself, as a reader opens it: a screenshot, and no console message at all
    #    (the report runs no script, so any message is an error: a resource that failed...).
    screenshot = tmp_path / "report.png"
    shown = _chromium(tmp_path, report.as_uri(), f"--screenshot={screenshot}")
    assert shown.returncode == 0, shown.stderr[-2000:]
    assert screenshot.is_file() and screenshot.stat().st_size > 50_000
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert _console_messages(shown.stderr) == []
    print(f"screenshot: {screenshot}")

    # 2. The same document with a probe: errors caught from the first byte, then every chart
    #    measured after layout; the result is written into the DOM that Chromium dumps.
    probe = tmp_path / "probe.html"
    probe.write_text(html.replace("<head>", "<head>" + CAPTURE_ERRORS, 1)
                     .replace("</body>", REPORT_CHARTS + "</body>", 1), encoding="utf-8")
    dumped = _chromium(tmp_path, probe.as_uri(), "--dump-dom")
    assert dumped.returncode == 0, dumped.stderr[-2000:]
    assert _console_messages(dumped.stderr) == []
    found = re.search(r'<pre id="render-check">(.*?)</pre>', dumped.stdout, re.S)
    assert found, "the probe did not run"
    result = json.loads(unescape(found.group(1)))
    assert result["errors"] == []
    assert [c["id"] for c in result["charts"]] == CHARTS
    for chart in result["charts"]:
        assert chart["svg"], f"{chart['id']}: no <svg>"
        assert chart["bboxWidth"] > 50 and chart["bboxHeight"] > 20, chart
        assert chart["width"] > 100 and chart["height"] > 30, chart
        assert chart["marks"] >= 3 and not chart["empty"], chart
    shutil.rmtree(tmp_path / "chromium-profile", ignore_errors=True)
