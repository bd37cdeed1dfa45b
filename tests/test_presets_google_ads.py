"""Google Ads preset (tests/exports/google_ads/marketing_spend): spend in currency units.

Campaign report.csv, the UI download as "Excel CSV" (UTF-16, tabs, a title and a date range
above the header, two Total rows at the end), in EUR with thousands separators:
    2026-03-02  GA Brand Search EU     1,234.50
    2026-03-02  GA Generic Search EU     310.25
    2026-03-03  GA Brand Search EU        99.75
    2026-03-03  GA Generic Search EU      45.10
    Total: Account / Total: Search  1,689.60 each: filtered, 2 rows
campaign_stats.csv, the connector table (cost in micros, one row per device and network):
    2026-03-04  9100000001  DESKTOP 136190000 + MOBILE 25000000  = 136.19 + 25.00 = 161.19
    2026-03-04  9100000002  DESKTOP   1500000                    =   1.50
    2026-03-05  9100000002  TABLET          0                    =   0.00
p_ads_CampaignBasicStats_1234567890.csv, the BigQuery Data Transfer table (micros):
    2026-03-06  9100000003  DESKTOP 12340000 + MOBILE 5660000 = 12.34 + 5.66 = 18.00
March 2026, paid_search (no other preset has paid_search spend):
    1689.60 + 161.19 + 1.50 + 0 + 18.00 = 1870.29, over 5 campaigns (2 names, 3 ids).
"""

import pytest

GOOGLE_ADS = "(campaign like 'GA %' or campaign like '91000000%')"


def _rows(con, sql):
    return con.execute(sql).fetchall()


def test_google_ads_daily_spend_by_campaign_in_currency_units(preset_warehouse):
    rows = _rows(preset_warehouse, "select spend_date::date::varchar, campaign, channel, "
                 f"round(sum(amount), 2) from raw.marketing_spend where {GOOGLE_ADS} "
                 "group by all order by 1, 2")
    assert rows == [
        ("2026-03-02", "GA Brand Search EU", "paid_search", 1234.50),
        ("2026-03-02", "GA Generic Search EU", "paid_search", 310.25),
        ("2026-03-03", "GA Brand Search EU", "paid_search", 99.75),
        ("2026-03-03", "GA Generic Search EU", "paid_search", 45.10),
        ("2026-03-04", "9100000001", "paid_search", 161.19),  # micros / 1e6, two devices
        ("2026-03-04", "9100000002", "paid_search", 1.50),
        ("2026-03-05", "9100000002", "paid_search", 0.0),
        ("2026-03-06", "9100000003", "paid_search", 18.00),  # BigQuery transfer, micros
    ]


def test_google_ads_spend_in_the_roi_mart(preset_warehouse):
    rows = _rows(preset_warehouse, "select distinct spend, campaigns from marts.mart_marketing_roi "
                 "where channel = 'paid_search' and month = date '2026-03-01'")
    assert len(rows) == 1
    assert rows[0][0] == pytest.approx(1870.29) and rows[0][1] == 5


def test_google_ads_total_rows_are_filtered_and_counted(preset_warehouse):
    rows = _rows(preset_warehouse, "select rows_read, rows_loaded, rows_filtered, mapping_file "
                 "from raw._ingested_files "
                 "where file_path = 'marketing_spend/Campaign report.csv'")
    assert rows == [(6, 4, 2, "google_ads_ui_report.yml")]
