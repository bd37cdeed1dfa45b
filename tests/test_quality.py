"""Data-quality suites: every expectation fails on its broken case with the right severity and
figures, critical failures block downstream assets, and `funnel quality` reports them."""

import json
from datetime import datetime

import dagster as dg
import numpy as np
import pandas as pd
import pytest

from pipelines.cli import main
from pipelines.ingestion.assets import raw_asset_checks, raw_assets
from pipelines.quality.raw_checks import build_raw_suite_checks
from pipelines.quality.suites import build_suite, load_suite_document, suite_path, validate_frame
from pipelines.settings import FunnelSettings
from pipelines.warehouse import WarehouseResource

SUITES = ["raw_web_visits", "raw_contacts", "raw_opportunities", "raw_sales_interactions",
          "marts_dim_contacts", "marts_mart_funnel_daily"]
NOW = datetime(2026, 6, 1)


@pytest.mark.parametrize("name", SUITES)
def test_every_expectation_of_each_suite_file_is_loaded(name):
    # GX skips an invalid expectation with only a log line: count them.
    document = json.loads(suite_path(name).read_text())
    suite = build_suite(load_suite_document(name))
    assert len(suite.expectations) == len(document["expectations"]) > 0
    assert {str(e.severity.value) for e in suite.expectations} <= {"critical", "warning"}


def ts(text):
    return pd.Timestamp(text)


def web(**overrides):
    base = {"event_id": ["e1", "e2", "e3"], "visitor_id": ["v1", "v1", "v2"],
            "occurred_at": [ts("2026-01-01"), ts("2026-01-02"), ts("2026-01-03")],
            "event_type": ["page_view"] * 3, "email": ["a@x.io", None, "b@y.com"],
            "event_id_repeated_in_batch": [False] * 3}
    base.update(overrides)
    return pd.DataFrame(base)


def contacts(**overrides):
    base = {"contact_id": ["c1", "c2", "c3", "c4", "c5"],
            "created_at": [ts("2026-01-01")] * 5, "updated_at": [ts("2026-01-02")] * 5,
            "email": ["a@x.io", "b@x.io", "c@x.io", "d@x.io", "e@x.io"],
            "lifecycle_stage": ["lead"] * 5, "updated_at_before_created_at": [False] * 5}
    base.update(overrides)
    return pd.DataFrame(base)


def opportunities(**overrides):
    base = {"opportunity_id": ["o1", "o2"], "created_at": [ts("2026-01-01")] * 2,
            "updated_at": [ts("2026-01-05")] * 2, "closed_at": [ts("2026-01-05"), pd.NaT],
            "amount": [1000.0, 50.0], "stage": ["closed_won", "proposal"],
            "won_without_amount": [False, False], "closed_at_before_created_at": [False, False]}
    base.update(overrides)
    return pd.DataFrame(base)


def interactions(**overrides):
    base = {"interaction_id": ["i1", "i2"], "occurred_at": [ts("2026-01-01")] * 2,
            "interaction_type": ["call", "email_sent"], "contact_is_known": [True, True],
            "interaction_id_repeated_in_batch": [False, False]}
    base.update(overrides)
    return pd.DataFrame(base)


def dim_contacts(**overrides):
    n = 20
    base = {"contact_id": [f"c{i}" for i in range(n)], "original_channel": ["email"] * n,
            "created_at": [ts("2026-01-01")] * n, "is_complete": [True] * n,
            "is_suspected_duplicate": [False] * n}
    base.update(overrides)
    return pd.DataFrame(base)


def funnel_daily(**overrides):
    base = {"metric_date": [ts("2026-01-01"), ts("2026-01-01")], "channel": ["email", "direct"],
            "visits": [3, 0], "new_contacts": [1, 0], "opportunities": [0, 1],
            "pipeline_amount": [0.0, 10.0], "revenue_won": [0.0, 0.0], "sales_interactions": [2, 0],
            "bounce_rate": [0.5, None], "completeness_rate": [1.0, None], "contact_share": [1.0, 0.0],
            "email_open_rate": [0.5, None], "email_click_rate": [0.0, None], "email_reply_rate": [0.0, None]}
    base.update(overrides)
    return pd.DataFrame(base)


