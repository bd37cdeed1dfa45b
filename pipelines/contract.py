"""The input contract of DESIGN.md section 3: the raw sources, their columns and types.

This module is the single place that says what a valid row of each source looks like.
Ingestion validates against it, the raw tables are created from it, and the sample data
generator writes files that follow it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pipelines import value_sets

# Column kinds. Each maps to one DuckDB type in the raw layer.
STRING = "string"
TIMESTAMP = "timestamp"  # ISO 8601 in files; stored as naive TIMESTAMP in UTC
NUMBER = "number"  # stored as DOUBLE
EMAIL = "email"  # string, trimmed and lower-cased on load

DUCKDB_TYPES = {STRING: "VARCHAR", TIMESTAMP: "TIMESTAMP", NUMBER: "DOUBLE", EMAIL: "VARCHAR"}

# The value sets are the vars of dbt_project.yml (pipelines/value_sets.py), read once here.
EVENT_TYPES = value_sets.event_types()
INTERACTION_TYPES = value_sets.interaction_types()
OPPORTUNITY_STAGES = value_sets.opportunity_stages()
# The forecast category of an opportunity (Salesforce's ForecastCategoryName, lower-cased).
FORECAST_CATEGORIES = value_sets.forecast_categories()
LIFECYCLE_STAGES = value_sets.lifecycle_stages()
CHANNELS = value_sets.channels()
# What an association (a relation a CRM exports as its own table) may link.
ASSOCIATION_TYPES = value_sets.association_types()


@dataclass(frozen=True)
class Source:
    """One raw source: its natural key, its columns in contract order, and known value sets."""

    name: str
    key: str
    required: dict[str, str]
    optional: dict[str, str]
    # Columns whose values come from a known set. Unknown values are loaded and reported.
    known_values: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Columns whose values must come from a set: a row with another value is rejected.
    allowed_values: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # The whole natural key where one column does not name a record (a relation is named by
    # its two ends); `key` is its first column. Empty: the key is `key` alone.
    compound_key: tuple[str, ...] = ()
    # Whether the key names one record, each of its rows a version of it. Marketing spend's
    # date only narrows the search for exact repeats: its rows are never versions of each other.
    key_is_identity: bool = True

    @property
    def columns(self) -> dict[str, str]:
        return {**self.required, **self.optional}

    @property
    def key_columns(self) -> tuple[str, ...]:
        return self.compound_key or (self.key,)

    @property
    def version_columns(self) -> tuple[str, ...]:
        """What names one version of a record: the key, and its `updated_at` where the
        source keeps every version (CRM snapshots). Two rows of one batch with the same
        version but different contents conflict (the later line wins)."""
        return (*self.key_columns, "updated_at") if "updated_at" in self.columns \
            else self.key_columns


# A team's own fields, kept as one JSON object of text values (a mapping's `custom_fields:`),
# carried to dim_contacts, fct_opportunities and fct_sales_interactions.
CUSTOM_FIELDS = "custom_fields"


WEB_VISITS = Source(
    name="web_visits",
    key="event_id",
    required={
        "event_id": STRING,
        "visitor_id": STRING,
        "occurred_at": TIMESTAMP,
        "event_type": STRING,
        "page_url": STRING,
    },
    optional={
        "contact_id": STRING,
        "email": EMAIL,
        "referrer_url": STRING,
        "utm_source": STRING,
        "utm_medium": STRING,
        "utm_campaign": STRING,
        "utm_content": STRING,
        "utm_term": STRING,
        "time_on_page_s": NUMBER,
        "device": STRING,
        "country": STRING,
    },
    known_values={"event_type": EVENT_TYPES},
)

CONTACTS = Source(
    name="contacts",
    key="contact_id",
    required={"contact_id": STRING, "created_at": TIMESTAMP},
    optional={
        "email": EMAIL,
        "first_name": STRING,
        "last_name": STRING,
        "phone": STRING,
        "company": STRING,
        "job_title": STRING,
        "country": STRING,
        "lifecycle_stage": STRING,
        "original_source": STRING,
        "owner_id": STRING,
        "lead_status": STRING,
        "became_lead_at": TIMESTAMP,
        "became_mql_at": TIMESTAMP,
        "became_sql_at": TIMESTAMP,
        "updated_at": TIMESTAMP,
        CUSTOM_FIELDS: STRING,
    },
    known_values={"lifecycle_stage": LIFECYCLE_STAGES},
)

OPPORTUNITIES = Source(
    name="opportunities",
    key="opportunity_id",
    required={
        "opportunity_id": STRING,
        "created_at": TIMESTAMP,
        "stage": STRING,
    },
    optional={
        # Optional: the contact may come from an association instead (glossary: contact of
        # an opportunity).
        "contact_id": STRING,
        "account_name": STRING,
        "owner_id": STRING,
        "amount": NUMBER,
        "currency": STRING,
        "closed_at": TIMESTAMP,
        "lost_reason": STRING,
        "segment": STRING,
        "updated_at": TIMESTAMP,
        # Forecast fields (issue 18): the forecast close date of an open deal, its probability
        # (0-1; 0-100 accepted and divided by 100 at the door), forecast category, pipeline name.
        "expected_close_at": TIMESTAMP,
        "probability": NUMBER,
        "forecast_category": STRING,
        "pipeline": STRING,
        CUSTOM_FIELDS: STRING,
    },
    known_values={"stage": OPPORTUNITY_STAGES, "forecast_category": FORECAST_CATEGORIES},
)

SALES_INTERACTIONS = Source(
    name="sales_interactions",
    key="interaction_id",
    required={
        "interaction_id": STRING,
        "occurred_at": TIMESTAMP,
        "interaction_type": STRING,
    },
    optional={
        # Optional: the contact may come from contact_email or from an association instead.
        "contact_id": STRING,
        "contact_email": EMAIL,
        "opportunity_id": STRING,
        "owner_id": STRING,
        "content_id": STRING,
        "direction": STRING,
        "outcome": STRING,
        CUSTOM_FIELDS: STRING,
    },
    known_values={"interaction_type": INTERACTION_TYPES},
)

# Optional fifth source (DESIGN.md section 5): spend per day, channel and campaign. It has no
# natural id; the date narrows the search for exact repeats, which compare every column.
MARKETING_SPEND = Source(
    name="marketing_spend",
    key="spend_date",
    required={"spend_date": TIMESTAMP, "channel": STRING, "amount": NUMBER},
    optional={"campaign": STRING},
    known_values={"channel": CHANNELS},
    key_is_identity=False,
)

# Optional source: relations CRMs export as their own tables (an opportunity's or an
# interaction's contact, a contact's account). Every version is kept in raw; the latest loaded
# version of a relation wins downstream.
ASSOCIATIONS = Source(
    name="associations",
    key="from_type",
    compound_key=("from_type", "from_id", "to_type", "to_id"),
    required={"from_type": STRING, "from_id": STRING, "to_type": STRING, "to_id": STRING},
    optional={"role": STRING, "is_primary": STRING, "created_at": TIMESTAMP},
    allowed_values={"from_type": ASSOCIATION_TYPES, "to_type": ASSOCIATION_TYPES},
)

SOURCES: dict[str, Source] = {
    s.name: s for s in (WEB_VISITS, CONTACTS, OPPORTUNITIES, SALES_INTERACTIONS, MARKETING_SPEND,
                        ASSOCIATIONS)
}

# Bookkeeping columns every raw table carries after the contract columns.
LINEAGE_COLUMNS = {
    "_file_hash": "VARCHAR",  # sha256 of the file the row came from (the batch)
    "_source_file": "VARCHAR",  # path of that file relative to the inbox
    "_source_line": "BIGINT",  # line (CSV, NDJSON) or row number (Parquet) in that file
    "_loaded_at": "TIMESTAMP",  # UTC time of the ingestion run that loaded the row
}
