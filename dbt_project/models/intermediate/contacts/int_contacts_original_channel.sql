-- One row per contact: its original channel (glossary: original channel) and the basis of it.
--   web_session          the channel of its first stitched session started at or before created_at
--   crm_original_source  else its CRM original_source mapped by the seed original_source_channels
--   outbound             else, when it has an owner_id and no stitched session at all
--   unknown              otherwise
with

contacts as (

    select contact_id, owner_id, original_source, created_at
    from {{ ref('stg_raw__contacts') }}

),

stitched_visitors as (

    select visitor_id, contact_id from {{ ref('int_visitors_stitched') }}

),

contact_sessions as (

    select
        stitched_visitors.contact_id,
        sessions.session_id,
        sessions.visitor_id,
        sessions.started_at,
        sessions.channel
    from {{ ref('int_sessions_classified') }} as sessions
    inner join stitched_visitors
        on sessions.visitor_id = stitched_visitors.visitor_id

),

visitor_counts as (

    select contact_id, count(*) as stitched_visitors
    from stitched_visitors
    group by contact_id

),

session_counts as (

    select contact_id, count(*) as stitched_sessions
    from contact_sessions
    group by contact_id

),

first_sessions as (

    select
        contact_id,
        session_id,
        started_at,
        channel
    from (
        select
            contact_sessions.contact_id,
            contact_sessions.session_id,
            contact_sessions.started_at,
            contact_sessions.channel,
            row_number() over (
                partition by contact_sessions.contact_id
                order by contact_sessions.started_at asc, contact_sessions.session_id asc
            ) as session_rank
        from contact_sessions
        inner join contacts
            on contact_sessions.contact_id = contacts.contact_id
        where contact_sessions.started_at <= contacts.created_at
    ) as ranked_sessions
    where session_rank = 1

),

source_channels as (

    select
        lower(trim(original_source)) as original_source_key,
        trim(channel) as channel
    from {{ ref('original_source_channels') }}

),

combined as (

    select
        contacts.contact_id,
        first_sessions.session_id as first_session_id,
        first_sessions.started_at as first_touch_at,
        first_sessions.channel as session_channel,
        source_channels.channel as crm_channel,
        contacts.owner_id,
        cast(coalesce(visitor_counts.stitched_visitors, 0) as bigint) as stitched_visitors,
        cast(coalesce(session_counts.stitched_sessions, 0) as bigint) as stitched_sessions
    from contacts
    left join first_sessions
        on contacts.contact_id = first_sessions.contact_id
    left join source_channels
        on lower(contacts.original_source) = source_channels.original_source_key
    left join visitor_counts
        on contacts.contact_id = visitor_counts.contact_id
    left join session_counts
        on contacts.contact_id = session_counts.contact_id

)

select
    contact_id,
    case
        when first_session_id is not null then session_channel
        when crm_channel is not null then crm_channel
        when owner_id is not null and stitched_sessions = 0 then 'outbound'
        else 'unknown'
    end as original_channel,
    case
        when first_session_id is not null then 'web_session'
        when crm_channel is not null then 'crm_original_source'
        when owner_id is not null and stitched_sessions = 0 then 'outbound'
        else 'unknown'
    end as original_channel_basis,
    first_session_id,
    first_touch_at,
    stitched_visitors,
    stitched_sessions
from combined
