"""The hubspot preset (issue 15) on fixtures in HubSpot's own shapes (tests/exports/hubspot):
the CRM's contacts and deals exports (display labels, stage labels, "Associated Contact IDs",
CRLF, quoted) and the connector's contact table (property_ columns, " UTC" times). Figures counted by hand from those files; one warehouse for all presets
(`preset_warehouse`, conftest)."""

from __future__ import annotations

HUBSPOT_CONTACTS = "contact_id like '7510001%'"
HUBSPOT_DEALS = "opportunity_id like '9310002%'"


def _rows(con, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


def test_hubspot_contacts_keep_their_lifecycle_stage_and_original_channel(preset_warehouse):
    # Ana: "Marketing Qualified Lead", Organic Search; Ben: "Customer", Paid Social, his email
    # written in capitals; Chen: "Other" (no such stage here: a lead), Offline Sources (an
    # import or a sales entry: outbound).
    rows = _rows(preset_warehouse, "select contact_id, email, lifecycle_stage, original_channel "
                 f"from marts.dim_contacts where {HUBSPOT_CONTACTS} order by contact_id")
    assert rows == [("751000101", "ana.lopez@umbrella.example", "mql", "organic_search"),
                    ("751000102", "ben.okafor@hooli.example", "customer", "paid_social"),
                    ("751000103", "chen.wei@stark.example", "lead", "outbound")]


def test_hubspot_connector_contacts_use_internal_values_and_drop_deleted_ones(preset_warehouse):
    # hubspot_contact.csv (a connector's contact table): Dana salesqualifiedlead, PAID_SEARCH,
    # MQL on 2026-01-09; Eli subscriber, EMAIL_MARKETING; 751000203 deleted (left out).
    rows = _rows(preset_warehouse, "select contact_id, lifecycle_stage, original_channel, "
                 "became_mql_at::varchar from marts.dim_contacts where contact_id like '7510002%' "
                 "order by contact_id")
    assert rows == [("751000201", "sql", "paid_search", "2026-01-09 09:00:00"),
                    ("751000202", "subscriber", "email", None)]
    filtered = _rows(preset_warehouse, "select rows_filtered from raw._ingested_files "
                     "where file_path = 'contacts/hubspot_contact.csv'")
    assert filtered == [(1,)]


def test_hubspot_deal_stages_come_from_the_stage_labels(preset_warehouse):
    # Hooli platform: Closed Won, 24,000; Umbrella pilot: Presentation Scheduled, 6,500.50,
    # expected to close 2026-02-27; Stark expansion: Closed Lost, 9,000.
    won = _rows(preset_warehouse, "select count(*), sum(amount) from marts.fct_opportunities "
                f"where is_won and {HUBSPOT_DEALS}")
    assert won == [(1, 24000.0)]
    rows = _rows(preset_warehouse, "select opportunity_id, stage, is_closed, closed_at::date::varchar "
                 f"from marts.fct_opportunities where {HUBSPOT_DEALS} order by 1")
    assert rows == [("931000201", "closed_won", True, "2026-01-20"),
                    ("931000202", "proposal", False, None),
                    ("931000203", "closed_lost", True, "2026-01-28")]
    open_deal = _rows(preset_warehouse, "select expected_close_at::date::varchar, probability, "
                      "forecast_category from raw.opportunities where opportunity_id = '931000202'")
    assert open_deal == [("2026-02-27", 0.6, "pipeline")]


def test_hubspot_deals_link_to_their_first_associated_contact(preset_warehouse):
    # "Associated Contact IDs" of Umbrella pilot is "751000101;751000103": the first is taken.
    links = dict(_rows(preset_warehouse, "select opportunity_id, contact_id from "
                       f"marts.fct_opportunities where {HUBSPOT_DEALS}"))
    assert links == {"931000201": "751000102", "931000202": "751000101",
                     "931000203": "751000103"}


def test_hubspot_connector_deals_take_their_contact_from_the_association_table(preset_warehouse):
    # deal.csv: Wayne analytics closedwon 18,000, Cyberdyne trial contractsent 3,500,
    # 931000303 deleted (filtered). deal_contact.csv: 931000301 has contacts 751000202 and
    # 751000201, none primary: the earliest (lowest id) 751000201; 931000302 has 751000202.
    rows = _rows(preset_warehouse, "select opportunity_id, contact_id, contact_basis, stage, "
                 "amount from marts.fct_opportunities where opportunity_id like '9310003%' "
                 "order by 1")
    assert rows == [("931000301", "751000201", "earliest_association", "closed_won", 18000.0),
                    ("931000302", "751000202", "earliest_association", "negotiation", 3500.0)]
