-- One row per MQL (a contact with a CRM became_mql_at): its first outbound sales touch at or
-- after became_mql_at (interaction_type email_sent, call or meeting, direction not 'inbound';
-- first by occurred_at, then interaction_id), the hours to it, the SLA flag (within
-- follow_up_sla_hours, inclusive), the ignored flag (no such touch within
-- follow_up_ignored_after_days, inclusive) and whether the MQL reached SQL (skip rule of
-- int_contacts_lifecycle_staged).
{%- set sla_hours = var('follow_up_sla_hours') %}
{%- set ignored_after_days = var('follow_up_ignored_after_days') %}
with

mqls as (

    select
        contact_id,
        owner_id,
        original_channel,
        mql_at,
        sql_at,
        reached_sql
    from {{ ref('int_contacts_lifecycle_staged') }}
    where mql_at is not null

),

touches as (

    select
        interaction_id,
        contact_id,
        owner_id,
        interaction_type,
        occurred_at
    from {{ ref('fct_sales_interactions') }}
    where interaction_type in ('email_sent', 'call', 'meeting')
        and coalesce(lower(direction), '') <> 'inbound'
        and occurred_at is not null

),

ranked as (

    select
        mqls.contact_id,
        touches.interaction_id,
        touches.interaction_type,
        touches.owner_id,
        touches.occurred_at,
        row_number() over (
            partition by mqls.contact_id
            order by touches.occurred_at asc nulls last, touches.interaction_id asc nulls last
        ) as touch_rank
    from mqls
    inner join touches
        on mqls.contact_id = touches.contact_id
        and touches.occurred_at >= mqls.mql_at

),

first_touches as (

    select * from ranked where touch_rank = 1

),

measured as (

    select
        mqls.contact_id,
        mqls.owner_id,
        mqls.original_channel,
        mqls.mql_at,
        first_touches.interaction_id as first_touch_interaction_id,
        first_touches.interaction_type as first_touch_type,
        first_touches.owner_id as first_touch_owner_id,
        first_touches.occurred_at as first_touch_at,
        {{ seconds_between('mqls.mql_at', 'first_touches.occurred_at') }} / 3600.0
            as hours_to_first_touch,
        mqls.reached_sql,
        mqls.sql_at
    from mqls
    left join first_touches
        on mqls.contact_id = first_touches.contact_id

)

select
    contact_id,
    owner_id,
    original_channel,
    mql_at,
    {{ month_start('mql_at') }} as mql_month,
    first_touch_interaction_id,
    first_touch_type,
    first_touch_owner_id,
    first_touch_at,
    hours_to_first_touch,
    cast({{ sla_hours }} as double) as sla_hours,
    coalesce(hours_to_first_touch <= {{ sla_hours }}, false) as is_within_sla,
    coalesce(hours_to_first_touch > {{ ignored_after_days }} * 24.0, true) as is_ignored,
    reached_sql,
    sql_at
from measured
