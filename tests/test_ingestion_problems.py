"""Every ingestion problem said plainly, on small hand-written inboxes (no dbt): ignored files,
broken mappings that hold back only their own source, rejected rows grouped by reason."""

import os
from datetime import UTC, datetime

import duckdb
import pytest

from pipelines.ingestion.inbox import scan_source_folder, stray_inbox_entries
from pipelines.ingestion.ingest import ingest_source
from pipelines.ingestion.mapping import load_mappings
from pipelines.ingestion.problem_summary import summarize_source
from pipelines.quality.ingestion_text import mapping_problem_line, period_lines

WEB_HEADER = "event_id,visitor_id,occurred_at,event_type,page_url"
GOOD_MAPPING = "source: contacts\nfiles: 'crm_*.csv'\ncolumns:\n  contact_id: ID\n  created_at: Created\n"


def write(path, text: str):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def data_dir(tmp_path):
    (tmp_path / "inbox").mkdir()
    return tmp_path


@pytest.fixture
def con(data_dir):
    connection = duckdb.connect(str(data_dir / "warehouse.duckdb"))
    yield connection
    connection.close()


def ingest(con, data_dir, source):
    return ingest_source(con, source, data_dir / "inbox", load_mappings(data_dir / "mappings"))


def test_files_left_unread_are_each_named_with_the_reason(data_dir):
    inbox = data_dir / "inbox"
    write(inbox / "web_visits/day1.csv", f"{WEB_HEADER}\n")
    write(inbox / "web_visits/notes.xlsx", "x")
    write(inbox / "web_visits/.partial.csv", "x")  # an upload in progress: silent
    write(inbox / "web_visits/.tmp/day2.csv", "x")
    (inbox / "web_visits/gone.csv").symlink_to(data_dir / "nowhere.csv")
    os.mkfifo(inbox / "web_visits/pipe.csv")  # reading it would block the run
    write(inbox / "Web-Visits/day3.csv", "x")
    write(inbox / "day4.csv", "x")

    scan = scan_source_folder(inbox, "web_visits")
    assert [p.name for p in scan.files] == ["day1.csv"]
    reasons = {f.path: f.reason for f in scan.ignored}
    assert set(reasons) == {"web_visits/notes.xlsx", "web_visits/gone.csv", "web_visits/pipe.csv"}
    assert "unknown file type" in reasons["web_visits/notes.xlsx"]
    assert "symbolic link" in reasons["web_visits/gone.csv"] and "does not exist" in reasons["web_visits/gone.csv"]
    assert "not a regular file" in reasons["web_visits/pipe.csv"]

    strays = {e.path: e.reason for e in stray_inbox_entries(inbox)}
    assert set(strays) == {"Web-Visits/day3.csv", "day4.csv"}
    assert "not a source (did you mean web_visits/?)" in strays["Web-Visits/day3.csv"]
    assert "not in a source folder" in strays["day4.csv"]


@pytest.mark.parametrize("text, line, reason, source", [
    (GOOD_MAPPING + "   bad: [\n", 6, "not valid YAML", "contacts"),
    ("source: contacts\nfiles: '*'\ncolumns: {}\ncolour: red\n", 4, "unknown key 'colour'", "contacts"),
    ("source: contacts\nfiles: '*'\ncolumns:\n  contact_id: ID\n  shoe_size: S\n", 5,
     "'shoe_size' is not a column of the contacts contract", "contacts"),
    ("source: leads\nfiles: '*'\ncolumns: {}\n", 1, "source 'leads' is not one of", None),
    ("files: '*'\ncolumns: {a: [\n", 3, "not valid YAML", None),
])
def test_a_broken_mapping_names_its_file_line_and_problem_and_spares_the_others(
        data_dir, text, line, reason, source):
    write(data_dir / "mappings/broken.yml", text)
    write(data_dir / "mappings/good.yml", GOOD_MAPPING.replace("contacts", "opportunities")
          .replace("contact_id: ID", "opportunity_id: ID"))
    mappings = load_mappings(data_dir / "mappings")
    assert [m.path.name for m in mappings] == ["good.yml"]
    [problem] = mappings.problems
    assert (problem.name, problem.line, problem.source) == ("mappings/broken.yml", line, source)
    assert reason in problem.reason
    assert str(problem).startswith(f"mappings/broken.yml, line {line}: ")


