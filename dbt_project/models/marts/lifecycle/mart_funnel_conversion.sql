-- The lifecycle funnel by monthly cohort (month of contact creation) and original channel:
-- how many contacts reached each stage (skip rule: reaching a stage counts every earlier stage
-- as reached), stage-to-stage conversion rates, and median days between consecutive stages
-- over the contacts that have both timestamps.
{%- set steps = [('lead', 'mql'), ('mql', 'sql'), ('sql', 'opportunity'), ('opportunity', 'customer')] %}
with

lifecycle as (

    select * from {{ ref('int_contacts_lifecycle_staged') }}

),

cohorts as (

    select
        cohort_month,
        original_channel as channel,
        count(*) as contacts,
        sum(case when reached_lead then 1 else 0 end) as leads,
        sum(case when reached_mql then 1 else 0 end) as mqls,
        sum(case when reached_sql then 1 else 0 end) as sqls,
        sum(case when reached_opportunity then 1 else 0 end) as opportunities,
        sum(case when reached_customer then 1 else 0 end) as customers,
        {%- for from_stage, to_stage in steps %}
        {{ exact_median('days_' ~ from_stage ~ '_to_' ~ to_stage) }}
            as median_days_{{ from_stage }}_to_{{ to_stage }},
        {%- endfor %}
        {{ exact_median('days_created_to_customer') }} as median_days_created_to_customer
    from lifecycle
    group by cohort_month, original_channel

)

select
    cohort_month,
    channel,
    cast(contacts as bigint) as contacts,
    cast(leads as bigint) as leads,
    cast(mqls as bigint) as mqls,
    cast(sqls as bigint) as sqls,
    cast(opportunities as bigint) as opportunities,
    cast(customers as bigint) as customers,
    {{ safe_divide('mqls', 'leads') }} as lead_to_mql_rate,
    {{ safe_divide('sqls', 'mqls') }} as mql_to_sql_rate,
    {{ safe_divide('opportunities', 'sqls') }} as sql_to_opportunity_rate,
    {{ safe_divide('customers', 'opportunities') }} as opportunity_to_customer_rate,
    {{ safe_divide('customers', 'leads') }} as lead_to_customer_rate,
    {%- for from_stage, to_stage in steps %}
    cast(median_days_{{ from_stage }}_to_{{ to_stage }} as double)
        as median_days_{{ from_stage }}_to_{{ to_stage }},
    {%- endfor %}
    cast(median_days_created_to_customer as double) as median_days_created_to_customer
from cohorts
