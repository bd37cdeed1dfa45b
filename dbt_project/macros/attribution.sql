{#-
    Multi-touch attribution (DESIGN.md section 5), written once as a macro over an input
    relation so that the product model `fct_attribution` and the property tests run the very
    same SQL.

    Input relation `touches`: one row per (opportunity, candidate touch), columns
        opportunity_id          the opportunity
        touch_id                the touch (a session id)
        touch_at                when the touch started
        opportunity_created_at  when the opportunity was created (the conversion)
        contact_created_at      when the opportunity's contact was created (may be null)
        opportunity_closed_at   when the opportunity closed, null while it is open
    Rows outside the window are dropped here, so the caller may pass every session of the
    opportunity's contact.

    Output: the CTEs `attribution_window`, `attribution_positions`, `attribution_weighted`
    and `attribution_credits`, to be placed in the caller's `with` list (no trailing comma).
    `attribution_credits` has one row per opportunity, touch and model:
        opportunity_id, touch_id, attribution_model, touch_at, touch_sequence,
        touches_in_path, is_first_touch, is_lead_creation_touch, is_deal_creation_touch,
        is_closing_touch, days_before_conversion, credit
-#}

{#- Position shares of each model. `rest` is shared equally by the touches that hold no
    position with a share in the model; where there is no such touch, equally by the positioned
    touches. `linear` is all rest; `time_decay` is computed apart (weights 2^(-days/half-life)). -#}
{% macro attribution_model_shares() %}
    {{ return({
        'first_touch':    {'first': 1.0,   'lead_creation': 0.0,   'deal_creation': 0.0,   'closing': 0.0,   'rest': 0.0},
        'last_touch':     {'first': 0.0,   'lead_creation': 0.0,   'deal_creation': 1.0,   'closing': 0.0,   'rest': 0.0},
        'linear':         {'first': 0.0,   'lead_creation': 0.0,   'deal_creation': 0.0,   'closing': 0.0,   'rest': 1.0},
        'position_based': {'first': 0.4,   'lead_creation': 0.0,   'deal_creation': 0.4,   'closing': 0.0,   'rest': 0.2},
        'u_shaped':       {'first': 0.4,   'lead_creation': 0.4,   'deal_creation': 0.0,   'closing': 0.0,   'rest': 0.2},
        'w_shaped':       {'first': 0.3,   'lead_creation': 0.3,   'deal_creation': 0.3,   'closing': 0.0,   'rest': 0.1},
        'full_path':      {'first': 0.225, 'lead_creation': 0.225, 'deal_creation': 0.225, 'closing': 0.225, 'rest': 0.1},
        'j_shaped':       {'first': 0.2,   'lead_creation': 0.0,   'deal_creation': 0.6,   'closing': 0.0,   'rest': 0.2},
        'inverse_j':      {'first': 0.6,   'lead_creation': 0.0,   'deal_creation': 0.2,   'closing': 0.0,   'rest': 0.2},
    }) }}
{% endmacro %}


{#- One row per attribution model (var attribution_models, in its order): a select of the column
    `attribution_model`, to cross join with. -#}
{% macro attribution_model_rows() %}
    {%- for model_name in var('attribution_models') %}
    select '{{ model_name }}' as attribution_model
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
{% endmacro %}


{% macro attribution_credits_ctes(touches, lookback_days=none, half_life_days=none) %}
{%- set lookback_days = lookback_days if lookback_days is not none
        else var('attribution_lookback_days') -%}
{%- set half_life_days = half_life_days if half_life_days is not none
        else var('attribution_half_life_days') -%}
{%- set shares = attribution_model_shares() -%}
{%- if ((shares.keys() | list) + ['time_decay']) | sort != var('attribution_models') | sort -%}
    {{ exceptions.raise_compiler_error(
        "var attribution_models " ~ var('attribution_models') ~ " must name the models of "
        ~ "attribution_model_shares() and time_decay: " ~ (shares.keys() | list)) }}
{%- endif -%}

-- The touches in the window: started at most `lookback_days` before the opportunity's
-- creation (inclusive) and before its creation (the standard path); for full_path also those
-- from the creation until before the close (the closed path).
attribution_window as (

    select
        opportunity_id,
        touch_id,
        touch_at,
        opportunity_created_at,
        contact_created_at,
        opportunity_closed_at,
        case when touch_at < opportunity_created_at then 1 else 0 end as is_standard,
        case
            when touch_at < opportunity_created_at
                and contact_created_at is not null
                and touch_at <= contact_created_at
                then 1
            else 0
        end as is_lead_candidate
    from {{ touches }}
    where touch_at >= opportunity_created_at - interval {{ lookback_days | int }} day
        and (
            touch_at < opportunity_created_at
            or (opportunity_closed_at is not null and touch_at < opportunity_closed_at)
        )

),

attribution_ranked as (

    select
        attribution_window.*,
        sum(is_standard) over (partition by opportunity_id) as standard_touches,
        count(*) over (partition by opportunity_id) as closed_path_touches,
        max(is_lead_candidate) over (partition by opportunity_id) as has_lead_candidate,
        row_number() over (
            partition by opportunity_id order by touch_at asc nulls last, touch_id asc nulls last
        ) as touch_sequence,
        row_number() over (
            partition by opportunity_id, is_standard order by touch_at desc nulls last, touch_id desc nulls last
        ) as rank_from_last_in_set,
        row_number() over (
            partition by opportunity_id order by touch_at desc nulls last, touch_id desc nulls last
        ) as rank_from_last_overall,
        row_number() over (
            partition by opportunity_id, is_lead_candidate order by touch_at desc nulls last, touch_id desc nulls last
        ) as rank_from_last_lead_candidate
    from attribution_window

),

-- Positions (DESIGN.md section 5). Opportunities with no touch before their creation in the
-- window are unattributed: they leave here, with their after-creation touches.
attribution_positions as (

    select
        opportunity_id,
        touch_id,
        touch_at,
        opportunity_created_at,
        opportunity_closed_at,
        is_standard,
        touch_sequence,
        standard_touches,
        closed_path_touches,
        case when touch_sequence = 1 then 1 else 0 end as is_first,
        case
            when has_lead_candidate = 1 and is_lead_candidate = 1
                and rank_from_last_lead_candidate = 1 then 1
            when has_lead_candidate = 0 and touch_sequence = 1 then 1
            else 0
        end as is_lead_creation,
        case when is_standard = 1 and rank_from_last_in_set = 1 then 1 else 0 end
            as is_deal_creation,
        case
            when opportunity_closed_at is not null and rank_from_last_overall = 1 then 1
            else 0
        end as is_closing,
        {{ days_between('touch_at', 'opportunity_created_at') }} as days_before_conversion
    from attribution_ranked
    where standard_touches > 0

),

attribution_models as (

    {% for model_name, share in shares.items() %}
    select
        '{{ model_name }}' as attribution_model,
        cast({{ share['first'] }} as double) as share_first,
        cast({{ share['lead_creation'] }} as double) as share_lead_creation,
        cast({{ share['deal_creation'] }} as double) as share_deal_creation,
        cast({{ share['closing'] }} as double) as share_closing,
        cast({{ share['rest'] }} as double) as share_rest
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

-- Positional models: full_path on closed opportunities over the closed path, the others over
-- the standard path.
attribution_positional as (

    select
        attribution_positions.*,
        attribution_models.attribution_model,
        attribution_models.share_rest,
        case
            when attribution_models.attribution_model = 'full_path' then closed_path_touches
            else standard_touches
        end as touches_in_path,
        case
            when attribution_models.attribution_model = 'full_path' then is_closing
            else 0
        end as holds_closing,
        share_first * is_first
        + share_lead_creation * is_lead_creation
        + share_deal_creation * is_deal_creation
        + share_closing * (
            case when attribution_models.attribution_model = 'full_path' then is_closing else 0 end
        ) as positioned_share
    from attribution_positions
    cross join attribution_models
    where (attribution_models.attribution_model <> 'full_path' and is_standard = 1)
        or (attribution_models.attribution_model = 'full_path'
            and opportunity_closed_at is not null)

),

attribution_weighted as (

    select
        attribution_positional.*,
        sum(case when positioned_share = 0 then 1 else 0 end)
            over (partition by opportunity_id, attribution_model) as rest_touches,
        sum(case when positioned_share > 0 then 1 else 0 end)
            over (partition by opportunity_id, attribution_model) as positioned_touches
    from attribution_positional

),

-- time_decay: weight 2^(-days before conversion / half-life), normalised per opportunity.
-- Weights are taken relative to the most recent touch (same result after normalising, and
-- never all zero by underflow).
attribution_decay as (

    select
        attribution_positions.*,
        power(
            2.0,
            -(days_before_conversion - min(days_before_conversion) over (partition by opportunity_id))
            / {{ half_life_days }}
        ) as decay_weight
    from attribution_positions
    where is_standard = 1

),

attribution_credits as (

    select
        opportunity_id,
        touch_id,
        attribution_model,
        touch_at,
        cast(touch_sequence as bigint) as touch_sequence,
        cast(touches_in_path as bigint) as touches_in_path,
        is_first = 1 as is_first_touch,
        is_lead_creation = 1 as is_lead_creation_touch,
        is_deal_creation = 1 as is_deal_creation_touch,
        holds_closing = 1 as is_closing_touch,
        days_before_conversion,
        positioned_share
        + case
            when rest_touches > 0 and positioned_share = 0 then share_rest / rest_touches
            when rest_touches = 0 then share_rest / positioned_touches
            else 0.0
        end as credit
    from attribution_weighted

    union all

    select
        opportunity_id,
        touch_id,
        'time_decay' as attribution_model,
        touch_at,
        cast(touch_sequence as bigint) as touch_sequence,
        cast(standard_touches as bigint) as touches_in_path,
        is_first = 1 as is_first_touch,
        is_lead_creation = 1 as is_lead_creation_touch,
        is_deal_creation = 1 as is_deal_creation_touch,
        false as is_closing_touch,
        days_before_conversion,
        decay_weight / {{ exact_sum('decay_weight', over='partition by opportunity_id') }} as credit
    from attribution_decay

)
{%- endmacro %}
