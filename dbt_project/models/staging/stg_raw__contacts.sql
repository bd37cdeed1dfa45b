-- One row per contact_id: its latest version (greatest updated_at, then the latest loaded:
-- greatest _source_file, then _source_line), plus the lifecycle stage of its earliest version
-- (smallest updated_at with nulls first, then the first loaded). Never ordered by _loaded_at.
-- Partitioned by the raw key (ingestion trims keys and rejects empty ones; the unique test
-- guards it).
with

source as (

    select * from {{ source('raw', 'contacts') }}

),

versioned as (

    select
        source.*,
        row_number() over (
            partition by contact_id
            order by
                updated_at desc nulls last,
                _source_file desc nulls last,
                _source_line desc nulls last
        ) as version_rank,
        first_value(lifecycle_stage) over (
            partition by contact_id
            order by
                updated_at asc nulls first,
                _source_file asc nulls first,
                _source_line asc nulls first
            rows between unbounded preceding and unbounded following
        ) as first_lifecycle_stage
    from source

),

renamed as (

    select
        -- ids
        cast(contact_id as string) as contact_id,
        cast(owner_id as string) as owner_id,

        -- person
        cast(email as string) as email,
        cast(first_name as string) as first_name,
        cast(last_name as string) as last_name,
        cast(phone as string) as phone,
        cast(company as string) as company,
        cast(job_title as string) as job_title,
        cast(country as string) as country,

        -- funnel
        cast(lifecycle_stage as string) as lifecycle_stage,
        cast(first_lifecycle_stage as string) as lifecycle_stage_at_creation,
        cast(original_source as string) as original_source,
        cast(lead_status as string) as lead_status,

        -- timestamps
        cast(created_at as timestamp) as created_at,
        cast(updated_at as timestamp) as updated_at,
        cast(became_lead_at as timestamp) as became_lead_at,
        cast(became_mql_at as timestamp) as became_mql_at,
        cast(became_sql_at as timestamp) as became_sql_at,

        -- the team's own fields (a JSON object, mapping `custom_fields:`)
        cast(custom_fields as string) as custom_fields,

        -- lineage
        cast(_source_file as string) as source_file,
        cast(_source_line as bigint) as source_line

    from versioned
    where version_rank = 1

)

select * from renamed
