-- Contact record quality by original channel and owner: how many contacts, how many complete,
-- which fields are missing how often, and how many are suspected duplicates.
{%- set required_fields = var('contact_required_fields') %}
with

quality as (

    select * from {{ ref('mart_contact_quality') }}

),

summary as (

    select
        original_channel,
        owner_id,
        cast(count(*) as bigint) as contacts,
        cast(sum(case when is_complete then 1 else 0 end) as bigint) as complete_contacts,
        {%- for field in required_fields %}
        cast(sum(case when is_missing_{{ field }} then 1 else 0 end) as bigint)
            as missing_{{ field }},
        {%- if field == 'email' %}
        cast(sum(case when is_invalid_email then 1 else 0 end) as bigint) as invalid_email,
        {%- endif %}
        {%- endfor %}
        cast(sum(case when is_suspected_duplicate then 1 else 0 end) as bigint)
            as suspected_duplicates
    from quality
    group by original_channel, owner_id

)

select
    original_channel,
    owner_id,
    contacts,
    complete_contacts,
    {{ safe_divide('complete_contacts', 'contacts') }} as completeness_rate,
    {%- for field in required_fields %}
    missing_{{ field }},
    {%- if field == 'email' %}
    invalid_email,
    {%- endif %}
    {%- endfor %}
    suspected_duplicates
from summary
