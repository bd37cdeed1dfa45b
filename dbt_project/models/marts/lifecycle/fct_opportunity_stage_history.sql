-- One row per stint of an opportunity in a stage, from the raw version history: consecutive
-- versions (in version order) with the same stage form one stint. The first stint is entered at
-- the opportunity's created_at; a later stint at the time of its first version (updated_at,
-- falling back to that version's created_at), never before the creation nor before an earlier
-- version (a running maximum keeps the history in order when CRM clocks disagree). A stint is
-- left when the next one is entered; the latest stint is the current stage and has no end.
with

versions as (

    select * from {{ ref('stg_alignment__opportunity_versions') }}

),

opportunities as (

    select opportunity_id, contact_id, owner_id, created_at, channel
    from {{ ref('fct_opportunities') }}

),

timed as (

    select
        versions.opportunity_id,
        versions.version_number,
        versions.stage,
        opportunities.created_at as opportunity_created_at,
        max(
            case
                when coalesce(versions.updated_at, versions.created_at) is null
                    or coalesce(versions.updated_at, versions.created_at)
                        < opportunities.created_at
                    then opportunities.created_at
                else coalesce(versions.updated_at, versions.created_at)
            end
        ) over (
            partition by versions.opportunity_id
            order by versions.version_number asc nulls last
            rows between unbounded preceding and current row
        ) as version_at,
        case
            when versions.version_number = 1 then 1
            when coalesce(versions.stage, '') <> coalesce(
                    lag(versions.stage) over (
                        partition by versions.opportunity_id order by versions.version_number asc nulls last
                    ), ''
                ) then 1
            else 0
        end as is_stint_start
    from versions
    inner join opportunities
        on versions.opportunity_id = opportunities.opportunity_id

),

numbered as (

    select
        timed.*,
        sum(is_stint_start) over (
            partition by opportunity_id
            order by version_number asc nulls last
            rows between unbounded preceding and current row
        ) as stage_sequence
    from timed

),

stints as (

    select
        opportunity_id,
        stage_sequence,
        max(stage) as stage,
        min(opportunity_created_at) as opportunity_created_at,
        min(version_at) as first_version_at,
        count(*) as versions_in_stage
    from numbered
    group by opportunity_id, stage_sequence

),

bounded as (

    select
        stints.opportunity_id,
        stints.stage_sequence,
        stints.stage,
        case
            when stints.stage_sequence = 1 then stints.opportunity_created_at
            else stints.first_version_at
        end as entered_at,
        lead(stints.first_version_at) over (
            partition by stints.opportunity_id order by stints.stage_sequence asc nulls last
        ) as left_at,
        lead(stints.stage) over (
            partition by stints.opportunity_id order by stints.stage_sequence asc nulls last
        ) as next_stage,
        stints.versions_in_stage
    from stints

)

select
    bounded.opportunity_id,
    cast(bounded.stage_sequence as bigint) as stage_sequence,
    bounded.stage,
    bounded.entered_at,
    bounded.left_at,
    bounded.next_stage,
    {{ days_between('bounded.entered_at', 'bounded.left_at') }} as days_in_stage,
    bounded.left_at is null as is_current_stage,
    coalesce(bounded.stage in ('closed_won', 'closed_lost'), false) as is_closed_stage,
    cast(bounded.versions_in_stage as bigint) as versions_in_stage,
    opportunities.contact_id,
    opportunities.owner_id,
    opportunities.channel
from bounded
inner join opportunities
    on bounded.opportunity_id = opportunities.opportunity_id
