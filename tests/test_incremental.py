"""The incremental web models (dbt_project/macros/incremental.sql): a nightly build after new raw
rows arrive equals a full build of the same raw layer, table by table and column by column
(the watermark `_loaded_at` included), and it recomputes only the visitors whose events changed.

Day 1 is built; then day 2 is loaded: new events, a late event of day 1 that merges two of its
sessions, the rest of a session that crossed midnight, a new version of an event that moves it
to another visitor (its old visitor is left with no event), a late-loaded older version that
loses, and a contact created on day 2 whose email stitches a visitor seen on day 1 only.
"""

from __future__ import annotations

import hashlib
import shutil
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest
from dbt_fixtures import CORE_SELECTION, RawData, failed_nodes, raw_columns, read_table, run_dbt, ts

DAY1_LOAD = datetime(2024, 3, 2, 3, 0, 0)
DAY2_LOAD = datetime(2024, 3, 3, 3, 0, 0)
DAY1_FILE = "web_visits/web_visits_2024-03-01.csv"
DAY2_FILE = "web_visits/web_visits_2024-03-02.csv"
SCHEMAS = ("staging", "intermediate", "marts")


def sid(visitor: str, first_event: str) -> str:
    return hashlib.md5(f"{visitor}|{first_event}".encode()).hexdigest()


def event(event_id, visitor, at, event_type="page_view", **extra):
    return {"event_id": event_id, "visitor_id": visitor, "occurred_at": ts(at),
            "event_type": event_type, "page_url": f"https://acme-analytics.example/{event_id}",
            **extra}


def day1(raw: RawData) -> RawData:
    load = {"_loaded_at": DAY1_LOAD}
    raw.add("web_visits", [
        # LATE: two sessions (a 40-minute gap) until a late event fills the gap on day 2.
        event("late1", "LATE", "2024-03-01 10:00:00", **load),
        event("late3", "LATE", "2024-03-01 10:40:00", **load),
        # MID: a session starting before midnight; its second event comes in day 2's file.
        event("mid1", "MID", "2024-03-01 23:50:00", referrer_url="https://partner-blog.io/post",
              **load),
        # STITCH: an email that no contact has yet; the contact is created on day 2.
        event("st1", "STITCH", "2024-03-01 09:00:00", utm_source="google", utm_medium="cpc",
              **load),
        event("st2", "STITCH", "2024-03-01 09:05:00", event_type="form_submit",
              email="new.lead@corp.io", **load),
        # OLD: its only event moves to NEW with a later version on day 2.
        event("moved", "OLD", "2024-03-01 12:00:00", **load),
        # KEEP: its event gets a losing older version, loaded on day 2 under another visitor.
        event("kept", "KEEP", "2024-03-01 13:00:00", **load),
        # CALM: nothing of it changes.
        event("calm1", "CALM", "2024-03-01 14:00:00", utm_source="newsletter", utm_medium="email",
              **load),
        event("calm2", "CALM", "2024-03-01 14:10:00", contact_id="C1", **load),
    ], source_file=DAY1_FILE)
    raw.add("contacts", [
        {"contact_id": "C1", "created_at": ts("2024-03-01 14:10:00"), "email": "calm@corp.io",
         "_loaded_at": DAY1_LOAD},
    ], source_file="contacts/contacts_2024-03-01.csv")
    return raw


def day2(raw: RawData) -> RawData:
    load = {"_loaded_at": DAY2_LOAD}
    raw.add("web_visits", [
        event("late2", "LATE", "2024-03-01 10:20:00", **load),  # late event of day 1
        event("mid2", "MID", "2024-03-02 00:10:00", event_type="pricing_view", **load),
        event("moved", "NEW", "2024-03-01 12:00:00", event_type="demo_request", **load),
        event("new1", "FRESH", "2024-03-02 08:00:00", utm_source="linkedin",
              utm_medium="paid_social", **load),
        event("new2", "FRESH", "2024-03-02 08:45:00", **load),
    ], source_file=DAY2_FILE)
    # An older file loaded late: its version of `kept` loses to day 1's (smaller file name).
    raw.add("web_visits", event("kept", "LOSER", "2024-03-01 13:00:00", **load),
            source_file="web_visits/web_visits_2024-02-29.csv")
    raw.add("contacts", [
        {"contact_id": "C2", "created_at": ts("2024-03-02 09:00:00"), "email": "new.lead@corp.io",
         "owner_id": "rep_1", "_loaded_at": DAY2_LOAD},
    ], source_file="contacts/contacts_2024-03-02.csv")
    return raw


