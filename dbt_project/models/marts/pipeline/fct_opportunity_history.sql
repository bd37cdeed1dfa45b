-- One row per opportunity and validity interval: each version of the raw history that was the
-- opportunity's state for some time (glossary: opportunity history). A version takes effect at
-- its updated_at (its created_at where updated_at is null or earlier), never before an earlier
-- version in version order (a running maximum keeps CRM clocks in order); it is the state from
-- then (valid_from, inclusive) until the next version takes effect (valid_to, exclusive; null
-- for the latest). A version followed by another taking effect at the same instant (the same
-- updated_at: the later file, then the later line wins) is never the state and has no row.
with

versions as (

    select * from {{ ref('stg_alignment__opportunity_versions') }}

),

effective as (

    select
        versions.*,
        max({{ version_effective_at() }}) over (
            partition by opportunity_id
            order by version_number asc nulls last
            rows between unbounded preceding and current row
        ) as valid_from
    from versions

),

bounded as (

    select
        effective.*,
        lead(valid_from) over (
            partition by opportunity_id order by version_number asc nulls last
        ) as valid_to
    from effective

)

select
    -- ids
    opportunity_id,
    cast(version_number as bigint) as version_number,
    contact_id,
    owner_id,

    -- validity
    valid_from,
    valid_to,
    valid_to is null as is_current,

    -- state
    stage,
    coalesce(stage not in ('closed_won', 'closed_lost'), true) as is_open,
    amount,
    probability,
    expected_close_at,
    forecast_category,
    segment,
    pipeline,
    created_at,
    closed_at,
    updated_at,

    -- lineage
    source_file,
    source_line,
    _loaded_at

from bounded
where valid_to is null or valid_to > valid_from
