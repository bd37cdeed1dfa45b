"""The shared report as a Dagster asset, downstream of the published marts: the nightly run
writes `data/reports/funnel_report_<date>.html` and `latest.html` after each publication,
with the data-quality status of that same run."""

import dagster as dg

from pipelines.quality.run_checks import from_instance
from pipelines.report.build import write_report
from pipelines.report.source import PUBLISHED_DB
from pipelines.settings import FunnelSettings

REPORT_KEY = dg.AssetKey(["reports", "funnel_report"])
PUBLISHED_KEY = dg.AssetKey(["published", "marts"])


@dg.asset(
    key=REPORT_KEY,
    deps=[PUBLISHED_KEY],
    group_name="publishing",
    kinds={"html"},
    description="The shared funnel report (data/reports/latest.html): one offline HTML file "
    "built from the published marts, with the run's data-quality status.",
)
def funnel_report(context: dg.AssetExecutionContext, settings: FunnelSettings) -> dg.MaterializeResult:
    path = write_report(settings.data_path / PUBLISHED_DB, settings.reports_dir,
                        from_instance(context.instance, context.run_id, settings))
    context.log.info(f"report written: {path}")
    return dg.MaterializeResult(metadata={
        "path": dg.MetadataValue.path(str(path)),
        "latest": dg.MetadataValue.path(str(path.parent / "latest.html")),
        "bytes": path.stat().st_size,
    })
