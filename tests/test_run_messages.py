"""What a user sees when the inbox holds trouble, end to end: one `funnel run` on a small
sample with an unreadable file, ignored files, rejected rows and two broken mapping files; then
`funnel quality`, the report, and `funnel ingest` once the mapping is fixed."""

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from pipelines.generate import generate_sample

pytestmark = pytest.mark.slow  # one full run and one ingestion: about 60-90 s

PROJECT_ROOT = Path(__file__).resolve().parents[1]

# marketing_spend has no sample files: every problem in it is one written here.
SPEND = "\n".join([
    "spend_date,channel,campaign,amount",
    "2026-01-02,paid_search,brand,100",
    "2026-13-01,paid_search,brand,100",  # line 3: the first bad date, the example
    "2026-01-0x,email,newsletter,50",
    "not-a-date,email,SECRET-CAMPAIGN,50",
    "2026-01-02,paid_social,retargeting,abc",
    "2026-01-02,,brand,10",
    ",email,newsletter,10",
    "jane.doe@example.com,email,newsletter,5",
    "2026-01-03,tv,launch,900",
]) + "\n"
BAD_DATES = 4  # lines 3, 4, 5 and 9


def funnel(data_dir: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "FUNNEL_DATA_DIR": str(data_dir),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(PROJECT_ROOT), os.environ.get("PYTHONPATH")]))}
    return subprocess.run([sys.executable, "-m", "pipelines.cli", *args], capture_output=True,
                          text=True, env=env, timeout=900)


@pytest.fixture(scope="module")
def troubled(tmp_path_factory):
    """The data directory after one `funnel run`, and what that run printed."""
    data_dir = tmp_path_factory.mktemp("troubled")
    inbox = data_dir / "inbox"
    generate_sample(inbox, days=3, seed=42, scale=0.1)
    (inbox / "marketing_spend").mkdir()
    (inbox / "marketing_spend/spend_2026-01.csv").write_text(SPEND)
    (inbox / "marketing_spend/spend_2026-02.csv.gz").write_bytes(b"this is not gzip")
    (inbox / "marketing_spend/budget.xlsx").write_bytes(b"PK")
    (inbox / "contacts/latest.csv").symlink_to(data_dir / "exports/contacts.csv")
    (inbox / "webvisits").mkdir()
    (inbox / "webvisits/day1.csv").write_text("event_id\n")
    (inbox / "contacts/crm_export_1.csv").write_text("Record ID,Create Date\n1,2026-01-02 10:00:00\n")
    mapping = data_dir / "mappings/hubspot_contacts.yml"
    good_mapping = mapping.read_text()
    lines = good_mapping.splitlines()
    broken_line = next(i for i, line in enumerate(lines) if line.startswith("columns:")) + 2
    lines.insert(broken_line - 1, "  company: Company: Name")  # a colon YAML cannot read
    mapping.write_text("\n".join(lines) + "\n")
    (data_dir / "mappings/leads.yml").write_text("source: leads\nfiles: '*'\ncolumns: {}\n")
    run = funnel(data_dir, "run")
    return {"dir": data_dir, "run": run, "good_mapping": good_mapping, "broken_line": broken_line}


