-- One row per behaviour signal of a known contact (seed lead_scoring_behaviour_points): web
-- events of the contact's stitched sessions whose event_type is a web_visits signal, and sales
-- interactions of the contact whose interaction_type is a sales_interactions signal, with the
-- signal's points.
with

points as (

    select signal, signal_source, points
    from {{ ref('lead_scoring_behaviour_points') }}

),

contacts as (

    select contact_id from {{ ref('dim_contacts') }}

),

web_signals as (

    select
        sessions.contact_id,
        events.event_id as signal_id,
        'web_visits' as signal_source,
        events.event_type as signal,
        events.occurred_at
    from {{ ref('int_web_events_sessionized') }} as events
    inner join {{ ref('fct_sessions') }} as sessions
        on events.session_id = sessions.session_id
    where sessions.contact_id is not null

),

sales_signals as (

    select
        contact_id,
        interaction_id as signal_id,
        'sales_interactions' as signal_source,
        interaction_type as signal,
        occurred_at
    from {{ ref('fct_sales_interactions') }}
    where contact_id is not null

),

signals as (

    select * from web_signals
    union all
    select * from sales_signals

)

select
    signals.contact_id,
    signals.signal_source,
    signals.signal_id,
    signals.signal,
    signals.occurred_at,
    cast(points.points as double) as points
from signals
inner join points
    on signals.signal = points.signal
    and signals.signal_source = points.signal_source
inner join contacts
    on signals.contact_id = contacts.contact_id
where signals.occurred_at is not null