def append(raw: RawData, data_dir: Path) -> None:
    """Append the rows to the raw tables of an existing warehouse (raw is append-only)."""
    con = duckdb.connect(str(data_dir / "warehouse.duckdb"))
    try:
        for source, rows in raw.rows.items():
            columns = list(raw_columns(source))
            con.executemany(
                f"INSERT INTO raw.{source} ({', '.join(columns)}) "
                f"VALUES ({', '.join('?' for _ in columns)})",
                [[row[c] for c in columns] for row in rows])
    finally:
        con.close()


def build(data_dir: Path, *extra: str, command: str = "build") -> None:
    result = run_dbt(data_dir, [command, *extra, *CORE_SELECTION])
    problems = [p for p in failed_nodes(result) if p.split(":")[1].strip() != "warn"]
    assert result.success and not problems, "\n".join(problems or failed_nodes(result))


def tables(data_dir: Path) -> dict[str, list[tuple]]:
    """Every table and view of the dbt schemas, all columns (`_loaded_at` too), sorted rows."""
    con = duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True)
    try:
        names = con.execute(
            "SELECT table_schema, table_name FROM information_schema.tables "
            f"WHERE table_schema IN {SCHEMAS} ORDER BY 1, 2").fetchall()
        return {f"{s}.{t}": con.execute(f"SELECT * FROM {s}.{t} ORDER BY ALL").fetchall()
                for s, t in names}
    finally:
        con.close()


def assert_same(left: dict, right: dict) -> None:
    assert sorted(left) == sorted(right)
    different = [name for name in left if left[name] != right[name]]
    assert not different, {name: (sorted(set(left[name]) - set(right[name]))[:3],
                                   sorted(set(right[name]) - set(left[name]))[:3])
                           for name in different}


@pytest.fixture(scope="module")
def after_day1(tmp_path_factory) -> Path:
    data_dir = tmp_path_factory.mktemp("day1")
    day1(RawData()).write(data_dir)
    build(data_dir)
    return data_dir


@pytest.fixture(scope="module")
def incremental(after_day1, tmp_path_factory) -> Path:
    """Day 1 built, day 2 appended, then an incremental build (with the dbt tests)."""
    data_dir = tmp_path_factory.mktemp("incremental") / "data"
    shutil.copytree(after_day1, data_dir)
    append(day2(RawData()), data_dir)
    build(data_dir)
    return data_dir


@pytest.fixture(scope="module")
def from_scratch(tmp_path_factory) -> Path:
    """The same raw rows (same load times) built once from an empty warehouse."""
    data_dir = tmp_path_factory.mktemp("scratch")
    day2(day1(RawData())).write(data_dir)
    build(data_dir)
    return data_dir


def test_incremental_build_equals_a_build_from_scratch(incremental, from_scratch):
    assert_same(tables(incremental), tables(from_scratch))


def test_full_refresh_gives_identical_tables(incremental, tmp_path):
    data_dir = shutil.copytree(incremental, tmp_path / "refreshed")
    build(data_dir, "--full-refresh", command="run")
    assert_same(tables(incremental), tables(data_dir))


def test_a_build_with_nothing_new_changes_nothing(incremental, tmp_path):
    data_dir = shutil.copytree(incremental, tmp_path / "again")
    build(data_dir, command="run")
    assert_same(tables(incremental), tables(data_dir))


def test_late_event_merges_sessions_of_day_1(incremental):
    sessions = read_table(incremental, "marts.fct_sessions", order_by="started_at")
    late = sessions.filter(sessions["visitor_id"] == "LATE").to_dicts()
    assert [(r["session_id"], r["event_count"]) for r in late] == [(sid("LATE", "late1"), 3)]


def test_session_crossing_midnight_is_completed_and_dated_by_its_start(incremental):
    sessions = read_table(incremental, "marts.fct_sessions")
    [mid] = sessions.filter(sessions["visitor_id"] == "MID").to_dicts()
    assert (mid["session_id"], mid["session_date"], mid["event_count"]) == (
        sid("MID", "mid1"), date(2024, 3, 1), 2)
    assert mid["duration_seconds"] == 1200.0 and mid["channel"] == "referral"
    daily = read_table(incremental, "marts.mart_funnel_daily")
    by_key = {(r["metric_date"], r["channel"]): r for r in daily.iter_rows(named=True)}
    assert by_key[(date(2024, 3, 2), "referral")]["site_interactions"] == 1
    assert by_key[(date(2024, 3, 2), "referral")]["visits"] == 0


