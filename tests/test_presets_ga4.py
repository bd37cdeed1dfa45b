"""GA4 preset (tests/exports/ga4/web_visits/events_20260310.json): the BigQuery event export as
NDJSON, 15 events of three visitors (user_pseudo_id 9900000001..3), times UTC.

Kept (page_view, form_submit, file_download -> content_download), 7 events; filtered (GA4's
session_start x4, first_visit x2, user_engagement, scroll), 8 events.
Sessions, as the warehouse makes them (a gap of 30 minutes or a new campaign), by hand:
    V1 2026-03-10 10:00:00  page_view (gclid, no UTM: google / cpc), page_view /pricing
                            (engagement 42000 ms = 42 s), form_submit 10:07:30
                            -> paid_search, 3 events, 2 pageviews, 450 s
    V1 2026-03-10 12:00:00  page_view, referrer www.google.com, no UTM (gap 1 h 52 min)
                            -> organic_search, 1 event
    V2 2026-03-10 15:00:00  page_view (linkedin / paid_social / LI Q2 Decision Makers),
                            file_download 15:03 -> paid_social, 2 events, 1 pageview
    V3 2026-03-11 09:00:00  page_view, no referrer, no UTM -> direct, 1 event
mart_funnel_daily visits: 2026-03-10 paid_search 1, organic_search 1, paid_social 1;
2026-03-11 direct 1.
"""

import hashlib

GA4 = "visitor_id like '99000000%'"


def _rows(con, sql):
    return con.execute(sql).fetchall()


def test_ga4_sessions_and_their_channels(preset_warehouse):
    rows = _rows(preset_warehouse, "select visitor_id, started_at::varchar, channel, event_count, "
                 f"pageviews, duration_seconds from marts.fct_sessions where {GA4} order by 1, 2")
    assert rows == [
        ("9900000001.1773136800", "2026-03-10 10:00:00", "paid_search", 3, 2, 450),
        ("9900000001.1773136800", "2026-03-10 12:00:00", "organic_search", 1, 1, 0),
        ("9900000002.1773154800", "2026-03-10 15:00:00", "paid_social", 2, 1, 180),
        ("9900000003.1773219600", "2026-03-11 09:00:00", "direct", 1, 1, 0),
    ]


def test_ga4_visits_in_the_daily_funnel(preset_warehouse):
    rows = _rows(preset_warehouse, "select metric_date::varchar, channel, visits "
                 "from marts.mart_funnel_daily where visits > 0 "
                 "and metric_date between date '2026-03-10' and date '2026-03-11' order by 1, 2")
    assert rows == [("2026-03-10", "organic_search", 1), ("2026-03-10", "paid_search", 1),
                    ("2026-03-10", "paid_social", 1), ("2026-03-11", "direct", 1)]


def test_ga4_events_map_onto_web_visits(preset_warehouse):
    rows = _rows(preset_warehouse, "select event_type, count(*) from raw.web_visits "
                 f"where {GA4} group by 1 order by 1")
    assert rows == [("content_download", 1), ("form_submit", 1), ("page_view", 5)]
    pricing = _rows(preset_warehouse, "select event_id, time_on_page_s, referrer_url, device, "
                    "country from raw.web_visits where page_url like '%/pricing'")
    key = "9900000001.1773136800|1773137100000000|page_view|1773136800"  # 10:05:00 UTC
    assert pricing == [(hashlib.md5(key.encode()).hexdigest(), 42.0,
                        "https://www.acme-analytics.example/?gclid=Cj0KCQ", "desktop", "Germany")]
    linkedin = _rows(preset_warehouse, "select contact_id, utm_source, utm_medium, utm_campaign "
                     "from raw.web_visits where event_type = 'page_view' "
                     "and visitor_id = '9900000002.1773154800'")
    assert linkedin == [("NW-CUST-0042", "linkedin", "paid_social", "LI Q2 Decision Makers")]
    ledger = _rows(preset_warehouse, "select rows_read, rows_loaded, rows_filtered "
                   "from raw._ingested_files where file_path = 'web_visits/events_20260310.json'")
    assert ledger == [(15, 7, 8)]
