-- The pipeline waterfall per ISO week (Monday to Sunday), owner, segment and pipeline
-- (glossary: Pipeline, "waterfall"): start + created + increased - decreased - won - lost = end,
-- exactly; the weekly review's waterfall of the week. Each opportunity counts under its owner,
-- segment and pipeline at the week's end, every one of its movements of the week included.
select
    week,
    owner_id,
    segment,
    pipeline,
    {{ waterfall_flow_sums() }}
from {{ ref('int_opportunity_weeks') }}
group by week, owner_id, segment, pipeline
