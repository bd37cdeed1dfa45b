-- The eight shared funnel metrics (glossary), one row per UTC date and channel that has any
-- activity. Counts are bigint (0 on an existing row); rates are doubles, null where the
-- denominator is 0. The counts behind each rate and average are published too (last columns,
-- so existing column positions stay): a sum over days or channels adds them and divides once.
{%- set stages = var('lifecycle_stages') %}
with

sessions as (

    select * from {{ ref('fct_sessions') }}

),

events as (

    select session_id, event_date, event_type
    from {{ ref('int_web_events_sessionized') }}

),

contacts as (

    select * from {{ ref('dim_contacts') }}

),

opportunities as (

    select * from {{ ref('fct_opportunities') }}

),

interactions as (

    select * from {{ ref('fct_sales_interactions') }}

),

-- metric 1: visits, by the date the session started
visits as (

    select
        session_date as metric_date,
        channel,
        count(*) as visits,
        sum(pageviews) as pageviews,
        count(distinct visitor_id) as visitors,
        avg(duration_seconds) as avg_session_seconds,
        sum(duration_seconds) as session_seconds,
        sum(case when is_bounce then 1 else 0 end) as bounces
    from sessions
    group by session_date, channel

),

-- metric 7: site interactions, by the date they occurred, in their session's channel
site_interactions as (

    select
        events.event_date as metric_date,
        sessions.channel,
        count(*) as site_interactions
    from events
    inner join sessions
        on events.session_id = sessions.session_id
    where coalesce(events.event_type, '') <> 'page_view'
    group by events.event_date, sessions.channel

),

-- metrics 2, 3 and 4: contacts created, by original channel
new_contacts as (

    select
        created_date as metric_date,
        original_channel as channel,
        count(*) as new_contacts,
        {%- for stage in stages %}
        sum(case when lifecycle_stage_at_creation = '{{ stage }}' then 1 else 0 end)
            as new_{{ stage }},
        {%- endfor %}
        sum(case when is_complete then 1 else 0 end) as complete_contacts
    from contacts
    group by created_date, original_channel

),

contacts_per_day as (

    select created_date as metric_date, count(*) as day_new_contacts
    from contacts
    group by created_date

),

-- metric 5: opportunities created
new_opportunities as (

    select
        created_date as metric_date,
        channel,
        count(*) as opportunities,
        {{ exact_sum('coalesce(amount, 0)') }} as pipeline_amount
    from opportunities
    group by created_date, channel

),