CASES = [
    ("raw_web_visits", web(event_id=["e1", None, "e3"]), "expect_column_values_to_not_be_null", "event_id", "critical", 1),
    ("raw_web_visits", web(event_id=["e1", "e1", "e3"], event_id_repeated_in_batch=[True, True, False]), "expect_column_values_to_be_in_set", "event_id_repeated_in_batch", "warning", 2),
    ("raw_web_visits", web(visitor_id=["v1", None, "v2"]), "expect_column_values_to_not_be_null", "visitor_id", "critical", 1),
    ("raw_web_visits", web(occurred_at=[ts("2026-01-01"), ts("2027-01-01"), ts("2026-01-03")]), "expect_column_values_to_be_between", "occurred_at", "critical", 1),
    ("raw_web_visits", web(occurred_at=[ts("1970-01-01"), ts("2026-01-02"), ts("2026-01-03")]), "expect_column_values_to_be_between", "occurred_at", "critical", 1),
    # Microsecond timestamps as DuckDB returns them, beyond the nanosecond range of pandas.
    ("raw_web_visits", web(occurred_at=np.array(["9999-12-31", "2026-01-02", "0001-01-01"], dtype="datetime64[us]")), "expect_column_values_to_be_between", "occurred_at", "critical", 2),
    ("raw_web_visits", web(event_type=["page_view", "webinar_join", "page_view"]), "expect_column_values_to_be_in_set", "event_type", "warning", 1),
    ("raw_web_visits", web(email=["a@x.io", "broken@", "b@y.com"]), "expect_column_values_to_match_regex", "email", "warning", 1),
    ("raw_contacts", contacts(contact_id=["c1", None, "c3", "c4", "c5"]), "expect_column_values_to_not_be_null", "contact_id", "critical", 1),
    ("raw_contacts", contacts(contact_id=["c1", "c1", "c3", "c4", "c5"]), "expect_compound_columns_to_be_unique", None, "warning", 2),
    ("raw_contacts", contacts(created_at=[ts("1999-12-31")] + [ts("2026-01-01")] * 4), "expect_column_values_to_be_between", "created_at", "critical", 1),
    ("raw_contacts", contacts(updated_at_before_created_at=[True] + [False] * 4), "expect_column_values_to_be_in_set", "updated_at_before_created_at", "critical", 1),
    ("raw_contacts", contacts(email=["bad", "worse@", "a@x.io", "b@x.io", "c@x.io"]), "expect_column_values_to_match_regex", "email", "warning", 2),
    ("raw_contacts", contacts(lifecycle_stage=["lead", "zombie", "lead", "lead", "lead"]), "expect_column_values_to_be_in_set", "lifecycle_stage", "warning", 1),
    ("raw_opportunities", opportunities(opportunity_id=["o1", None]), "expect_column_values_to_not_be_null", "opportunity_id", "critical", 1),
    ("raw_opportunities", opportunities(amount=[-5.0, 50.0]), "expect_column_values_to_be_between", "amount", "critical", 1),
    ("raw_opportunities", opportunities(closed_at_before_created_at=[True, False]), "expect_column_values_to_be_in_set", "closed_at_before_created_at", "critical", 1),
    ("raw_opportunities", opportunities(stage=["closed_won", "haggling"]), "expect_column_values_to_be_in_set", "stage", "warning", 1),
    ("raw_opportunities", opportunities(won_without_amount=[True, False]), "expect_column_values_to_be_in_set", "won_without_amount", "warning", 1),
    ("raw_sales_interactions", interactions(interaction_id=["i1", "i1"], interaction_id_repeated_in_batch=[True, True]), "expect_column_values_to_be_in_set", "interaction_id_repeated_in_batch", "warning", 2),
    ("raw_sales_interactions", interactions(interaction_type=["call", "carrier_pigeon"]), "expect_column_values_to_be_in_set", "interaction_type", "warning", 1),
    ("raw_sales_interactions", interactions(contact_is_known=[True, False]), "expect_column_values_to_be_in_set", "contact_is_known", "warning", 1),
    ("marts_dim_contacts", dim_contacts(created_at=[ts("2031-01-01")] + [ts("2026-01-01")] * 19), "expect_column_values_to_be_between", "created_at", "critical", 1),
    ("marts_dim_contacts", dim_contacts(is_complete=[False] * 6 + [True] * 14), "expect_column_values_to_be_in_set", "is_complete", "warning", 6),
    ("marts_dim_contacts", dim_contacts(is_suspected_duplicate=[True] * 2 + [False] * 18), "expect_column_values_to_be_in_set", "is_suspected_duplicate", "warning", 2),
    ("marts_dim_contacts", dim_contacts(original_channel=["unknown"] * 5 + ["email"] * 15), "expect_column_values_to_be_in_set", "original_channel", "warning", 5),
    ("marts_mart_funnel_daily", funnel_daily(metric_date=[ts("2031-01-01"), ts("2026-01-01")]), "expect_column_values_to_be_between", "metric_date", "critical", 1),
]


