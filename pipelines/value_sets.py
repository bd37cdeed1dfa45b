"""The value sets of the project (channels, lifecycle stages, ...), read from the one place they
are written: the `vars:` of dbt_project/dbt_project.yml, which the dbt tests also read. A new
channel is one line there; the contract, the GX suites and the report follow.
"""

from __future__ import annotations

from functools import cache

import yaml

from pipelines import settings

# The channel of a contact the CRM does not know (SQL writes it too): a known source is any other.
UNKNOWN_CHANNEL = "unknown"


@cache
def project_vars() -> dict:
    """The `vars:` of dbt_project.yml (read once per process)."""
    path = settings.DBT_PROJECT_DIR / "dbt_project.yml"
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    return dict(document.get("vars") or {})


def _values(name: str) -> tuple[str, ...]:
    values = project_vars().get(name)
    if not isinstance(values, list) or not values:
        raise ValueError(f"dbt_project.yml: var {name!r} must be a non-empty list")
    return tuple(str(v) for v in values)


def session_channels() -> tuple[str, ...]:
    """The channels a web session can get, in report order."""
    return _values("session_channels")


def contact_only_channels() -> tuple[str, ...]:
    return _values("contact_only_channels")


def channels() -> tuple[str, ...]:
    """Every channel, in report order: a session's, then the contact-only ones (the set the
    dbt tests accept: `var('session_channels') + var('contact_only_channels')`)."""
    return session_channels() + contact_only_channels()


def known_source_channels() -> tuple[str, ...]:
    return tuple(c for c in channels() if c != UNKNOWN_CHANNEL)


def lifecycle_stages() -> tuple[str, ...]:
    return _values("lifecycle_stages")


def opportunity_stages() -> tuple[str, ...]:
    return _values("opportunity_stages")


def forecast_categories() -> tuple[str, ...]:
    return _values("forecast_categories")


def event_types() -> tuple[str, ...]:
    return _values("event_types")


def interaction_types() -> tuple[str, ...]:
    return _values("interaction_types")


def association_types() -> tuple[str, ...]:
    return _values("association_types")


def attribution_models() -> tuple[str, ...]:
    return _values("attribution_models")


def suite_parameters() -> dict[str, list[str]]:
    """The value sets the GX suites refer to as `{"$PARAMETER": name}` (named as the vars)."""
    return {
        "event_types": list(event_types()),
        "lifecycle_stages": list(lifecycle_stages()),
        "opportunity_stages": list(opportunity_stages()),
        "interaction_types": list(interaction_types()),
        "known_source_channels": list(known_source_channels()),
    }
