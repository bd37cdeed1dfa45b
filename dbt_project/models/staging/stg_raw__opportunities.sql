-- One row per opportunity_id: its latest version, the greatest version_number of
-- stg_alignment__opportunity_versions (greatest updated_at, then the latest loaded; never
-- ordered by _loaded_at). Ingestion trims keys and rejects empty ones; the unique test guards it.
with

versions as (

    select * from {{ ref('stg_alignment__opportunity_versions') }}

),

ranked as (

    select
        versions.*,
        max(version_number) over (partition by opportunity_id) as latest_version_number
    from versions

)

select
    -- ids
    opportunity_id,
    contact_id,
    owner_id,
    account_name,

    -- deal
    stage,
    amount,
    currency,
    segment,
    lost_reason,

    -- forecast
    expected_close_at,
    probability,
    forecast_category,
    pipeline,

    -- the team's own fields
    custom_fields,

    -- timestamps
    created_at,
    closed_at,
    updated_at,

    -- lineage
    source_file,
    source_line

from ranked
where version_number = latest_version_number
