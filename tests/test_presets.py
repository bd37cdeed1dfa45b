"""Presets (issue 15): `funnel presets` lists and installs the shipped mapping files, and the
exports of each tool, in the exact shapes the tool writes them (tests/exports/<preset>/), load
through them and give the figures a reader of those files counts by hand.

Fixtures: tests/exports/<preset>/<source>/<file>, each file copied into inbox/<source>/ as it
is. One `funnel run` over all of them (`preset_warehouse` in conftest) serves every figure
below and in the test_presets_<tool>.py modules.
"""

from __future__ import annotations

import json

import pytest
from conftest import preset_exports as _exports

from pipelines import presets
from pipelines.cli import main
from pipelines.ingestion.file_formats import header_names
from pipelines.ingestion.mapping import load_mappings


def test_every_fixture_folder_is_a_shipped_preset():
    assert {preset for preset, _, _ in _exports()} <= set(presets.available())


def test_presets_lists_every_shipped_preset(capsys, tmp_path):
    assert main(["presets", "--data-dir", str(tmp_path)]) == 0
    listed = [line.split()[0] for line in capsys.readouterr().out.splitlines() if line.strip()]
    shipped = sorted(p.parent.name for p in presets.PRESETS_DIR.glob("*/preset.yml"))
    assert listed == shipped


def test_install_writes_then_keeps_an_edited_file_until_forced(capsys, tmp_path):
    args = ["presets", "install", "salesforce", "--data-dir", str(tmp_path)]
    assert main(args) == 0
    mapping = tmp_path / "mappings" / "salesforce_opportunity.yml"
    lookup = tmp_path / "lookups" / "salesforce_opportunity_stages.csv"
    shipped = (presets.PRESETS_DIR / "salesforce" / "salesforce_opportunity.yml").read_text()
    assert mapping.read_text() == shipped and lookup.exists()

    assert main(args) == 0  # again: nothing to do
    assert "0 file(s) written" in capsys.readouterr().out

    edited = shipped + "# our own stage rule\n"
    mapping.write_text(edited)
    assert main(args) == 1
    assert "salesforce_opportunity.yml" in capsys.readouterr().err
    assert mapping.read_text() == edited

    assert main([*args, "--force"]) == 0
    assert mapping.read_text() == shipped


def test_install_never_replaces_a_users_own_file_of_the_same_name(tmp_path):
    own = tmp_path / "lookups" / "salesforce_opportunity_stages.csv"
    own.parent.mkdir(parents=True)
    own.write_text("salesforce_stage,stage\nOur Stage,discovery\n")
    assert main(["presets", "install", "salesforce", "--data-dir", str(tmp_path)]) == 1
    assert own.read_text() == "salesforce_stage,stage\nOur Stage,discovery\n"


def test_install_of_an_unknown_preset_is_a_usage_error(capsys, tmp_path):
    assert main(["presets", "install", "nosuchtool", "--data-dir", str(tmp_path)]) == 2
    assert "nosuchtool" in capsys.readouterr().err


def test_every_shipped_mapping_has_a_fixture_export_it_recognises(all_presets_dir):
    mappings = load_mappings(all_presets_dir / "mappings")
    recognising = {m.path.name for m in mappings for _, source, path in _exports()
                   if m.matches(source, f"{source}/{path.name}", header_names(path))}
    assert sorted({m.path.name for m in mappings} - recognising) == []


@pytest.mark.parametrize("preset,source,path", _exports(), ids=lambda v: getattr(v, "name", v))
def test_each_export_is_recognised_by_exactly_one_mapping(all_presets_dir, preset, source, path):
    """Whatever its file name, an export is told by its header, and by one mapping only (with
    two, the one that wins would depend on the order of file names)."""
    mappings = load_mappings(all_presets_dir / "mappings")
    assert mappings.problems == []
    header = header_names(path)
    recognising = [m.path.name for m in mappings
                   if m.matches(source, f"{source}/any_name{path.suffix}", header)]
    assert len(recognising) == 1, recognising
    assert recognising[0].startswith(preset)


