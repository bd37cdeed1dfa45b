-- The pipeline waterfall per ISO week (Monday to Sunday), owner, segment and pipeline
-- (glossary: Pipeline, "waterfall"): start + created + increased - decreased - won - lost = end,
-- exactly; the weekly review's waterfall of the week. Each opportunity counts under its owner,
-- segment and pipeline at the week's end, every one of its movements of the week included.
{%- set amounts = ['start', 'created', 'reopened', 'increased', 'decreased', 'won', 'lost', 'end'] %}
select
    week,
    owner_id,
    segment,
    pipeline,
    {%- for bucket in amounts %}
    cast(sum({{ bucket }}_amount) as double) as {{ bucket }}_amount,
    {%- endfor %}
    cast(sum(entries) as bigint) as created_opportunities,
    cast(sum(wins) as bigint) as won_opportunities,
    cast(sum(losses) as bigint) as lost_opportunities
from {{ ref('int_opportunity_weeks') }}
group by week, owner_id, segment, pipeline