@pytest.mark.parametrize("suite, frame, expectation, column, severity, count", CASES,
                         ids=[f"{c[0]}-{c[2]}-{c[3]}" for c in CASES])
def test_each_expectation_fails_on_its_broken_case(suite, frame, expectation, column, severity, count):
    keys = {"raw_web_visits": ["event_id"], "raw_contacts": ["contact_id"],
            "raw_opportunities": ["opportunity_id"], "raw_sales_interactions": ["interaction_id"],
            "marts_dim_contacts": ["contact_id"], "marts_mart_funnel_daily": ["metric_date", "channel"]}[suite]
    outcomes = validate_frame(frame, suite, keys, now=NOW)
    failed = [o for o in outcomes if not o.passed]
    assert [(o.expectation, o.column, o.severity) for o in failed] == [(expectation, column, severity)]
    assert failed[0].unexpected_count == count
    # GX counts percentages over the rows it considered: pairs with a missing value are ignored.
    considered = {"closed_at,created_at": 1}.get(column, len(frame))
    assert failed[0].unexpected_percent == pytest.approx(100 * count / considered, abs=1e-3)
    assert failed[0].sample, "a sample of offending keys or values is reported"


@pytest.mark.parametrize("suite, frame", [
    ("raw_web_visits", web()), ("raw_contacts", contacts()),
    ("raw_opportunities", opportunities()), ("raw_sales_interactions", interactions()),
    ("marts_dim_contacts", dim_contacts()), ("marts_mart_funnel_daily", funnel_daily())])
def test_clean_frames_pass_every_expectation(suite, frame):
    outcomes = validate_frame(frame, suite, [frame.columns[0]], now=NOW)
    assert all(o.passed for o in outcomes), [o.summary() for o in outcomes if not o.passed]


RUN_TIME_BOUNDS = {"now", "timestamp_floor", "latest_allowed"}


def test_mart_suites_hold_only_what_dbt_tests_cannot():
    """dbt tests the marts' keys, value sets and ranges; a mart suite adds only a bound that
    depends on the run's time or a share of rows (`mostly`), which dbt's tests do not express."""
    for name in ("marts_dim_contacts", "marts_mart_funnel_daily"):
        for expectation in load_suite_document(name)["expectations"]:
            kwargs = expectation["kwargs"]
            run_bound = any(isinstance(v, dict) and v.get("$PARAMETER") in RUN_TIME_BOUNDS
                            for v in kwargs.values())
            assert run_bound or kwargs.get("mostly", 1) < 1, (name, expectation["type"], kwargs)


