-- The channel of every distinct combination of channel-rule inputs found on session-first
-- events (glossary: channel). Rules of the seed channel_rules are tried by ascending priority;
-- a rule matches when its has_utm is blank or equals the combination's has_utm and each of its
-- non-blank regular expressions matches the whole corresponding value. No match: `other`.
-- Classifying distinct combinations (not events) keeps the regex work small.
with

keys as (

    select distinct
        channel_source,
        channel_medium,
        has_utm,
        referrer_host
    from {{ ref('int_sessions_aggregated') }}

),

rules as (

    select
        cast(priority as bigint) as priority,
        trim(channel) as channel,
        lower(trim(coalesce(has_utm, ''))) as has_utm,
        coalesce(utm_source_regex, '') as utm_source_regex,
        coalesce(utm_medium_regex, '') as utm_medium_regex,
        coalesce(referrer_host_regex, '') as referrer_host_regex
    from {{ ref('channel_rules') }}

),

matches as (

    select
        keys.channel_source,
        keys.channel_medium,
        keys.has_utm,
        keys.referrer_host,
        rules.priority,
        rules.channel,
        row_number() over (
            partition by
                keys.channel_source, keys.channel_medium, keys.has_utm, keys.referrer_host
            order by rules.priority asc, rules.channel asc
        ) as match_rank
    from keys
    inner join rules
        on (
            rules.has_utm = ''
            or rules.has_utm = case when keys.has_utm then 'true' else 'false' end
        )
        and (
            rules.utm_source_regex = ''
            or {{ regex_full_match('keys.channel_source', 'rules.utm_source_regex') }}
        )
        and (
            rules.utm_medium_regex = ''
            or {{ regex_full_match('keys.channel_medium', 'rules.utm_medium_regex') }}
        )
        and (
            rules.referrer_host_regex = ''
            or {{ regex_full_match('keys.referrer_host', 'rules.referrer_host_regex') }}
        )

)

select
    keys.channel_source,
    keys.channel_medium,
    keys.has_utm,
    keys.referrer_host,
    coalesce(matches.channel, 'other') as channel,
    matches.priority as matched_rule_priority
from keys
left join matches
    on keys.channel_source = matches.channel_source
    and keys.channel_medium = matches.channel_medium
    and keys.has_utm = matches.has_utm
    and keys.referrer_host = matches.referrer_host
    and matches.match_rank = 1
