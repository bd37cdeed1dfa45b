"""A contacts batch as a HubSpot export would write it, and the mapping that loads it.

HubSpot names its columns for people ("Record ID", "Create Date"...), spells lifecycle stages
its own way (marketingqualifiedlead), writes UTC times without an offset, and adds columns the
warehouse has no use for ("Associated Deals").
"""

from __future__ import annotations

import polars as pl
import yaml

from pipelines.contract import CONTACTS, TIMESTAMP

EXPORT_FILE_PREFIX = "crm_export_"
MAPPING_FILE_NAME = "hubspot_contacts.yml"
UNMAPPED_COLUMN = "Associated Deals"  # in the export, ignored by the mapping

# Written as is to <data dir>/mappings/hubspot_contacts.yml; the export follows it.
MAPPING_TEXT = """\
source: contacts
files: "crm_export_*.csv"       # glob relative to inbox/contacts/
columns:                        # contract column: column in the file
  contact_id: "Record ID"
  created_at: "Create Date"
  email: "Email"
  first_name: "First Name"
  last_name: "Last Name"
  phone: "Phone Number"
  company: "Company Name"
  job_title: "Job Title"
  country: "Country/Region"
  lifecycle_stage: "Lifecycle Stage"
  original_source: "Original Source"
  owner_id: "Contact owner"
  lead_status: "Lead Status"
  became_lead_at: "Became a Lead Date"
  became_mql_at: "Became a Marketing Qualified Lead Date"
  became_sql_at: "Became a Sales Qualified Lead Date"
  updated_at: "Last Modified Date"
values:                         # optional value maps per contract column
  lifecycle_stage: {marketingqualifiedlead: mql, salesqualifiedlead: sql}
timestamp_format: "%Y-%m-%d %H:%M:%S"
"""

_MAPPING = yaml.safe_load(MAPPING_TEXT)
COLUMNS: dict[str, str] = _MAPPING["columns"]  # contract column: HubSpot column
TIMESTAMP_FORMAT: str = _MAPPING["timestamp_format"]
# contract value: HubSpot value (the mapping's value map, reversed)
LIFECYCLE_VALUES = {v: k for k, v in _MAPPING["values"]["lifecycle_stage"].items()}


def export_frame(contacts: pl.DataFrame, deals_by_contact: pl.DataFrame) -> pl.DataFrame:
    """Contract-shaped contact rows as a HubSpot export: all text, HubSpot names and values.

    `deals_by_contact`: contact_id, opportunity_id of every deal created so far."""
    deals = deals_by_contact.group_by("contact_id").agg(
        pl.col("opportunity_id").sort().str.join(";").alias(UNMAPPED_COLUMN))
    text = contacts.with_columns(
        pl.col(name).dt.strftime(TIMESTAMP_FORMAT)
        for name, kind in CONTACTS.columns.items() if kind == TIMESTAMP
    ).with_columns(pl.col("lifecycle_stage").replace(LIFECYCLE_VALUES))
    has_deal = pl.col("lifecycle_stage").is_in(["opportunity", "customer"])
    return (
        text.join(deals, on="contact_id", how="left", maintain_order="left")
        .with_columns(pl.when(has_deal).then(pl.col(UNMAPPED_COLUMN)).alias(UNMAPPED_COLUMN))
        .select(*(pl.col(c).alias(h) for c, h in COLUMNS.items()), UNMAPPED_COLUMN)
    )
