-- One row per contact: the timestamp of each lifecycle stage it reached (DESIGN.md section 5)
-- and whether it reached it. lead, mql, sql: the CRM dates. opportunity: the created_at of the
-- contact's first opportunity. customer: the close of its first won opportunity.
-- Skip rule: a contact that reached a stage counts as having reached every earlier stage
-- (lead < mql < sql < opportunity < customer), even where the CRM has no date for it; the
-- skipped stage's timestamp stays null, so it counts in the stage counts but not in the days
-- between stages.
with

contacts as (

    select
        contact_id,
        owner_id,
        original_channel,
        created_at,
        became_lead_at,
        became_mql_at,
        became_sql_at
    from {{ ref('dim_contacts') }}

),

opportunities as (

    select
        contact_id,
        min(created_at) as first_opportunity_at,
        max(case when is_first_win then effective_closed_at end) as first_won_at,
        max(case when is_won then 1 else 0 end) as has_won
    from {{ ref('fct_opportunities') }}
    group by contact_id

),

staged as (

    select
        contacts.contact_id,
        contacts.owner_id,
        contacts.original_channel,
        contacts.created_at,
        contacts.became_lead_at as lead_at,
        contacts.became_mql_at as mql_at,
        contacts.became_sql_at as sql_at,
        opportunities.first_opportunity_at as opportunity_at,
        opportunities.first_won_at as customer_at,
        coalesce(opportunities.has_won, 0) = 1 as reached_customer,
        opportunities.contact_id is not null as reached_opportunity
    from contacts
    left join opportunities
        on contacts.contact_id = opportunities.contact_id

),

reached as (

    select
        staged.*,
        sql_at is not null or reached_opportunity as reached_sql,
        mql_at is not null or sql_at is not null or reached_opportunity as reached_mql,
        lead_at is not null or mql_at is not null or sql_at is not null or reached_opportunity
            as reached_lead
    from staged

)

select
    contact_id,
    owner_id,
    original_channel,
    created_at,
    {{ month_start('created_at') }} as cohort_month,
    lead_at,
    mql_at,
    sql_at,
    opportunity_at,
    customer_at,
    reached_lead,
    reached_mql,
    reached_sql,
    reached_opportunity,
    reached_customer,
    {{ days_between('lead_at', 'mql_at') }} as days_lead_to_mql,
    {{ days_between('mql_at', 'sql_at') }} as days_mql_to_sql,
    {{ days_between('sql_at', 'opportunity_at') }} as days_sql_to_opportunity,
    {{ days_between('opportunity_at', 'customer_at') }} as days_opportunity_to_customer,
    {{ days_between('created_at', 'customer_at') }} as days_created_to_customer
from reached
