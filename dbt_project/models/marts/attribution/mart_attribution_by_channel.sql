-- The attribution models side by side, one row per month and channel. For each model:
-- <model>_opportunities (credited opportunities, by month of creation), <model>_pipeline
-- (pipeline credit, by month of creation), <model>_won_opportunities and <model>_revenue
-- (credit and revenue credit of won opportunities, by month of close). Unattributed
-- opportunities are on rows with channel '(unattributed)' (whole opportunities; for full_path
-- the closed ones only), so each model's pipeline over all rows of a month equals the pipeline
-- created that month (full_path: of the opportunities closed since) and its revenue the revenue
-- won that month (mart_funnel_daily).
{%- set models = var('attribution_models') %}
with

credits as (

    select * from {{ ref('fct_attribution') }}

),

unattributed as (

    select * from {{ ref('mart_unattributed_opportunities') }}

),

models as (

    {{ attribution_model_rows() }}

),

pipeline as (

    select
        opportunity_month as month,
        channel,
        attribution_model,
        {{ exact_sum('credit') }} as opportunities,
        {{ exact_sum('pipeline_credit') }} as pipeline
    from credits
    group by opportunity_month, channel, attribution_model

    union all

    select
        unattributed.opportunity_month as month,
        '(unattributed)' as channel,
        models.attribution_model,
        cast(count(*) as double) as opportunities,
        {{ exact_sum('coalesce(unattributed.amount, 0)') }} as pipeline
    from unattributed
    cross join models
    where models.attribution_model <> 'full_path' or unattributed.close_month is not null
    group by unattributed.opportunity_month, models.attribution_model

),

revenue as (

    select
        close_month as month,
        channel,
        attribution_model,
        {{ exact_sum('credit') }} as won_opportunities,
        {{ exact_sum('revenue_credit') }} as revenue
    from credits
    where is_won and close_month is not null
    group by close_month, channel, attribution_model

    union all

    select
        unattributed.close_month as month,
        '(unattributed)' as channel,
        models.attribution_model,
        cast(count(*) as double) as won_opportunities,
        {{ exact_sum('coalesce(unattributed.amount, 0)') }} as revenue
    from unattributed
    cross join models
    where unattributed.is_won and unattributed.close_month is not null
    group by unattributed.close_month, models.attribution_model

),

pipeline_by_model as (

    select
        month,
        channel,
        {%- for model_name in models %}
        sum(case when attribution_model = '{{ model_name }}' then opportunities end)
            as {{ model_name }}_opportunities,
        sum(case when attribution_model = '{{ model_name }}' then pipeline end)
            as {{ model_name }}_pipeline{% if not loop.last %},{% endif %}
        {%- endfor %}
    from pipeline
    group by month, channel

),

revenue_by_model as (

    select
        month,
        channel,
        {%- for model_name in models %}
        sum(case when attribution_model = '{{ model_name }}' then won_opportunities end)
            as {{ model_name }}_won_opportunities,
        sum(case when attribution_model = '{{ model_name }}' then revenue end)
            as {{ model_name }}_revenue{% if not loop.last %},{% endif %}
        {%- endfor %}
    from revenue
    group by month, channel

),

spine as (

    select month, channel from pipeline
    union
    select month, channel from revenue

)

select
    spine.month,
    spine.channel,
    {%- for model_name in models %}
    cast(coalesce(pipeline_by_model.{{ model_name }}_opportunities, 0) as double)
        as {{ model_name }}_opportunities,
    cast(coalesce(pipeline_by_model.{{ model_name }}_pipeline, 0) as double)
        as {{ model_name }}_pipeline,
    cast(coalesce(revenue_by_model.{{ model_name }}_won_opportunities, 0) as double)
        as {{ model_name }}_won_opportunities,
    cast(coalesce(revenue_by_model.{{ model_name }}_revenue, 0) as double)
        as {{ model_name }}_revenue{% if not loop.last %},{% endif %}
    {%- endfor %}
from spine
left join pipeline_by_model
    on spine.month = pipeline_by_model.month and spine.channel = pipeline_by_model.channel
left join revenue_by_model
    on spine.month = revenue_by_model.month and spine.channel = revenue_by_model.channel
where spine.month is not null
