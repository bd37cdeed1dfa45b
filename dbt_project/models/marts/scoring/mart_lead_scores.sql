-- One row per contact: its lead score from the shared configuration (seeds
-- lead_scoring_fit_rules, lead_scoring_behaviour_points, lead_scoring_settings).
--   fit score        for each attribute (job_title, company, country) the points of the first
--                    rule (by priority) whose pattern matches the whole value, case-insensitive
--   behaviour score  each signal's points halved every behaviour_half_life_days after it
--   score at t       fit score + behaviour of the signals at or before t, decayed to t
-- The current score is the score at `score_as_of` (var lead_score_as_of, default the latest
-- timestamp in the data: contact creation, web event or sales interaction). The score can only
-- rise at a signal, so it first reaches mql_threshold at the contact's creation or at one of
-- its signals after the creation: score_mql_at is the first of those instants (up to
-- score_as_of) whose score reaches the threshold. mql_agreement compares that with the CRM's
-- became_mql_at.
with

settings as (

    select
        max(case when setting = 'mql_threshold' then value end) as mql_threshold,
        max(case when setting = 'behaviour_half_life_days' then value end) as half_life_days
    from {{ ref('lead_scoring_settings') }}

),

contacts as (

    select
        contact_id,
        owner_id,
        original_channel,
        created_at,
        became_mql_at,
        job_title,
        company,
        country
    from {{ ref('dim_contacts') }}

),

signals as (

    select * from {{ ref('int_lead_score_signals') }}

),

as_of as (

    {%- set as_of = var('lead_score_as_of') %}
    {%- if as_of %}
    select cast('{{ as_of }}' as timestamp) as score_as_of
    {%- else %}
    select max(latest_at) as score_as_of
    from (
        select max(created_at) as latest_at from contacts
        union all
        select max(occurred_at) as latest_at from {{ ref('int_web_events_sessionized') }}
        union all
        select max(occurred_at) as latest_at from {{ ref('fct_sales_interactions') }}
    ) as latest
    {%- endif %}

),

