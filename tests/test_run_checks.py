"""One record of a run's checks and one verdict per check, wherever it is shown: `funnel run`'s
summary line, `funnel quality`, the report's subtitle and its data-quality section, and the
nightly report's record taken from Dagster's event log all say the same passed / warned /
failed for the same run."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from types import SimpleNamespace

import dagster as dg
import pytest

from pipelines.console import EXIT_FAILED, Console
from pipelines.quality import run_checks
from pipelines.quality.report import render_quality_report
from pipelines.quality.run_checks import FAILED, PASSED, WARNED, check_status
from pipelines.report.build import _subtitle
from pipelines.report.sections import Context
from pipelines.report.sections import checks as checks_section
from pipelines.settings import FunnelSettings

EXPECTED = {"fine": PASSED, "warns": WARNED, "fails_quietly": FAILED, "blocks": FAILED}


@dg.asset(key=["raw", "contacts"])
def contacts():
    return 1


@dg.asset_check(asset=contacts, blocking=False)
def fine():
    return dg.AssetCheckResult(passed=True)


@dg.asset_check(asset=contacts, blocking=True)
def warns():
    """A failed WARN check does not block, even when declared blocking."""
    return dg.AssetCheckResult(passed=False, severity=dg.AssetCheckSeverity.WARN)


@dg.asset_check(asset=contacts, blocking=False)
def fails_quietly():
    return dg.AssetCheckResult(passed=False, severity=dg.AssetCheckSeverity.ERROR)


@dg.asset_check(asset=contacts, blocking=True)
def blocks():
    return dg.AssetCheckResult(passed=False, severity=dg.AssetCheckSeverity.ERROR)


@pytest.fixture
def run():
    instance = dg.DagsterInstance.ephemeral()
    result = dg.materialize([contacts, fine, warns, fails_quietly, blocks], instance=instance,
                            raise_on_error=False)
    return instance, result


def _statuses(document: dict) -> dict[str, str]:
    return {c["check"]: check_status(c) for c in document["checks"]}


def test_each_severity_and_outcome_has_one_status():
    def check(passed, severity, blocking=False):
        return {"passed": passed, "severity": severity, "blocking": blocking}

    assert check_status(check(True, "ERROR", True)) == PASSED
    assert check_status(check(True, "WARN")) == PASSED
    assert check_status(check(False, "WARN", True)) == WARNED
    assert check_status(check(False, "ERROR")) == FAILED
    assert not run_checks.is_blocking_failure(check(False, "WARN", True))
    assert not run_checks.is_blocking_failure(check(False, "ERROR", False))
    assert run_checks.is_blocking_failure(check(False, "ERROR", True))


def test_both_producers_record_the_same_checks(run, tmp_path):
    instance, result = run
    from pipelines.runner import record_check_results

    settings = FunnelSettings(data_dir=str(tmp_path))
    record_check_results(result, settings)
    written = run_checks.load_last_checks(tmp_path / "reports" / run_checks.LAST_CHECKS_FILE)
    from_log = run_checks.from_instance(instance, result.run_id, settings)
    assert _statuses(written) == _statuses(from_log) == EXPECTED

    def essentials(document):
        return sorted((c["asset"], c["check"], c["passed"], c["severity"], c["blocking"])
                      for c in document["checks"])

    assert essentials(written) == essentials(from_log)
    assert written["success"] is from_log["success"] is False  # a blocking check failed


def test_every_place_that_shows_the_checks_counts_them_alike(run, tmp_path, monkeypatch, capsys):
    instance, result = run
    from pipelines import runner

    monkeypatch.setattr(runner, "_dbt_build_skipped", lambda result: False)
    settings = FunnelSettings(data_dir=str(tmp_path))
    assert runner._report(result, Console(verbose=False), settings, started=0.0) == EXIT_FAILED
    out, err = capsys.readouterr()
    assert "checks: 1 passed, 1 warned, 2 failed" in out
    assert sorted(re.findall(r"check failed: raw/contacts (\w+)", err)) == ["blocks", "fails_quietly"]
    assert "a blocking check failed" in err

    document = run_checks.load_last_checks(tmp_path / "reports" / run_checks.LAST_CHECKS_FILE)
    text, failed_blocking = render_quality_report(document)
    assert text.splitlines()[0].endswith("1 passed, 1 warned, 2 failed") and failed_blocking
    assert {line.split()[0] for line in text.splitlines()[1:] if "raw/contacts" in line} \
        == {WARNED, FAILED}

    for record in (document, run_checks.from_instance(instance, result.run_id, settings)):
        ctx = Context(checks=record)
        subtitle = _subtitle(SimpleNamespace(published=False), ctx, datetime.now(UTC))
        assert "last run <a" in subtitle and ">failed, 1 warnings</a>" in subtitle
        section = checks_section.build(None, ctx)
        kpis = dict(re.findall(r'<div class="kpi-label">(\w+)</div><div class="kpi-value">([^<]+)<',
                               section))
        assert {k: kpis.get(k) for k in ("passed", "warned", "failed")} == \
            {"passed": "1", "warned": "1", "failed": "2"}