-- metric 6: new customers (the contact's first win), and revenue of every win
new_customers as (

    select
        closed_date as metric_date,
        channel,
        count(distinct contact_id) as customers
    from opportunities
    where is_first_win and closed_date is not null
    group by closed_date, channel

),

revenue as (

    select
        closed_date as metric_date,
        channel,
        {{ exact_sum('coalesce(amount, 0)') }} as revenue_won
    from opportunities
    where is_won and closed_date is not null
    group by closed_date, channel

),

-- metric 8: sales interactions; email rates on the day of the send
sales as (

    select
        interaction_date as metric_date,
        channel,
        count(*) as sales_interactions,
        sum(case when interaction_type = 'email_sent' then 1 else 0 end) as emails_sent,
        sum(case when interaction_type = 'email_sent' and is_opened then 1 else 0 end)
            as emails_opened,
        sum(case when interaction_type = 'email_sent' and is_clicked then 1 else 0 end)
            as emails_clicked,
        sum(case when interaction_type = 'email_sent' and is_replied then 1 else 0 end)
            as emails_replied,
        sum(case when interaction_type = 'document_viewed' then 1 else 0 end) as document_views,
        sum(case when interaction_type = 'call' then 1 else 0 end) as calls,
        sum(case when interaction_type = 'meeting' then 1 else 0 end) as meetings
    from interactions
    group by interaction_date, channel

),

spine as (

    select metric_date, channel from visits
    union
    select metric_date, channel from site_interactions
    union
    select metric_date, channel from new_contacts
    union
    select metric_date, channel from new_opportunities
    union
    select metric_date, channel from new_customers
    union
    select metric_date, channel from revenue
    union
    select metric_date, channel from sales

),

joined as (

    select
        spine.metric_date,
        spine.channel,
        cast(coalesce(visits.visits, 0) as bigint) as visits,
        cast(coalesce(visits.pageviews, 0) as bigint) as pageviews,
        cast(coalesce(visits.visitors, 0) as bigint) as visitors,
        cast(visits.avg_session_seconds as double) as avg_session_seconds,
        cast(coalesce(visits.session_seconds, 0) as double) as session_seconds,
        cast(coalesce(visits.bounces, 0) as bigint) as bounces,
        cast(coalesce(new_contacts.new_contacts, 0) as bigint) as new_contacts,
        {%- for stage in stages %}
        cast(coalesce(new_contacts.new_{{ stage }}, 0) as bigint) as new_{{ stage }},
        {%- endfor %}
        cast(coalesce(new_contacts.complete_contacts, 0) as bigint) as complete_contacts,
        cast(coalesce(contacts_per_day.day_new_contacts, 0) as bigint) as day_new_contacts,
        cast(coalesce(new_opportunities.opportunities, 0) as bigint) as opportunities,
        cast(coalesce(new_opportunities.pipeline_amount, 0) as double) as pipeline_amount,
        cast(coalesce(new_customers.customers, 0) as bigint) as customers,
        cast(coalesce(revenue.revenue_won, 0) as double) as revenue_won,
        cast(coalesce(site_interactions.site_interactions, 0) as bigint) as site_interactions,
        cast(coalesce(sales.sales_interactions, 0) as bigint) as sales_interactions,
        cast(coalesce(sales.emails_sent, 0) as bigint) as emails_sent,
        cast(coalesce(sales.emails_opened, 0) as bigint) as emails_opened,
        cast(coalesce(sales.emails_clicked, 0) as bigint) as emails_clicked,
        cast(coalesce(sales.emails_replied, 0) as bigint) as emails_replied,
        cast(coalesce(sales.document_views, 0) as bigint) as document_views,
        cast(coalesce(sales.calls, 0) as bigint) as calls,
        cast(coalesce(sales.meetings, 0) as bigint) as meetings
    from spine
    left join visits
        on spine.metric_date = visits.metric_date and spine.channel = visits.channel
    left join site_interactions
        on spine.metric_date = site_interactions.metric_date
        and spine.channel = site_interactions.channel
    left join new_contacts
        on spine.metric_date = new_contacts.metric_date
        and spine.channel = new_contacts.channel
    left join contacts_per_day
        on spine.metric_date = contacts_per_day.metric_date
    left join new_opportunities
        on spine.metric_date = new_opportunities.metric_date
        and spine.channel = new_opportunities.channel
    left join new_customers
        on spine.metric_date = new_customers.metric_date
        and spine.channel = new_customers.channel
    left join revenue
        on spine.metric_date = revenue.metric_date and spine.channel = revenue.channel
    left join sales
        on spine.metric_date = sales.metric_date and spine.channel = sales.channel

)

select
    metric_date,
    channel,
    -- 1 visits
    visits,
    pageviews,
    visitors,
    case when visits = 0 then cast(null as double) else avg_session_seconds end
        as avg_session_seconds,
    {{ safe_divide('bounces', 'visits') }} as bounce_rate,
    -- 2 contacts
    new_contacts,
    {%- for stage in stages %}
    new_{{ stage }},
    {%- endfor %}
    -- 3 contact registration
    complete_contacts,
    {{ safe_divide('complete_contacts', 'new_contacts') }} as completeness_rate,
    -- 4 contact source
    {{ safe_divide('new_contacts', 'day_new_contacts') }} as contact_share,
    -- 5 opportunities
    opportunities,
    pipeline_amount,
    -- 6 customers
    customers,
    revenue_won,
    -- 7 site interactions
    site_interactions,
    {{ safe_divide('pageviews', 'visits') }} as pages_per_session,
    -- 8 sales interactions
    sales_interactions,
    emails_sent,
    {{ safe_divide('emails_opened', 'emails_sent') }} as email_open_rate,
    {{ safe_divide('emails_clicked', 'emails_sent') }} as email_click_rate,
    {{ safe_divide('emails_replied', 'emails_sent') }} as email_reply_rate,
    document_views,
    calls,
    meetings,
    -- the counts behind the rates and the average
    bounces,
    session_seconds,
    emails_opened,
    emails_clicked,
    emails_replied
from joined
where metric_date is not null
