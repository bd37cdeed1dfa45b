"""The value limits of pipelines/limits.py, enforced row by row at ingestion: a value that
parses but is impossible is rejected with its field and reason, never loaded, and the raw
suites read the same bounds (so they cannot fail on a loaded row)."""

from datetime import UTC, datetime, timedelta

import duckdb
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipelines import limits
from pipelines.ingestion.ingest import ingest_source
from pipelines.quality.suites import validate_frame

OPPORTUNITY_HEADER = "opportunity_id,contact_id,created_at,stage,amount,closed_at"


def ingest(tmp_path, source, name, content):
    path = tmp_path / "inbox" / source / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        path.write_text(content)
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    result = ingest_source(con, source, tmp_path / "inbox", [])
    loaded = pl.from_arrow(con.sql(f"SELECT * FROM raw.{source}").to_arrow_table())
    rejected = {line: (field, reason) for line, field, reason in con.execute(
        f"SELECT line_number, field, reason FROM raw.{source}_rejected").fetchall()}
    con.close()
    return result, loaded, rejected


def test_impossible_opportunity_values_are_rejected_with_field_and_reason(tmp_path):
    lines = [
        "o1,c1,2026-01-05T10:00:00,closed_won,100,2026-01-05",       # date-only close, same day: valid
        "o2,c1,2026-01-05T10:00:00,proposal,NaN,",                    # not finite
        "o3,c1,2026-01-05T10:00:00,proposal,inf,",                    # not finite
        "o4,c1,2026-01-05T10:00:00,proposal,-5,",                     # negative amount
        "o5,c1,2099-01-01T00:00:00,proposal,1,",                      # future
        "o6,c1,0001-01-01T00:00:00,proposal,1,",                      # before the floor
        "o7,c1,26-01-02,proposal,1,",                                 # two-digit year
        "o8,c1,2026-01-05T10:00:00,closed_lost,1,2026-01-04",         # closes the day before
        "o9,c1,2026-01-05T10:00:00,closed_lost,1,2026-01-05T09:00:00",  # closes an hour before
        "o10,c1,2026-01-05,closed_won,0,2026-01-05T00:00:00",        # created date-only, same day
    ]
    result, loaded, rejected = ingest(tmp_path, "opportunities", "b1.csv",
                                      "\n".join([OPPORTUNITY_HEADER, *lines]) + "\n")
    assert sorted(loaded["opportunity_id"]) == ["o1", "o10"]
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (10, 2, 8)
    expected = {3: ("amount", "not a finite number"), 4: ("amount", "not a finite number"),
                5: ("amount", "negative amount"), 6: ("created_at", "in the future"),
                7: ("created_at", "before the timestamp floor"), 8: ("created_at", "ambiguous year"),
                9: ("closed_at", "before created_at"), 10: ("closed_at", "before created_at")}
    assert {line: field for line, (field, _) in rejected.items()} == \
        {line: field for line, (field, _) in expected.items()}
    for line, (_, words) in expected.items():
        assert words in rejected[line][1], (line, rejected[line])
    messages = "\n".join(str(p) for p in result.problems)
    assert "opportunities/b1.csv, line 9, field 'closed_at'" in messages


def test_the_future_tolerance_is_a_setting(tmp_path, monkeypatch):
    now = datetime.now(UTC).replace(tzinfo=None)
    soon, later = now + timedelta(hours=2), now + timedelta(hours=30)
    content = ("event_id,visitor_id,occurred_at,event_type,page_url\n"
               f"e1,v1,{soon:%Y-%m-%dT%H:%M:%S},page_view,/a\n"
               f"e2,v1,{later:%Y-%m-%dT%H:%M:%S},page_view,/a\n")
    _, loaded, rejected = ingest(tmp_path / "default", "web_visits", "d.csv", content)
    assert list(loaded["event_id"]) == ["e1"] and rejected[3][0] == "occurred_at"
    monkeypatch.setenv("FUNNEL_FUTURE_TOLERANCE_HOURS", "48")
    _, loaded, rejected = ingest(tmp_path / "wide", "web_visits", "d.csv", content)
    assert sorted(loaded["event_id"]) == ["e1", "e2"] and rejected == {}
    monkeypatch.setenv("FUNNEL_FUTURE_TOLERANCE_HOURS", "1")
    _, loaded, _ = ingest(tmp_path / "narrow", "web_visits", "d.csv", content)
    assert loaded.height == 0


def test_contacts_updated_before_created_are_rejected(tmp_path):
    _, loaded, rejected = ingest(tmp_path, "contacts", "c.csv",
                                 "contact_id,created_at,updated_at\n"
                                 "c1,2026-01-05T10:00:00,2026-01-04T10:00:00\n"
                                 "c2,2026-01-05T10:00:00,2026-01-06T10:00:00\n")
    assert list(loaded["contact_id"]) == ["c2"]
    assert rejected[2][0] == "updated_at" and "before created_at" in rejected[2][1]


def test_parquet_values_are_held_to_the_same_limits_and_integral_float_ids_lose_their_point(tmp_path):
    path = tmp_path / "inbox" / "opportunities" / "b.parquet"
    path.parent.mkdir(parents=True)
    pq.write_table(pa.table({
        "opportunity_id": [71200502.0, 71200503.0, 7.5],
        "contact_id": ["c1", "c1", "c1"],
        "created_at": pa.array([datetime(2026, 1, 5, 10), datetime(2026, 1, 5, 10),
                                datetime(2026, 1, 5, 10)], pa.timestamp("us", tz="UTC")),
        "stage": ["proposal"] * 3,
        "amount": [float("nan"), 10.0, 1.0],
    }), path)
    _, loaded, rejected = ingest(tmp_path, "opportunities", "b.parquet", None)
    assert sorted(loaded["opportunity_id"]) == ["7.5", "71200503"]
    assert rejected[1][0] == "amount"


def test_the_suites_read_the_bounds_the_door_enforces(tmp_path, monkeypatch):
    """One definition: moving the floor moves both the door and the suite."""
    monkeypatch.setenv("FUNNEL_TIMESTAMP_FLOOR", "2026-01-01")
    _, loaded, rejected = ingest(tmp_path, "web_visits", "d.csv",
                                 "event_id,visitor_id,occurred_at,event_type,page_url\n"
                                 "e1,v1,2025-12-31T23:00:00,page_view,/a\n"
                                 "e2,v1,2026-01-01T00:00:00,page_view,/a\n")
    assert list(loaded["event_id"]) == ["e2"] and "2026-01-01" in rejected[2][1]
    frame = pd.DataFrame({"event_id": ["e1", "e2"], "visitor_id": ["v1", "v1"],
                          "occurred_at": [pd.Timestamp("2025-12-31 23:00"), pd.Timestamp("2026-01-01")],
                          "event_type": ["page_view"] * 2, "email": [None, None],
                          "event_id_repeated_in_batch": [False, False]})
    failed = [o for o in validate_frame(frame, "raw_web_visits", ["event_id"]) if not o.passed]
    assert [(o.column, o.sample) for o in failed] == [("occurred_at", ["e1"])]


@pytest.mark.parametrize("name, value", [("FUNNEL_TIMESTAMP_FLOOR", "last year"),
                                         ("FUNNEL_FUTURE_TOLERANCE_HOURS", "a day")])
def test_a_wrong_limit_setting_names_the_variable(monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(ValueError, match=name):
        limits.suite_parameters(datetime(2026, 1, 1))
