"""Meta Ads preset (tests/exports/meta_ads/marketing_spend): spend in currency units.

Northwind-Campaigns-May-11-2026-May-12-2026.csv, Ads Manager's export (a byte order mark, a
quoted campaign name with a comma, broken down by Day), USD:
    2026-05-11  MA Spring Leads US                  210.00
    2026-05-11  MA Retargeting, Website Visitors     39.99
    2026-05-12  MA Spring Leads US                  198.15
    2026-05-12  MA Retargeting, Website Visitors    (empty: did not deliver) -> 0
ads_insights.csv, the connector table (one row per ad):
    2026-05-13  MA Conversions EU  88.40 + 51.60 = 140.00 (two ads)
    2026-05-14  MA Conversions EU  80.05
May 2026, paid_social (LinkedIn's fixture spends in April):
    210.00 + 39.99 + 198.15 + 0 + 140.00 + 80.05 = 668.19, over 3 campaigns.
"""

import pytest

META = "campaign like 'MA %'"


def _rows(con, sql):
    return con.execute(sql).fetchall()


def test_meta_daily_spend_by_campaign(preset_warehouse):
    rows = _rows(preset_warehouse, "select spend_date::date::varchar, campaign, channel, "
                 f"round(sum(amount), 2) from raw.marketing_spend where {META} "
                 "group by all order by 1, 2")
    assert rows == [
        ("2026-05-11", "MA Retargeting, Website Visitors", "paid_social", 39.99),
        ("2026-05-11", "MA Spring Leads US", "paid_social", 210.00),
        ("2026-05-12", "MA Retargeting, Website Visitors", "paid_social", 0.0),
        ("2026-05-12", "MA Spring Leads US", "paid_social", 198.15),
        ("2026-05-13", "MA Conversions EU", "paid_social", 140.00),  # two ads summed
        ("2026-05-14", "MA Conversions EU", "paid_social", 80.05),
    ]


def test_meta_spend_in_the_roi_mart(preset_warehouse):
    rows = _rows(preset_warehouse, "select distinct spend, campaigns from marts.mart_marketing_roi "
                 "where channel = 'paid_social' and month = date '2026-05-01'")
    assert len(rows) == 1
    assert rows[0][0] == pytest.approx(668.19) and rows[0][1] == 3
