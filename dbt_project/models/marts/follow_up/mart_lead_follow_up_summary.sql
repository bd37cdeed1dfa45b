-- The follow-up numbers both teams argue about, by month of becoming MQL, original channel and
-- contact owner ('unassigned' where the contact has none): MQLs, how many were ignored, how
-- many followed up within the SLA, how many reached SQL, the shares of each, and the median
-- hours to the first touch of the MQLs that got one.
with

follow_up as (

    select * from {{ ref('mart_lead_follow_up') }}

),

summary as (

    select
        mql_month,
        original_channel as channel,
        coalesce(owner_id, 'unassigned') as owner_id,
        count(*) as mqls,
        sum(case when first_touch_at is not null then 1 else 0 end) as mqls_touched,
        sum(case when is_ignored then 1 else 0 end) as mqls_ignored,
        sum(case when is_within_sla then 1 else 0 end) as mqls_within_sla,
        sum(case when reached_sql then 1 else 0 end) as mqls_reached_sql,
        {{ exact_median('hours_to_first_touch') }} as median_hours_to_first_touch
    from follow_up
    group by mql_month, original_channel, coalesce(owner_id, 'unassigned')

)

select
    mql_month,
    channel,
    owner_id,
    cast(mqls as bigint) as mqls,
    cast(mqls_touched as bigint) as mqls_touched,
    cast(mqls_ignored as bigint) as mqls_ignored,
    cast(mqls_within_sla as bigint) as mqls_within_sla,
    cast(mqls_reached_sql as bigint) as mqls_reached_sql,
    {{ safe_divide('mqls_ignored', 'mqls') }} as ignored_share,
    {{ safe_divide('mqls_within_sla', 'mqls') }} as within_sla_share,
    {{ safe_divide('mqls_reached_sql', 'mqls') }} as mql_to_sql_rate,
    cast(median_hours_to_first_touch as double) as median_hours_to_first_touch
from summary