def test_a_value_set_is_written_once_in_dbt_project_yml(monkeypatch):
    """The suites name the vars of dbt_project.yml: a new event type there is one the raw
    suite accepts, with no change to the suite."""
    from pipelines import value_sets

    for name in SUITES:
        for expectation in load_suite_document(name)["expectations"]:
            value_set = expectation["kwargs"].get("value_set")
            assert not (isinstance(value_set, list) and len(value_set) > 2), \
                f"{name}: a value set written in the suite, not a var: {value_set}"
            if isinstance(value_set, dict):
                assert value_set["$PARAMETER"] in value_sets.suite_parameters()

    frame = web(event_type=["page_view", "webinar_join", "page_view"])
    failed = [o.column for o in validate_frame(frame, "raw_web_visits", ["event_id"], now=NOW)
              if not o.passed]
    assert failed == ["event_type"]
    declared = value_sets.project_vars()
    monkeypatch.setattr(value_sets, "project_vars",
                        lambda: {**declared, "event_types": [*declared["event_types"], "webinar_join"]})
    assert all(o.passed for o in validate_frame(frame, "raw_web_visits", ["event_id"], now=NOW))


def materialize_raw(*extra):
    result = dg.materialize(
        [*raw_assets, *extra, *raw_asset_checks, *build_raw_suite_checks()],
        resources={"warehouse": WarehouseResource(settings=FunnelSettings.from_environment())},
        raise_on_error=False,
    )
    evaluations = {(e.asset_key.to_user_string(), e.check_name): e
                   for e in result.get_asset_check_evaluations()}
    materialized = {e.step_materialization_data.materialization.asset_key
                    for e in result.get_asset_materialization_events()}
    return result, evaluations, materialized


@dg.asset(deps=[dg.AssetKey(["raw", "web_visits"])])
def downstream():
    return 1


WEB_CSV_HEADER = "event_id,visitor_id,occurred_at,event_type,page_url\n"


def test_an_impossible_date_in_a_file_is_refused_at_the_door_and_the_run_goes_on(tmp_path, monkeypatch):
    monkeypatch.setenv("FUNNEL_DATA_DIR", str(tmp_path))
    inbox = tmp_path / "inbox" / "web_visits"
    inbox.mkdir(parents=True)
    (inbox / "day1.csv").write_text(WEB_CSV_HEADER + "e1,v1,1999-01-01T10:00:00,page_view,/a\n"
                                    "e2,v1,2026-01-01T10:00:00,page_view,/a\n")
    result, evaluations, materialized = materialize_raw(downstream)
    assert result.success and downstream.key in materialized
    assert evaluations[("raw/web_visits", "contract_structure")].passed
    with WarehouseResource(settings=FunnelSettings.from_environment()).connect(read_only=True) as con:
        assert con.execute("SELECT event_id FROM raw.web_visits").fetchall() == [("e2",)]
        [(line, field, reason)] = con.execute(
            "SELECT line_number, field, reason FROM raw.web_visits_rejected").fetchall()
    assert (line, field) == (2, "occurred_at") and "before the timestamp floor" in reason


def test_a_defect_that_puts_an_impossible_date_in_raw_blocks_downstream_and_funnel_quality_says_so(
        tmp_path, monkeypatch, capsys):
    """The raw suites are the net under the door: only a defect of the pipeline (here, a row
    written past ingestion) can make them fail, and then they block."""
    monkeypatch.setenv("FUNNEL_DATA_DIR", str(tmp_path))
    inbox = tmp_path / "inbox" / "web_visits"
    inbox.mkdir(parents=True)
    (inbox / "day1.csv").write_text(WEB_CSV_HEADER + "e2,v1,2026-01-01T10:00:00,page_view,/a\n")
    assert materialize_raw()[0].success
    with WarehouseResource(settings=FunnelSettings.from_environment()).connect() as con:
        con.execute("INSERT INTO raw.web_visits (event_id, visitor_id, occurred_at, event_type, "
                    "page_url, _loaded_at) SELECT 'e1', 'v1', TIMESTAMP '1999-01-01 10:00', "
                    "'page_view', '/a', max(_loaded_at) FROM raw.web_visits")
    result, evaluations, materialized = materialize_raw(downstream)
    assert not result.success
    assert dg.AssetKey(["raw", "web_visits"]) in materialized
    assert downstream.key not in materialized, "a failed blocking check stops downstream assets"
    structure = evaluations[("raw/web_visits", "contract_structure")]
    assert not structure.passed and structure.blocking
    failures = structure.metadata["failures"].value
    assert failures[0]["column"] == "occurred_at" and failures[0]["sample"] == ["e1"]
    assert failures[0]["unexpected_count"] == 1 and failures[0]["unexpected_percent"] == 50.0
    assert evaluations[("raw/web_visits", "quality_thresholds")].passed

    from pipelines.runner import record_check_results

    record_check_results(result, FunnelSettings.from_environment())
    assert main(["quality"]) == 1
    report = capsys.readouterr().out
    assert "FAILED  raw/web_visits · contract_structure (blocking)" in report
    assert "1 rows (50.00%)" in report and "e.g. e1" in report


