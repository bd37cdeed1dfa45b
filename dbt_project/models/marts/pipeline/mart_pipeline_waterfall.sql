-- The pipeline waterfall per month, owner, segment and pipeline (glossary: Pipeline,
-- "waterfall"): start + created + increased - decreased - won - lost = end, exactly, and the
-- movements of the pipeline due in the month. Each opportunity counts under its owner, segment
-- and pipeline at the month's end, every one of its movements of the month included.
with

months as (

    select * from {{ ref('int_opportunity_months') }}

),

classified as (

    select
        months.*,
        was_due and not is_due_at_start and not was_due_later_at_start as is_moved_in,
        was_due and not is_due_at_start and was_due_later_at_start as is_pulled_in,
        was_due and is_due_later_at_end as is_pushed_out
    from months

)

select
    month,
    owner_id,
    segment,
    pipeline,
    {{ waterfall_flow_sums() }},
    cast(sum(case when is_due_at_start then start_amount else 0 end)
        as double) as due_at_start_amount,
    cast(sum(case when is_moved_in then end_state_amount else 0 end) as double) as moved_in_amount,
    cast(sum(case when is_pulled_in then end_state_amount else 0 end) as double)
        as pulled_in_amount,
    cast(sum(case when is_pushed_out then end_state_amount else 0 end) as double)
        as pushed_out_amount,
    cast(sum(case when was_due and wins > 0 then won_amount else 0 end) as double)
        as due_won_amount,
    cast(sum(case when was_due and losses > 0 then lost_amount else 0 end) as double)
        as due_lost_amount,
    cast(sum(case when is_due_at_end then end_amount else 0 end) as double) as due_at_end_amount
from classified
group by month, owner_id, segment, pipeline