def test_visitor_stitched_to_a_contact_created_later(incremental):
    sessions = read_table(incremental, "marts.fct_sessions")
    stitched = sessions.filter(sessions["visitor_id"] == "STITCH").to_dicts()
    assert [r["contact_id"] for r in stitched] == ["C2"]
    contacts = read_table(incremental, "marts.dim_contacts")
    [c2] = contacts.filter(contacts["contact_id"] == "C2").to_dicts()
    assert (c2["original_channel"], c2["original_channel_basis"]) == ("paid_search", "web_session")
    assert c2["first_session_id"] == sid("STITCH", "st1")


def test_event_moved_to_another_visitor_leaves_nothing_behind(incremental):
    events = read_table(incremental, "intermediate.int_web_events_sessionized")
    assert events.filter(events["event_id"] == "moved")["visitor_id"].to_list() == ["NEW"]
    sessions = read_table(incremental, "intermediate.int_sessions_aggregated")
    assert "OLD" not in sessions["visitor_id"].to_list()
    assert "LOSER" not in events["visitor_id"].to_list()
    assert events.filter(events["event_id"] == "kept")["visitor_id"].to_list() == ["KEEP"]


def test_watermark_is_the_latest_load_of_the_event_or_visitor(incremental):
    events = read_table(incremental, "staging.stg_raw__web_visits")
    loads = dict(events.select("event_id", "_loaded_at").iter_rows())
    assert loads["calm1"] == loads["st1"] == DAY1_LOAD
    assert loads["late2"] == loads["moved"] == DAY2_LOAD
    # the version of `kept` loaded on day 2 loses, and still counts as the event's latest load
    assert loads["kept"] == DAY2_LOAD
    sessionized = read_table(incremental, "intermediate.int_web_events_sessionized")
    loads = dict(sessionized.select("visitor_id", "_loaded_at").unique().iter_rows())
    assert len(loads) == sessionized["visitor_id"].n_unique()
    assert loads["CALM"] == loads["STITCH"] == DAY1_LOAD
    assert loads["LATE"] == loads["MID"] == loads["NEW"] == loads["FRESH"] == DAY2_LOAD
    assert loads["KEEP"] == DAY2_LOAD


def test_only_changed_visitors_are_rebuilt(after_day1, tmp_path):
    """Mark a row of every visitor on day 1's tables; after the incremental build only the
    visitors with changed events lost the mark."""
    data_dir = shutil.copytree(after_day1, tmp_path / "marked")
    con = duckdb.connect(str(data_dir / "warehouse.duckdb"))
    try:
        con.execute("UPDATE intermediate.int_web_events_sessionized SET page_url = 'marked'")
        con.execute("UPDATE intermediate.int_sessions_aggregated SET landing_page_url = 'marked'")
    finally:
        con.close()
    append(day2(RawData()), data_dir)
    build(data_dir, command="run")
    events = read_table(data_dir, "intermediate.int_web_events_sessionized")
    marked = set(events.filter(events["page_url"] == "marked")["visitor_id"])
    sessions = read_table(data_dir, "intermediate.int_sessions_aggregated")
    marked_sessions = set(sessions.filter(sessions["landing_page_url"] == "marked")["visitor_id"])
    # Rebuilt: LATE, MID (new events), NEW and OLD (a moved event), KEEP (a version of its
    # event was loaded), FRESH (new). Untouched: CALM and STITCH (a new contact changes the
    # stitching, which fct_sessions joins on every build; the sessions stay as they are).
    assert marked == marked_sessions == {"CALM", "STITCH"}


@pytest.mark.parametrize("first", [
    # a run killed after the sessionized events, before the sessions
    ("stg_raw__web_visits", "int_web_events_sessionized"),
    # models built while their upstream is behind (a partial selection in Dagster or dbt)
    ("int_sessions_aggregated", "int_web_events_sessionized"),
], ids=["stopped_before_sessions", "built_before_upstream"])
def test_models_built_out_of_step_catch_up(after_day1, from_scratch, tmp_path, first):
    """Each model keeps its own watermark, made of its input's values: models built one at a
    time, in any order, then a full build, equal a build from scratch."""
    data_dir = shutil.copytree(after_day1, tmp_path / "out_of_step")
    append(day2(RawData()), data_dir)
    for model in first:
        result = run_dbt(data_dir, ["run", "--select", model])
        assert result.success, failed_nodes(result)
    build(data_dir, command="run")
    assert_same(tables(data_dir), tables(from_scratch))
