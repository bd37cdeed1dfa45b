"""How visits arrive: the UTM parameters and referrers a web analytics tool records.

Each touchpoint is one way of arriving, tagged with the marketing channel it is meant to
exercise in the dbt channel rules. A session draws one touchpoint by weight, then one value
from each of its tuples.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Touchpoint:
    channel: str
    weight: float
    utm_source: str | None = None
    utm_medium: str | None = None
    campaigns: tuple[str | None, ...] = (None,)
    contents: tuple[str | None, ...] = (None,)
    terms: tuple[str | None, ...] = (None,)
    referrers: tuple[str | None, ...] = (None,)


_SEARCH_TERMS = (
    "funnel analytics", "marketing attribution software", "b2b funnel dashboard",
    "acme analytics", "lead to revenue reporting", "mql to sql conversion",
)
_PAID_SEARCH_CAMPAIGNS = (
    "brand_search_2026", "competitor_terms", "generic_funnel_analytics", "generic_attribution",
)
_PAID_SOCIAL_CAMPAIGNS = ("abm_enterprise_q1", "retargeting_pricing", "webinar_promo_funnel")
_NEWSLETTERS = ("newsletter_2026_01", "newsletter_2026_02", "newsletter_2026_03")
_NURTURE = ("nurture_step_1", "nurture_step_2", "product_update_q1", "webinar_invite")

TOUCHPOINTS: tuple[Touchpoint, ...] = (
    # paid_search: cpc or ppc from a search engine
    Touchpoint("paid_search", 8.5, "google", "cpc", _PAID_SEARCH_CAMPAIGNS, ("rsa_v1", "rsa_v2"),
               _SEARCH_TERMS, ("https://www.google.com/",)),
    Touchpoint("paid_search", 1.0, "Google", "CPC", _PAID_SEARCH_CAMPAIGNS, ("rsa_v1",),
               _SEARCH_TERMS, ("https://www.google.com/",)),
    Touchpoint("paid_search", 2.5, "bing", "cpc", _PAID_SEARCH_CAMPAIGNS, ("rsa_v1",),
               _SEARCH_TERMS, ("https://www.bing.com/",)),
    Touchpoint("paid_search", 2.0, "google", "ppc", _PAID_SEARCH_CAMPAIGNS, ("text_ad_a",),
               _SEARCH_TERMS, ("https://www.google.com/",)),
    # paid_social: paid_social or cpc from a social network
    Touchpoint("paid_social", 4.0, "linkedin", "paid_social", _PAID_SOCIAL_CAMPAIGNS,
               ("carousel_1", "single_image_a", "video_15s"),
               referrers=("https://www.linkedin.com/", None)),
    Touchpoint("paid_social", 1.5, "LinkedIn", "cpc", _PAID_SOCIAL_CAMPAIGNS, ("sponsored_post",),
               referrers=("https://www.linkedin.com/",)),
    Touchpoint("paid_social", 1.5, "facebook", "paid_social", _PAID_SOCIAL_CAMPAIGNS,
               ("video_15s",), referrers=("https://www.facebook.com/", "https://m.facebook.com/")),
    Touchpoint("paid_social", 1.0, "facebook", "cpc", ("retargeting_pricing",), ("carousel_2",),
               referrers=("https://l.facebook.com/",)),
    # email: newsletter or marketing automation sends
    Touchpoint("email", 5.0, "newsletter", "email", _NEWSLETTERS, ("header_cta", "footer_link")),
    Touchpoint("email", 4.0, "hubspot", "email", _NURTURE, ("cta_button",),
               referrers=(None, None, "https://outlook.office.com/")),
    # organic_search: no UTM, a search engine as referrer
    Touchpoint("organic_search", 20.0, referrers=("https://www.google.com/",)),
    Touchpoint("organic_search", 3.0, referrers=("https://www.bing.com/",)),
    Touchpoint("organic_search", 2.0, referrers=("https://duckduckgo.com/",)),
    Touchpoint("organic_search", 1.0, referrers=("https://www.ecosia.org/",)),
    Touchpoint("organic_search", 1.0, referrers=("https://search.yahoo.com/",)),
    # organic_social: a social network as referrer, or utm_medium social
    Touchpoint("organic_social", 2.5, referrers=("https://www.linkedin.com/feed/",)),
    Touchpoint("organic_social", 1.5, referrers=("https://t.co/x7Kq2LmP0a", "https://t.co/")),
    Touchpoint("organic_social", 1.0, referrers=("https://www.facebook.com/",)),
    Touchpoint("organic_social", 0.5, referrers=("https://www.reddit.com/r/analytics/",)),
    Touchpoint("organic_social", 1.0, "linkedin", "social", ("company_page_post",)),
    Touchpoint("organic_social", 0.5, "twitter", "social", ("founder_thread",)),
    # referral: partner sites, review sites, blogs
    Touchpoint("referral", 2.5, referrers=("https://www.g2.com/products/acme-analytics/reviews",)),
    Touchpoint("referral", 1.5, referrers=("https://www.capterra.com/p/acme-analytics/",)),
    Touchpoint("referral", 2.0,
               referrers=("https://revopsweekly.example/blog/funnel-metrics-that-matter",)),
    Touchpoint("referral", 1.5, referrers=("https://partner-agency.example/insights/attribution",)),
    Touchpoint("referral", 1.0, referrers=("https://medium.com/@growthdata/b2b-funnel-2026",)),
    Touchpoint("referral", 0.5, referrers=("https://news.ycombinator.com/",)),
    # events: conferences and webinars
    Touchpoint("events", 2.0, "saastr_europa", "event", ("saastr_booth_2026",)),
    Touchpoint("events", 0.5, "b2b_marketing_expo", "event", ("expo_london_2026",)),
    Touchpoint("events", 1.5, "zoom", "webinar", ("webinar_funnel_metrics", "webinar_attribution")),
    Touchpoint("events", 0.5, "on24", "webinar", ("webinar_revops_panel",)),
    # direct: nothing to go by
    Touchpoint("direct", 19.0),
    # other: unusual media
    Touchpoint("other", 1.0, "brochure", "print", ("print_catalogue_q1",)),
    Touchpoint("other", 1.0, "trade_show_flyer", "qr", ("qr_flyer",)),
    Touchpoint("other", 0.5, "revops_podcast", "podcast", ("podcast_sponsorship",)),
    Touchpoint("other", 0.5, "partner_sms", "sms", ("sms_reminder",)),
)

# Touchpoints with a campaign, used when a visitor comes back within minutes through an ad or
# an email (a campaign change that starts a new session inside 30 minutes).
CAMPAIGN_TOUCHPOINTS = tuple(
    i for i, t in enumerate(TOUCHPOINTS) if t.channel in ("paid_search", "paid_social", "email")
)
# The nurture email that brings imported contacts to the site for the first time.
NURTURE_EMAIL = next(i for i, t in enumerate(TOUCHPOINTS) if t.utm_source == "hubspot")

# How each channel's first event reads in a CRM's "original source" field.
CRM_ORIGINAL_SOURCE = {
    "paid_search": "PAID_SEARCH",
    "paid_social": "PAID_SOCIAL",
    "email": "EMAIL_MARKETING",
    "organic_search": "ORGANIC_SEARCH",
    "organic_social": "SOCIAL_MEDIA",
    "referral": "REFERRALS",
    "events": "OTHER_CAMPAIGNS",
    "direct": "DIRECT_TRAFFIC",
    "other": "OTHER_CAMPAIGNS",
}
CRM_SOURCES = (
    "ORGANIC_SEARCH", "PAID_SEARCH", "PAID_SOCIAL", "EMAIL_MARKETING", "SOCIAL_MEDIA",
    "REFERRALS", "DIRECT_TRAFFIC", "OFFLINE", "OTHER_CAMPAIGNS",
)