def test_a_broken_mapping_holds_back_only_its_own_sources_unmatched_files(con, data_dir):
    inbox = data_dir / "inbox"
    write(data_dir / "mappings/crm.yml", GOOD_MAPPING + "   bad: [\n")
    write(inbox / "contacts/crm_1.csv", "ID,Created\nc1,2026-01-05\n")
    write(inbox / "web_visits/day1.csv", f"{WEB_HEADER}\ne1,v1,2026-01-05T10:00:00,page_view,/a\n")

    contacts = ingest(con, data_dir, "contacts")
    web = ingest(con, data_dir, "web_visits")
    assert web.rows_loaded == 1 and not web.held_back_files
    assert contacts.files_ingested == 0
    assert [(f.path, f.reason) for f in contacts.held_back_files] == \
        [("contacts/crm_1.csv", "held back until mappings/crm.yml is fixed")]
    summary = summarize_source(con, contacts, datetime.now(UTC).replace(tzinfo=None))
    assert period_lines(summary["run"], limit=3, hint="") == \
        ["held back until mappings/crm.yml is fixed: 1 file(s), contacts/crm_1.csv"]
    assert con.execute("SELECT count(*) FROM raw._ingested_files WHERE source = 'contacts'"
                       ).fetchone() == (0,), "a held-back file is not put in the ledger"
    line = mapping_problem_line({"file": "mappings/crm.yml", "line": 6, "reason": "not valid YAML",
                                 "source": "contacts"})
    assert line.startswith("mappings/crm.yml, line 6: not valid YAML: new contacts files")

    write(data_dir / "mappings/crm.yml", GOOD_MAPPING)  # fixed: the file loads on the next run
    assert ingest(con, data_dir, "contacts").rows_loaded == 1


def test_rejected_rows_are_summarised_by_field_and_reason_with_one_example_each(con, data_dir):
    rows = ["e1,v1,2026-13-01,page_view,/a", "e2,v1,yesterday,page_view,/a",
            "e3,v1,jane.doe@example.com,page_view,/a", "e4,v1,2026-01-05T10:00:00,page_view,",
            ",v1,2026-01-05T10:00:00,page_view,/a", "e6,,2026-01-05T10:00:00,page_view,/a",
            "e7,v1,2026-01-05T10:00:00,signup,/a", "e8,v1,2026-01-05T10:00:00,signup,/b"]
    write(data_dir / "inbox/web_visits/day1.csv", "\n".join([WEB_HEADER, *rows]) + "\n")
    write(data_dir / "inbox/web_visits/day2.csv.gz", "not gzip")
    result = ingest(con, data_dir, "web_visits")
    summary = summarize_source(con, result, datetime.now(UTC).replace(tzinfo=None))
    run = summary["run"]
    assert (run["files"], run["files_unreadable"], run["rows_rejected"]) == (2, 1, 6)
    assert summary["recent"]["rows_rejected"] == 6 and summary["recent"]["days"] == 7
    by_kind = {(g["field"], g["kind"]): g for g in run["rejections"]}
    timestamps = by_kind[("occurred_at", "occurred_at: not an ISO 8601 timestamp")]
    assert timestamps["rows"] == 3
    assert timestamps["example"] == {"file": "web_visits/day1.csv", "line": 2, "field": "occurred_at",
                                     "reason": "occurred_at: not an ISO 8601 timestamp: '2026-13-01'"}
    assert {k[0] for k in by_kind} == {"occurred_at", "page_url", "event_id", "visitor_id"}
    assert "jane.doe@example.com" not in str(summary), "no email address in a shared summary"

    lines = period_lines(run, limit=3, hint="funnel quality")
    assert lines[0].startswith("unreadable: web_visits/day2.csv.gz: ")
    assert ("rejected 3 rows: occurred_at: not an ISO 8601 timestamp; e.g. web_visits/day1.csv, "
            "line 2, field 'occurred_at': not an ISO 8601 timestamp: '2026-13-01'") in lines
    assert sum(line.startswith("rejected ") for line in lines) == 3
    assert "... 1 more (funnel quality; every row: raw.<source>_rejected)" in lines
    assert "unknown event_type values kept: 'signup' (2 rows)" in lines

