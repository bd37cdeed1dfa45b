-- One row per relation (from_type, from_id, to_type, to_id): its latest loaded version
-- (greatest _source_file, then _source_line; never ordered by _loaded_at). is_primary is read
-- as a flag (true/t/1/yes/y, false/f/0/no/n, anything else null). The raw table is optional:
-- ingestion creates it, but until then (or in a warehouse made by hand) the model is empty.
{%- set associations_source = source('raw', 'associations') %}
{%- set associations_relation = none %}
{%- if execute %}
{%- set associations_relation = adapter.get_relation(
        database=associations_source.database, schema=associations_source.schema,
        identifier=associations_source.identifier) %}
{%- endif %}
with

source as (

    {%- if associations_relation is not none %}
    select
        from_type, from_id, to_type, to_id, role, is_primary, created_at,
        _source_file, _source_line
    from {{ associations_source }}
    {%- else %}
    -- raw.associations does not exist: no associations
    select
        cast(null as string) as from_type,
        cast(null as string) as from_id,
        cast(null as string) as to_type,
        cast(null as string) as to_id,
        cast(null as string) as role,
        cast(null as string) as is_primary,
        cast(null as timestamp) as created_at,
        cast(null as string) as _source_file,
        cast(null as bigint) as _source_line
    where 1 = 0
    {%- endif %}

),

versioned as (

    select
        source.*,
        row_number() over (
            partition by from_type, from_id, to_type, to_id
            order by _source_file desc nulls last, _source_line desc nulls last
        ) as version_rank
    from source

),

renamed as (

    select
        -- relation
        cast(from_type as string) as from_type,
        cast(from_id as string) as from_id,
        cast(to_type as string) as to_type,
        cast(to_id as string) as to_id,

        -- attributes
        cast(role as string) as role,
        case
            when lower(cast(is_primary as string)) in ('true', 't', '1', 'yes', 'y') then true
            when lower(cast(is_primary as string)) in ('false', 'f', '0', 'no', 'n') then false
        end as is_primary,
        cast(created_at as timestamp) as created_at,

        -- lineage
        cast(_source_file as string) as source_file,
        cast(_source_line as bigint) as source_line

    from versioned
    where version_rank = 1

)

select * from renamed