def test_the_run_names_every_problem_and_exits_1_for_the_broken_mapping(troubled):
    run = troubled["run"]
    out, err = run.stdout, run.stderr
    assert run.returncode == 1, out + err
    assert "Traceback" not in out + err
    lines = out.splitlines()
    spend = next(i for i, line in enumerate(lines) if line.startswith("ingested raw/marketing_spend:"))
    assert "1 unreadable file(s)" in lines[spend]
    block = []
    for line in lines[spend + 1:]:
        if not line.startswith("  "):
            break
        block.append(line.strip())
    assert block[0].startswith("unreadable: marketing_spend/spend_2026-02.csv.gz: ") and "gzip" in block[0]
    assert any(line.startswith("ignored: marketing_spend/budget.xlsx: unknown file type") for line in block)
    assert (f"rejected {BAD_DATES} rows: spend_date: not an ISO 8601 timestamp; e.g. "
            "marketing_spend/spend_2026-01.csv, line 3, field 'spend_date': not an ISO 8601 "
            "timestamp: '2026-13-01'") in block
    assert sum(line.startswith("rejected ") for line in block) == 3  # a few lines at most
    assert "... 1 more (funnel quality; every row: raw.<source>_rejected)" in block
    assert "unknown channel values kept: 'tv' (1 row)" in block
    assert "jane.doe@example.com" not in out

    assert "  ignored: contacts/latest.csv: a symbolic link to" in out
    assert ("  held back until mappings/hubspot_contacts.yml is fixed: 4 file(s), "
            "contacts/contacts_2026-01-01.parquet, ") in out
    assert ("ignored: inbox/webvisits/day1.csv: in a folder that is not a source "
            "(did you mean web_visits/?)") in out

    errors = err.strip().splitlines()
    assert errors[0].startswith(f"error: broken mapping mappings/hubspot_contacts.yml, line "
                                f"{troubled['broken_line']}: not valid YAML: ")
    assert errors[0].endswith("new contacts files that no other mapping matches are held back "
                              "until it is fixed")
    assert errors[1].startswith("error: broken mapping mappings/leads.yml, line 1: source 'leads' "
                                "is not one of")
    assert errors[-1].startswith("error: a mapping file is broken (above): fix it, then run again")


def test_the_other_sources_are_loaded_built_and_published(troubled):
    data_dir = troubled["dir"]
    con = duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM raw.web_visits").fetchone()[0] > 0
        assert con.execute("SELECT count(*) FROM raw._ingested_files WHERE source = 'contacts'"
                           ).fetchone() == (0,), "held-back files stay out of the ledger"
        assert con.execute("SELECT count(*) FROM raw.marketing_spend_rejected WHERE line_number "
                           "IS NOT NULL").fetchone() == (7,)
    finally:
        con.close()
    assert (data_dir / "published/funnel.duckdb").is_file()


def test_funnel_quality_shows_the_run_and_the_last_7_days(troubled):
    quality = funnel(troubled["dir"], "quality")
    text = quality.stdout
    run_part, _, recent_part = text.partition("Ingestion problems of the last 7 days")
    assert "Ingestion problems of the last run:" in run_part
    assert "broken mapping mappings/hubspot_contacts.yml" in run_part
    assert "marketing_spend: 2 file(s), 1 unreadable, 7 rows rejected" in run_part
    assert "held back until mappings/hubspot_contacts.yml is fixed: 4 file(s), " in run_part
    assert "contacts/crm_export_1.csv" in run_part  # every file is listed here
    for part in (run_part, recent_part):
        assert "unreadable: marketing_spend/spend_2026-02.csv.gz: " in part
        assert f"rejected {BAD_DATES} rows: spend_date: not an ISO 8601 timestamp; e.g. " \
               "marketing_spend/spend_2026-01.csv, line 3" in part


def test_the_report_shows_the_problems_without_raw_records(troubled):
    report = funnel(troubled["dir"], "report")
    assert report.returncode == 0, report.stderr
    html = (troubled["dir"] / "reports/latest.html").read_text()
    run_part, _, recent_part = html.partition("Ingestion problems of the last 7 days")
    assert "Ingestion problems of the last run" in run_part
    for part in (run_part, recent_part):
        assert "marketing_spend/spend_2026-02.csv.gz" in part
        assert "marketing_spend/spend_2026-01.csv, line 3" in part
    assert "mappings/hubspot_contacts.yml" in run_part
    assert "SECRET-CAMPAIGN" not in html, "a rejected row's raw record is not published"
    assert "jane.doe@example.com" not in html


def test_once_the_mapping_is_fixed_the_held_back_files_load(troubled):
    data_dir = troubled["dir"]
    (data_dir / "mappings/hubspot_contacts.yml").write_text(troubled["good_mapping"])
    (data_dir / "mappings/leads.yml").unlink()
    ingest = funnel(data_dir, "ingest")
    assert ingest.returncode == 0, ingest.stdout + ingest.stderr
    assert "held back" not in ingest.stdout and "broken mapping" not in ingest.stderr
    assert "ingested raw/contacts: 4 new file(s)" in ingest.stdout  # 3 sample days + the export