def _rows(con, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


def test_every_export_loads_whole_through_its_preset(preset_warehouse):
    ledger = {path: (mapping, status, rejected) for path, mapping, status, rejected in _rows(
        preset_warehouse, "select file_path, mapping_file, status, rows_rejected "
                          "from raw._ingested_files")}
    for preset, source, path in _exports():
        mapping, status, rejected = ledger[f"{source}/{path.name}"]
        assert (status, rejected) == ("loaded", 0), path
        assert mapping.startswith(preset), (path, mapping)


# Salesforce (tests/exports/salesforce): Opportunity.csv holds A1xQ1 won 12,000, A1xQ2 lost
# 5,000, A1xQ3 open at Proposal (8,000, probability 50, CloseDate 2026-02-28) and A1xQ4 won
# 99,999 but deleted; the connector table holds B2xQ1 won 3,000 and B2xQ2 open in Negotiation.
SALESFORCE_OPPORTUNITIES = "opportunity_id like '0065g00000%'"


def test_salesforce_won_deals_come_from_iswon_and_deleted_rows_are_filtered(preset_warehouse):
    won = _rows(preset_warehouse, "select count(*), sum(amount) from marts.fct_opportunities "
                f"where is_won and {SALESFORCE_OPPORTUNITIES}")
    assert won == [(2, 12000 + 3000.0)]  # A1xQ1 and B2xQ1; not the deleted A1xQ4
    stages = dict(_rows(preset_warehouse, "select opportunity_id, stage from marts.fct_opportunities "
                        f"where {SALESFORCE_OPPORTUNITIES}"))
    assert stages == {"0065g00000A1xQ1AAJ": "closed_won", "0065g00000A1xQ2AAJ": "closed_lost",
                      "0065g00000A1xQ3AAJ": "proposal", "0065g00000B2xQ1AAJ": "closed_won",
                      "0065g00000B2xQ2AAJ": "negotiation"}
    filtered = _rows(preset_warehouse, "select rows_filtered from raw._ingested_files "
                     "where file_path = 'opportunities/Opportunity.csv'")
    assert filtered == [(1,)]


def test_salesforce_closedate_is_a_close_date_only_when_closed(preset_warehouse):
    rows = dict(_rows(preset_warehouse, "select opportunity_id, closed_at::date::varchar "
                      f"from marts.fct_opportunities where {SALESFORCE_OPPORTUNITIES}"))
    assert rows["0065g00000A1xQ1AAJ"] == "2026-01-20"
    assert rows["0065g00000A1xQ3AAJ"] is None  # open: CloseDate is its expected close
    expected = _rows(preset_warehouse, "select expected_close_at::date::varchar, probability "
                     "from raw.opportunities where opportunity_id = '0065g00000A1xQ3AAJ'")
    assert expected == [("2026-02-28", 0.5)]


def test_salesforce_tasks_and_events_become_interactions(preset_warehouse):
    # Task.csv: a call (T1) and an email (T2, to a lead); T3 is a plain task, left out.
    # Event.csv: one meeting (E1). The connector's task table: an inbound call on B2xQ2 at
    # 10:20 UTC (T2a1), an email whose WhatId is an account, not a deal (T2a2), and a deleted
    # call (T2a3), left out.
    rows = sorted(_rows(preset_warehouse, "select interaction_id, interaction_type, contact_id, "
                        "opportunity_id, direction, occurred_at::varchar "
                        "from marts.fct_sales_interactions where interaction_id like '00%'"))
    assert rows == [
        ("00T5g00000T1aa1EAB", "call", "0035g00000C1aa1AAB", "0065g00000A1xQ1AAJ", "outbound",
         "2026-01-07 15:00:00"),
        ("00T5g00000T1aa2EAB", "email_sent", "00Q5g00000L1aa1EAB", None, "outbound",
         "2026-01-04 11:00:00"),
        ("00T5g00000T2aa1EAB", "call", "0035g00000C1aa2AAB", "0065g00000B2xQ2AAJ", "inbound",
         "2026-01-16 10:20:00"),
        ("00T5g00000T2aa2EAB", "email_sent", "0035g00000C1aa2AAB", None, "outbound",
         "2026-01-17 08:00:00"),
        ("00U5g00000E1aa1EAB", "meeting", "0035g00000C1aa2AAB", "0065g00000A1xQ3AAJ", "outbound",
         "2026-01-14 16:00:00")]


def test_salesforce_converted_leads_are_left_to_their_contact(preset_warehouse):
    # Lead.csv: L1 open, L2 converted (its Contact is C1), L3 deleted.
    leads = _rows(preset_warehouse, "select contact_id, email from marts.dim_contacts "
                  "where contact_id like '00Q%'")
    assert leads == [("00Q5g00000L1aa1EAB", "jurgen.muller@initech.example")]
    contacts = _rows(preset_warehouse, "select count(*) from marts.dim_contacts "
                     "where contact_id like '0035g00000%'")
    assert contacts == [(2,)]


def test_salesforce_custom_fields_reach_the_marts(preset_warehouse):
    # The preset keeps Opportunity Type and LeadSource, Lead Industry and Rating, Task Subject
    # and CallDurationInSeconds (Rating and the email's duration are empty in the files).
    def fields(table, key, value):
        [(text,)] = _rows(preset_warehouse, f"select custom_fields from marts.{table} "
                          f"where {key} = '{value}'")
        return json.loads(text)

    assert fields("fct_opportunities", "opportunity_id", "0065g00000A1xQ3AAJ") == {
        "type": "Existing Customer - Upgrade", "lead_source": "Web"}
    assert fields("dim_contacts", "contact_id", "00Q5g00000L1aa1EAB") == {
        "industry": "Technology", "rating": None}
    assert fields("fct_sales_interactions", "interaction_id", "00T5g00000T1aa1EAB") == {
        "subject": "Call", "call_duration_s": "1200"}
    assert fields("fct_sales_interactions", "interaction_id", "00T5g00000T1aa2EAB") == {
        "subject": "Email: Intro", "call_duration_s": None}