-- Patterns are matched once per distinct attribute value, not per contact (a regex per
-- contact and rule was 90% of this model's time at 190k contacts).
attribute_values as (

    select distinct 'job_title' as attribute, job_title as value from contacts
    union
    select distinct 'company' as attribute, company as value from contacts
    union
    select distinct 'country' as attribute, country as value from contacts

),

value_matches as (

    select
        attribute_values.attribute,
        attribute_values.value,
        rules.points,
        row_number() over (
            partition by attribute_values.attribute, attribute_values.value
            order by rules.priority asc nulls last, rules.rule_id asc nulls last
        ) as match_rank
    from attribute_values
    inner join {{ ref('lead_scoring_fit_rules') }} as rules
        on rules.attribute = attribute_values.attribute
        and {{ matches_pattern_ci('attribute_values.value', 'rules.pattern') }}

),

value_points as (

    select attribute, value, points
    from value_matches
    where match_rank = 1

),

fit as (

    select
        contacts.contact_id,
        job_title_rule.points as job_title_points,
        company_rule.points as company_points,
        country_rule.points as country_points
    from contacts
    left join value_points as job_title_rule
        on job_title_rule.attribute = 'job_title' and job_title_rule.value = contacts.job_title
    left join value_points as company_rule
        on company_rule.attribute = 'company' and company_rule.value = contacts.company
    left join value_points as country_rule
        on country_rule.attribute = 'country' and country_rule.value = contacts.country

),

scored_contacts as (

    select
        contacts.*,
        cast(coalesce(fit.job_title_points, 0) as double) as job_title_points,
        cast(coalesce(fit.company_points, 0) as double) as company_points,
        cast(coalesce(fit.country_points, 0) as double) as country_points,
        cast(
            coalesce(fit.job_title_points, 0) + coalesce(fit.company_points, 0)
            + coalesce(fit.country_points, 0) as double
        ) as fit_score
    from contacts
    left join fit
        on contacts.contact_id = fit.contact_id

),

-- The instants at which the score may first reach the threshold.
instants as (

    select contact_id, created_at as instant_at
    from contacts
    union
    select signals.contact_id, signals.occurred_at as instant_at
    from signals
    inner join contacts
        on signals.contact_id = contacts.contact_id
    where signals.occurred_at > contacts.created_at

),

instant_scores as (

    select
        instants.contact_id,
        instants.instant_at,
        coalesce({{ exact_sum(
            "signals.points * power(2.0, -"
            ~ days_between('signals.occurred_at', 'instants.instant_at')
            ~ " / settings.half_life_days)"
        ) }}, 0) as behaviour_score
    from instants
    cross join settings
    left join signals
        on instants.contact_id = signals.contact_id
        and signals.occurred_at <= instants.instant_at
    group by instants.contact_id, instants.instant_at

),

crossings as (

    select
        instant_scores.contact_id,
        min(instant_scores.instant_at) as score_mql_at
    from instant_scores
    inner join scored_contacts
        on instant_scores.contact_id = scored_contacts.contact_id
    cross join settings
    cross join as_of
    where scored_contacts.fit_score + instant_scores.behaviour_score >= settings.mql_threshold
        and instant_scores.instant_at <= as_of.score_as_of
    group by instant_scores.contact_id

),

current_behaviour as (

    select
        signals.contact_id,
        {{ exact_sum(
            "signals.points * power(2.0, -"
            ~ days_between('signals.occurred_at', 'as_of.score_as_of')
            ~ " / settings.half_life_days)"
        ) }} as behaviour_score,
        sum(case when signals.signal = 'pricing_view' then 1 else 0 end) as pricing_views,
        sum(case when signals.signal = 'demo_request' then 1 else 0 end) as demo_requests,
        sum(case when signals.signal = 'content_download' then 1 else 0 end) as content_downloads,
        sum(case when signals.signal = 'email_clicked' then 1 else 0 end) as email_clicks,
        count(*) as signals,
        max(signals.occurred_at) as last_signal_at
    from signals
    cross join as_of
    cross join settings
    where signals.occurred_at <= as_of.score_as_of
    group by signals.contact_id

)

select
    scored_contacts.contact_id,
    scored_contacts.owner_id,
    scored_contacts.original_channel,
    scored_contacts.created_at,
    scored_contacts.job_title_points,
    scored_contacts.company_points,
    scored_contacts.country_points,
    scored_contacts.fit_score,
    cast(coalesce(current_behaviour.behaviour_score, 0) as double) as behaviour_score,
    scored_contacts.fit_score + cast(coalesce(current_behaviour.behaviour_score, 0) as double)
        as score,
    as_of.score_as_of,
    cast(settings.mql_threshold as double) as mql_threshold,
    scored_contacts.fit_score + cast(coalesce(current_behaviour.behaviour_score, 0) as double)
        >= settings.mql_threshold as is_above_threshold,
    cast(coalesce(current_behaviour.pricing_views, 0) as bigint) as pricing_views,
    cast(coalesce(current_behaviour.demo_requests, 0) as bigint) as demo_requests,
    cast(coalesce(current_behaviour.content_downloads, 0) as bigint) as content_downloads,
    cast(coalesce(current_behaviour.email_clicks, 0) as bigint) as email_clicks,
    cast(coalesce(current_behaviour.signals, 0) as bigint) as signals,
    current_behaviour.last_signal_at,
    crossings.score_mql_at,
    scored_contacts.became_mql_at as crm_mql_at,
    case
        when crossings.score_mql_at is not null and scored_contacts.became_mql_at is not null
            then 'both'
        when crossings.score_mql_at is not null then 'score_only'
        when scored_contacts.became_mql_at is not null then 'crm_only'
        else 'neither'
    end as mql_agreement,
    {{ days_between('scored_contacts.became_mql_at', 'crossings.score_mql_at') }}
        as days_score_after_crm
from scored_contacts
cross join settings
cross join as_of
left join current_behaviour
    on scored_contacts.contact_id = current_behaviour.contact_id
left join crossings
    on scored_contacts.contact_id = crossings.contact_id
