-- One row per contact: the ordered channel path of its stitched sessions (by started_at, then
-- session_id), joined with ' > '. A converting contact (one with an opportunity) counts the
-- sessions that started before its first opportunity was created; any other contact all its
-- sessions. channel_path_collapsed merges consecutive repeats of one channel. A contact with no
-- session in its path has the path '(no sessions)'.
with

contacts as (

    select contact_id, owner_id, original_channel, created_at
    from {{ ref('dim_contacts') }}

),

opportunities as (

    select
        contact_id,
        min(created_at) as first_opportunity_at,
        count(*) as opportunities,
        sum(case when is_won then 1 else 0 end) as won_opportunities,
        {{ exact_sum('case when is_won then coalesce(amount, 0) else 0 end') }} as revenue_won
    from {{ ref('fct_opportunities') }}
    group by contact_id

),

path_sessions as (

    select
        sessions.contact_id,
        sessions.session_id,
        sessions.started_at,
        sessions.channel,
        row_number() over (
            partition by sessions.contact_id
            order by sessions.started_at asc nulls last, sessions.session_id asc nulls last
        ) as path_position
    from {{ ref('fct_sessions') }} as sessions
    left join opportunities
        on sessions.contact_id = opportunities.contact_id
    where sessions.contact_id is not null
        and (
            opportunities.contact_id is null
            or sessions.started_at < opportunities.first_opportunity_at
        )

),

marked as (

    select
        path_sessions.*,
        case
            when lag(channel) over (partition by contact_id order by path_position asc nulls last) = channel
                then 0
            else 1
        end as is_new_step
    from path_sessions

),

paths as (

    select
        contact_id,
        count(*) as path_sessions,
        {{ ordered_string_agg('channel', ' > ', 'path_position') }} as channel_path,
        min(started_at) as first_touch_at,
        max(started_at) as last_touch_at
    from path_sessions
    group by contact_id

),

collapsed as (

    select
        contact_id,
        count(*) as path_steps,
        {{ ordered_string_agg('channel', ' > ', 'path_position') }} as channel_path_collapsed
    from marked
    where is_new_step = 1
    group by contact_id

),

ends as (

    select
        contact_id,
        max(case when path_position = 1 then channel end) as first_channel,
        max(case when is_last = 1 then channel end) as last_channel
    from (
        select
            path_sessions.*,
            case
                when path_position = count(*) over (partition by contact_id) then 1 else 0
            end as is_last
        from path_sessions
    ) as positioned
    group by contact_id

)

select
    contacts.contact_id,
    contacts.owner_id,
    contacts.original_channel,
    contacts.created_at,
    coalesce(paths.channel_path, '(no sessions)') as channel_path,
    coalesce(collapsed.channel_path_collapsed, '(no sessions)') as channel_path_collapsed,
    cast(coalesce(paths.path_sessions, 0) as bigint) as path_sessions,
    cast(coalesce(collapsed.path_steps, 0) as bigint) as path_steps,
    ends.first_channel,
    ends.last_channel,
    paths.first_touch_at,
    paths.last_touch_at,
    opportunities.contact_id is not null as is_converting,
    opportunities.first_opportunity_at,
    cast(coalesce(opportunities.opportunities, 0) as bigint) as opportunities,
    cast(coalesce(opportunities.won_opportunities, 0) as bigint) as won_opportunities,
    cast(coalesce(opportunities.revenue_won, 0) as double) as revenue_won
from contacts
left join opportunities
    on contacts.contact_id = opportunities.contact_id
left join paths
    on contacts.contact_id = paths.contact_id
left join collapsed
    on contacts.contact_id = collapsed.contact_id
left join ends
    on contacts.contact_id = ends.contact_id
