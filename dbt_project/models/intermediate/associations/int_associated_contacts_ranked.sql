-- One row per opportunity or interaction and each contact an association links it to, in
-- either direction (opportunity -> contact or contact -> opportunity; the same for
-- interactions), ranked for the contact rule of the glossary (contact of an opportunity or
-- interaction): primary associations first, then the earliest (created_at, then contact_id).
-- A pair given in both directions is one row: primary if either is, created at the earlier.
with

associations as (

    select from_type, from_id, to_type, to_id, is_primary, created_at
    from {{ ref('stg_raw__associations') }}

),

oriented as (

    select
        from_type as object_type,
        from_id as object_id,
        to_id as contact_id,
        is_primary,
        created_at
    from associations
    where to_type = 'contact' and from_type in ('opportunity', 'interaction')

    union all

    select
        to_type as object_type,
        to_id as object_id,
        from_id as contact_id,
        is_primary,
        created_at
    from associations
    where from_type = 'contact' and to_type in ('opportunity', 'interaction')

),

pairs as (

    select
        object_type,
        object_id,
        contact_id,
        max(case when is_primary then 1 else 0 end) = 1 as is_primary,
        min(created_at) as created_at
    from oriented
    group by object_type, object_id, contact_id

)

select
    object_type,
    object_id,
    contact_id,
    is_primary,
    created_at,
    cast(row_number() over (
        partition by object_type, object_id
        order by
            case when is_primary then 0 else 1 end asc,
            created_at asc nulls last,
            contact_id asc
    ) as bigint) as contact_rank
from pairs