def test_two_versions_of_an_event_in_one_batch_warn_naming_the_key_and_the_run_goes_on(
        tmp_path, monkeypatch):
    monkeypatch.setenv("FUNNEL_DATA_DIR", str(tmp_path))
    inbox = tmp_path / "inbox" / "web_visits"
    inbox.mkdir(parents=True)
    (inbox / "day1.csv").write_text(
        WEB_CSV_HEADER + "e1,v1,2026-01-01T10:00:00,page_view,/a\n"
        "e1,v1,2026-01-01T10:00:00,page_view,/b\n"
        "e2,v1,2026-01-01T10:05:00,page_view,/a\n")
    result, evaluations, materialized = materialize_raw(downstream)
    assert result.success and downstream.key in materialized
    assert evaluations[("raw/web_visits", "contract_structure")].passed
    thresholds = evaluations[("raw/web_visits", "quality_thresholds")]
    assert not thresholds.passed and thresholds.severity == dg.AssetCheckSeverity.WARN
    [failure] = thresholds.metadata["failures"].value
    assert failure["column"] == "event_id_repeated_in_batch"
    assert failure["unexpected_count"] == 2 and failure["sample"] == ["e1"]

    # A later batch with another version of e1 (and a new event) is one version per batch.
    (inbox / "day2.csv").write_text(WEB_CSV_HEADER + "e1,v1,2026-01-01T10:00:00,page_view,/c\n"
                                    "e3,v2,2026-01-02T09:00:00,page_view,/a\n")
    assert materialize_raw()[1][("raw/web_visits", "quality_thresholds")].passed


def test_threshold_breach_warns_and_the_run_goes_on(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("FUNNEL_DATA_DIR", str(tmp_path))
    inbox = tmp_path / "inbox" / "sales_interactions"
    inbox.mkdir(parents=True)
    (inbox / "day1.csv").write_text(
        "interaction_id,contact_id,occurred_at,interaction_type\n"
        "i1,c-unknown,2026-01-01T10:00:00,call\n")
    result = dg.materialize(
        [*raw_assets, *raw_asset_checks, *build_raw_suite_checks()],
        resources={"warehouse": WarehouseResource(settings=FunnelSettings.from_environment())}, raise_on_error=False)
    assert result.success
    evaluations = {(e.asset_key.to_user_string(), e.check_name): e
                   for e in result.get_asset_check_evaluations()}
    thresholds = evaluations[("raw/sales_interactions", "quality_thresholds")]
    assert not thresholds.passed and thresholds.severity == dg.AssetCheckSeverity.WARN
    assert thresholds.metadata["failures"].value[0]["sample"] == ["i1"]

    from pipelines.runner import record_check_results

    record_check_results(result, FunnelSettings.from_environment())
    assert main(["quality"]) == 0
    assert "WARNED  raw/sales_interactions · quality_thresholds" in capsys.readouterr().out


def test_generated_sample_passes_every_blocking_check(sample_data_dir):
    from pipelines.quality.report import load_last_checks
    from pipelines.runner import LAST_CHECKS_FILE

    document = load_last_checks(sample_data_dir / "reports" / LAST_CHECKS_FILE)
    blocking = [c for c in document["checks"] if c["blocking"]]
    assert len(blocking) >= 5 * 1 + 4 * 1 + 2  # balance per source, raw suites, mart suites
    assert [c for c in blocking if not c["passed"]] == []
    suites = {(c["asset"], c["check"]) for c in document["checks"]}
    assert ("marts/dim_contacts", "contract_structure") in suites
    assert ("marts/mart_funnel_daily", "quality_thresholds") in suites
