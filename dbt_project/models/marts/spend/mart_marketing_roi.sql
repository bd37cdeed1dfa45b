-- Return on marketing spend, one row per month, channel and attribution model for every month
-- and channel with spend recorded in the optional source raw.marketing_spend (spend_date,
-- channel, campaign, amount; channel compared lower-cased and trimmed). When the table does not
-- exist, or is empty, the model is empty. Raw keeps every loaded version: for each day, channel and
-- campaign the rows of the latest file that has any (greatest _source_file) count, summed, so
-- a re-delivered file with restated spend replaces the earlier amounts.
--   leads              contacts created that month whose original channel is the channel
--   opportunities      opportunities credited to the channel by the model (month of creation)
--   revenue            revenue credited to the channel by the model (month of close)
--   cost_per_lead      spend / leads; cost_per_opportunity spend / opportunities;
--   return_on_spend    revenue / spend (null where the denominator is 0)
{%- set spend_source = source('raw', 'marketing_spend') %}
{%- set spend_relation = none %}
{%- if execute %}
{%- set spend_relation = adapter.get_relation(
        database=spend_source.database, schema=spend_source.schema,
        identifier=spend_source.identifier) %}
{%- endif %}
{%- set models = var('attribution_models') %}
with

spend_rows as (

    {%- if spend_relation is not none %}
    {%- set spend_columns = adapter.get_columns_in_relation(spend_relation)
            | map(attribute='name') | map('lower') | list %}
    select spend_date, channel, campaign, amount
    from (
        select
            cast(spend_date as date) as spend_date,
            lower(trim(cast(channel as string))) as channel,
            {{ clean_text('campaign') }} as campaign,
            cast(amount as double) as amount,
            {%- if '_source_file' in spend_columns %}
            dense_rank() over (
                partition by
                    cast(spend_date as date),
                    lower(trim(cast(channel as string))),
                    {{ clean_text('campaign') }}
                order by _source_file desc nulls last
            ) as version_rank
            {%- else %}
            1 as version_rank
            {%- endif %}
        from {{ spend_source }}
    ) as versions
    where version_rank = 1
    {%- else %}
    -- raw.marketing_spend does not exist: no spend
    select
        cast(null as date) as spend_date,
        cast(null as string) as channel,
        cast(null as string) as campaign,
        cast(null as double) as amount
    where 1 = 0
    {%- endif %}

),

spend as (

    select
        {{ month_start('spend_date') }} as month,
        channel,
        {{ exact_sum('coalesce(amount, 0)') }} as spend,
        count(distinct campaign) as campaigns
    from spend_rows
    where spend_date is not null and channel is not null
    group by {{ month_start('spend_date') }}, channel

),

leads as (

    select
        {{ month_start('created_at') }} as month,
        original_channel as channel,
        count(*) as leads
    from {{ ref('dim_contacts') }}
    group by {{ month_start('created_at') }}, original_channel

),

credits as (

    select * from {{ ref('fct_attribution') }}

),

credited_opportunities as (

    select
        opportunity_month as month,
        channel,
        attribution_model,
        {{ exact_sum('credit') }} as opportunities,
        {{ exact_sum('pipeline_credit') }} as pipeline
    from credits
    group by opportunity_month, channel, attribution_model

),

credited_revenue as (

    select
        close_month as month,
        channel,
        attribution_model,
        {{ exact_sum('revenue_credit') }} as revenue
    from credits
    where is_won and close_month is not null
    group by close_month, channel, attribution_model

),

models as (

    {{ attribution_model_rows() }}

),

combined as (

    select
        spend.month,
        spend.channel,
        models.attribution_model,
        spend.spend,
        spend.campaigns,
        coalesce(leads.leads, 0) as leads,
        coalesce(credited_opportunities.opportunities, 0) as opportunities,
        coalesce(credited_opportunities.pipeline, 0) as pipeline,
        coalesce(credited_revenue.revenue, 0) as revenue
    from spend
    cross join models
    left join leads
        on spend.month = leads.month and spend.channel = leads.channel
    left join credited_opportunities
        on spend.month = credited_opportunities.month
        and spend.channel = credited_opportunities.channel
        and models.attribution_model = credited_opportunities.attribution_model
    left join credited_revenue
        on spend.month = credited_revenue.month
        and spend.channel = credited_revenue.channel
        and models.attribution_model = credited_revenue.attribution_model

)

select
    month,
    channel,
    attribution_model,
    cast(spend as double) as spend,
    cast(campaigns as bigint) as campaigns,
    cast(leads as bigint) as leads,
    cast(opportunities as double) as opportunities,
    cast(pipeline as double) as pipeline,
    cast(revenue as double) as revenue,
    {{ safe_divide('spend', 'leads') }} as cost_per_lead,
    {{ safe_divide('spend', 'opportunities') }} as cost_per_opportunity,
    {{ safe_divide('revenue', 'spend') }} as return_on_spend
from combined
