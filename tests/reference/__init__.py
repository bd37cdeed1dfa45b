"""An independent, polars/plain-Python reimplementation of the funnel marts, from the raw
tables and the shared configuration, by the glossary's definitions (see funnel_reference)."""

from .funnel_reference import (
    Config,
    classify_channel,
    classify_channels,
    completeness,
    email_send_outcomes,
    latest_versions,
    load_config,
    load_raw,
    make_config,
    original_channels,
    reference_dim_contacts,
    reference_funnel_daily,
    sessionize,
    stitch_identity,
)

__all__ = [
    "Config",
    "classify_channel",
    "classify_channels",
    "completeness",
    "email_send_outcomes",
    "latest_versions",
    "load_config",
    "load_raw",
    "make_config",
    "original_channels",
    "reference_dim_contacts",
    "reference_funnel_daily",
    "sessionize",
    "stitch_identity",
]
