-- Every loaded version of every opportunity (the raw history), typed, numbered in
-- version order: updated_at ascending (a null updated_at being the oldest), then the first
-- loaded (smallest _source_file, then _source_line). Never ordered by _loaded_at. The greatest
-- version_number of an opportunity is its latest version, the one stg_raw__opportunities keeps.
with

source as (

    select * from {{ source('raw', 'opportunities') }}

),

renamed as (

    select
        -- ids
        cast(opportunity_id as string) as opportunity_id,
        cast(contact_id as string) as contact_id,
        cast(owner_id as string) as owner_id,
        cast(account_name as string) as account_name,

        -- deal
        cast(stage as string) as stage,
        cast(amount as double) as amount,
        cast(currency as string) as currency,
        cast(segment as string) as segment,
        cast(lost_reason as string) as lost_reason,

        -- forecast
        cast(expected_close_at as timestamp) as expected_close_at,
        cast(probability as double) as probability,
        cast(forecast_category as string) as forecast_category,
        cast(pipeline as string) as pipeline,
        cast(custom_fields as string) as custom_fields,

        -- timestamps
        cast(created_at as timestamp) as created_at,
        cast(closed_at as timestamp) as closed_at,
        cast(updated_at as timestamp) as updated_at,

        -- lineage
        cast(_source_file as string) as source_file,
        cast(_source_line as bigint) as source_line,
        cast(_loaded_at as timestamp) as _loaded_at

    from source

),

numbered as (

    select
        renamed.*,
        row_number() over (
            partition by opportunity_id
            order by
                updated_at asc nulls first,
                source_file asc nulls first,
                source_line asc nulls first
        ) as version_number
    from renamed
    where opportunity_id is not null

)

select * from numbered
