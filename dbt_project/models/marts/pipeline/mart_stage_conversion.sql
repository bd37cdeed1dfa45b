-- Stage-to-stage conversion by cohort month (glossary: Pipeline, "stage conversion"): for each
-- opportunity and open stage it entered (its first stint in the stage,
-- fct_opportunity_stage_history), whether it later reached a later stage or won. Cohort: the
-- UTC month it first entered the stage. By owner and original channel.
{%- set stages = var('opportunity_stages') %}
with

stints as (

    select
        opportunity_id,
        stage,
        entered_at,
        coalesce(owner_id, 'unassigned') as owner_id,
        channel,
        case stage
            {%- for stage in stages if stage != 'closed_lost' %}
            when '{{ stage }}' then {{ loop.index }}
            {%- endfor %}
        end as stage_rank
    from {{ ref('fct_opportunity_stage_history') }}

),

entries as (

    select opportunity_id, stage, stage_rank, owner_id, channel, min(entered_at) as entered_at
    from stints
    where stage_rank is not null and stage <> 'closed_won'
    group by opportunity_id, stage, stage_rank, owner_id, channel

),

outcomes as (

    select
        entries.opportunity_id,
        entries.stage,
        entries.stage_rank,
        entries.owner_id,
        entries.channel,
        {{ month_start('entries.entered_at') }} as cohort_month,
        max(case when later.stage_rank > entries.stage_rank then 1 else 0 end) as advanced,
        max(case when later.stage = 'closed_won' then 1 else 0 end) as won
    from entries
    left join stints as later
        on later.opportunity_id = entries.opportunity_id
        and later.entered_at >= entries.entered_at
    group by entries.opportunity_id, entries.stage, entries.stage_rank, entries.owner_id,
        entries.channel, {{ month_start('entries.entered_at') }}

)

select
    cohort_month,
    stage,
    cast(min(stage_rank) as bigint) as stage_order,
    owner_id,
    channel,
    cast(count(*) as bigint) as entered,
    cast(sum(advanced) as bigint) as advanced,
    cast(sum(won) as bigint) as won,
    {{ safe_divide('sum(advanced)', 'count(*)') }} as conversion_rate,
    {{ safe_divide('sum(won)', 'count(*)') }} as win_rate_from_stage
from outcomes
group by cohort_month, stage, owner_id, channel
