-- One row per channel path (mart_contact_paths.channel_path): how many contacts followed it,
-- how many converted (have an opportunity) and did not, the conversion rate, and the
-- opportunities, wins and revenue won of the converting contacts.
with

paths as (

    select * from {{ ref('mart_contact_paths') }}

),

summary as (

    select
        channel_path,
        max(path_sessions) as path_sessions,
        count(*) as contacts,
        sum(case when is_converting then 1 else 0 end) as conversions,
        sum(case when is_converting then 0 else 1 end) as non_conversions,
        sum(opportunities) as opportunities,
        sum(won_opportunities) as won_opportunities,
        {{ exact_sum('revenue_won') }} as revenue_won
    from paths
    group by channel_path

)

select
    channel_path,
    cast(path_sessions as bigint) as path_sessions,
    cast(contacts as bigint) as contacts,
    cast(conversions as bigint) as conversions,
    cast(non_conversions as bigint) as non_conversions,
    {{ safe_divide('conversions', 'contacts') }} as conversion_rate,
    cast(opportunities as bigint) as opportunities,
    cast(won_opportunities as bigint) as won_opportunities,
    cast(revenue_won as double) as revenue_won
from summary
