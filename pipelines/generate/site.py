"""The pages of the sample company's website, and which pages each kind of event happens on."""

from __future__ import annotations

SITE = "https://www.acme-analytics.example"

_BLOG = (
    "/blog/mql-vs-sql", "/blog/marketing-sales-sla", "/blog/b2b-attribution-models",
    "/blog/funnel-metrics-that-matter", "/blog/lead-scoring-101", "/blog/dbt-for-revops",
)
_GUIDES = (
    "/resources/guide-funnel-benchmarks", "/resources/guide-attribution",
    "/resources/template-sla",
)

# (path, weight) for pages visited after the landing page.
BROWSING_PAGES = (
    ("/", 12), ("/pricing", 8), ("/product", 8), ("/product/attribution", 5),
    ("/product/dashboards", 5), ("/product/data-quality", 3), ("/integrations", 4),
    ("/integrations/hubspot", 2), ("/integrations/salesforce", 2), ("/customers", 3),
    ("/customers/northwind-logistics", 1.5), ("/customers/helix-health", 1), ("/blog", 4),
    *((p, 1.5) for p in _BLOG), ("/resources", 2), *((p, 1) for p in _GUIDES),
    ("/webinars", 1), ("/about", 2), ("/careers", 1.5), ("/docs", 3),
    ("/docs/getting-started", 2), ("/contact", 1.5), ("/security", 1.5), ("/demo", 1),
)

# (path, weight) of landing pages per channel.
LANDING_PAGES = {
    "paid_search": (("/pricing", 3), ("/lp/funnel-analytics", 4), ("/lp/attribution", 3),
                    ("/demo", 1), ("/", 2)),
    "paid_social": (("/lp/abm-guide", 3), ("/webinars/funnel-metrics", 2), ("/product", 2)),
    "email": (*((p, 1) for p in _BLOG), ("/webinars/funnel-metrics", 2),
              ("/product/whats-new", 2)),
    "organic_search": (*((p, 2) for p in _BLOG), ("/", 3), ("/pricing", 2), ("/docs", 2)),
    "organic_social": (*((p, 2) for p in _BLOG), ("/", 2), ("/careers", 1)),
    "referral": (("/", 3), ("/customers", 2), ("/integrations", 2), ("/pricing", 1)),
    "events": (("/webinars/funnel-metrics", 3), ("/events/saastr-europa", 2), ("/", 1)),
    "direct": (("/", 8), ("/pricing", 2), ("/docs", 2), ("/login", 3)),
    "other": (("/", 2), ("/lp/print-offer", 2)),
}

# Site events that happen on a page of their own kind; the others keep the browsed page.
EVENT_PAGES = {
    "pricing_view": ("/pricing",),
    "content_download": _GUIDES,
    "video_play": ("/product/tour", "/product"),
    "demo_request": ("/demo",),
    "form_submit": ("/contact", "/newsletter", "/webinars/funnel-metrics/register", *_GUIDES),
}

# (event type, weight) of the events after a session's landing page view; forms are scripted.
BROWSING_EVENTS = (
    ("page_view", 90), ("pricing_view", 4), ("content_download", 2.5), ("video_play", 2.5),
    ("chat_start", 1),
)
