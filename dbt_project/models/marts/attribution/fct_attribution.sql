-- Multi-touch attribution of opportunities to the sessions of their contact (DESIGN.md
-- section 5): one row per opportunity, touch (session) and model, for every model. The credit
-- logic is the macro attribution_credits_ctes (macros/attribution.sql), the same SQL
-- the property tests run. pipeline_credit = credit x amount (missing amount 0), revenue_credit
-- = credit x amount of a won opportunity (0 otherwise). Opportunities without a touch in the
-- window are in mart_unattributed_opportunities.
with

{{ attribution_credits_ctes(ref('int_attribution_touches')) }},

opportunities as (

    select
        opportunity_id,
        contact_id,
        created_at,
        effective_closed_at,
        is_closed,
        is_won,
        amount
    from {{ ref('fct_opportunities') }}

),

sessions as (

    select session_id, channel from {{ ref('fct_sessions') }}

)

select
    attribution_credits.opportunity_id,
    attribution_credits.touch_id as session_id,
    attribution_credits.attribution_model,
    opportunities.contact_id,
    sessions.channel,
    attribution_credits.touch_at as touch_started_at,
    attribution_credits.touch_sequence,
    attribution_credits.touches_in_path,
    attribution_credits.is_first_touch,
    attribution_credits.is_lead_creation_touch,
    attribution_credits.is_deal_creation_touch,
    attribution_credits.is_closing_touch,
    attribution_credits.days_before_conversion,
    attribution_credits.credit,
    attribution_credits.credit * coalesce(opportunities.amount, 0) as pipeline_credit,
    case
        when opportunities.is_won then attribution_credits.credit * coalesce(opportunities.amount, 0)
        else 0.0
    end as revenue_credit,
    opportunities.amount,
    opportunities.is_won,
    opportunities.created_at as opportunity_created_at,
    {{ month_start('opportunities.created_at') }} as opportunity_month,
    case when opportunities.is_closed then opportunities.effective_closed_at end
        as opportunity_closed_at,
    case
        when opportunities.is_closed then {{ month_start('opportunities.effective_closed_at') }}
    end as close_month
from attribution_credits
inner join opportunities
    on attribution_credits.opportunity_id = opportunities.opportunity_id
inner join sessions
    on attribution_credits.touch_id = sessions.session_id
