{{ config(meta={"dagster": {"ref": {"name": "mart_funnel_daily"}}}) }}
-- The daily mart loses nothing: its totals equal the counts of the facts it is built from
-- (every session, contact, opportunity, sales interaction and site interaction counts on
-- exactly one date and channel). Returns one row per metric whose totals differ.
with

daily as (

    select
        sum(visits) as visits,
        sum(pageviews) as pageviews,
        sum(new_contacts) as new_contacts,
        sum(opportunities) as opportunities,
        sum(sales_interactions) as sales_interactions,
        sum(site_interactions) as site_interactions,
        sum(customers) as customers
    from {{ ref('mart_funnel_daily') }}

),

facts as (

    select
        (select count(*) from {{ ref('fct_sessions') }}) as visits,
        (select coalesce(sum(pageviews), 0) from {{ ref('fct_sessions') }}) as pageviews,
        (select count(*) from {{ ref('dim_contacts') }}) as new_contacts,
        (select count(*) from {{ ref('fct_opportunities') }}) as opportunities,
        (select count(*) from {{ ref('fct_sales_interactions') }}) as sales_interactions,
        (select coalesce(sum(site_interactions), 0) from {{ ref('fct_sessions') }})
            as site_interactions,
        (
            select count(*) from {{ ref('fct_opportunities') }}
            where is_first_win and closed_date is not null
        ) as customers

)

select 'visits' as metric, daily.visits as in_mart, facts.visits as in_facts
from daily cross join facts where coalesce(daily.visits, 0) <> facts.visits
union all
select 'pageviews', daily.pageviews, facts.pageviews
from daily cross join facts where coalesce(daily.pageviews, 0) <> facts.pageviews
union all
select 'new_contacts', daily.new_contacts, facts.new_contacts
from daily cross join facts where coalesce(daily.new_contacts, 0) <> facts.new_contacts
union all
select 'opportunities', daily.opportunities, facts.opportunities
from daily cross join facts where coalesce(daily.opportunities, 0) <> facts.opportunities
union all
select 'sales_interactions', daily.sales_interactions, facts.sales_interactions
from daily cross join facts
where coalesce(daily.sales_interactions, 0) <> facts.sales_interactions
union all
select 'site_interactions', daily.site_interactions, facts.site_interactions
from daily cross join facts
where coalesce(daily.site_interactions, 0) <> facts.site_interactions
union all
select 'customers', daily.customers, facts.customers
from daily cross join facts where coalesce(daily.customers, 0) <> facts.customers
