"""LinkedIn Ads preset (tests/exports/linkedin_ads/marketing_spend): spend in currency units.

campaign_performance_report.csv, Campaign Manager's export (six lines of report details above
the header, dates M/D/YYYY, thousands separators), EUR:
    4/6/2026  LI Q2 Decision Makers  1,020.40
    4/6/2026  LI Q2 Retargeting         75.00
    4/7/2026  LI Q2 Decision Makers    980.10
ad_analytics_by_campaign.csv, the connector table (local currency, else USD when empty):
    2026-04-08  612349901  local 410.25                 -> 410.25
    2026-04-09  612349901  local empty, usd 380.00      -> 380.00 (not rejected)
    2026-04-09  612349902  local 22.50, usd empty       ->  22.50
April 2026, paid_social (Meta's fixture spends in May):
    1020.40 + 75.00 + 980.10 + 410.25 + 380.00 + 22.50 = 2888.25, over 4 campaigns.
"""

import pytest

LINKEDIN = "(campaign like 'LI Q2 %' or campaign like '6123499%')"


def _rows(con, sql):
    return con.execute(sql).fetchall()


def test_linkedin_daily_spend_by_campaign(preset_warehouse):
    rows = _rows(preset_warehouse, "select spend_date::date::varchar, campaign, channel, "
                 f"round(sum(amount), 2) from raw.marketing_spend where {LINKEDIN} "
                 "group by all order by 1, 2")
    assert rows == [
        ("2026-04-06", "LI Q2 Decision Makers", "paid_social", 1020.40),
        ("2026-04-06", "LI Q2 Retargeting", "paid_social", 75.00),
        ("2026-04-07", "LI Q2 Decision Makers", "paid_social", 980.10),
        ("2026-04-08", "612349901", "paid_social", 410.25),
        ("2026-04-09", "612349901", "paid_social", 380.00),  # cost_in_usd: local was empty
        ("2026-04-09", "612349902", "paid_social", 22.50),
    ]


def test_linkedin_spend_in_the_roi_mart(preset_warehouse):
    rows = _rows(preset_warehouse, "select distinct spend, campaigns from marts.mart_marketing_roi "
                 "where channel = 'paid_social' and month = date '2026-04-01'")
    assert len(rows) == 1
    assert rows[0][0] == pytest.approx(2888.25) and rows[0][1] == 4


def test_linkedin_connector_rows_with_one_empty_cost_are_loaded(preset_warehouse):
    rows = _rows(preset_warehouse, "select rows_read, rows_loaded, rows_rejected "
                 "from raw._ingested_files "
                 "where file_path = 'marketing_spend/ad_analytics_by_campaign.csv'")
    assert rows == [(3, 3, 0)]
