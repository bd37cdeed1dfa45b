-- One row per contact: which required fields (var contact_required_fields) its latest version
-- lacks (glossary: complete contact record). The email must be present and valid; every other
-- field non-empty. missing_fields lists them comma-separated in the variable's order ('' when
-- the record is complete); an invalid email is listed as `email`.
{%- set required_fields = var('contact_required_fields') %}
{%- set email_pattern = '^[^@\\s]+@[^@\\s]+\\.[a-z]{2,}$' %}
with

contacts as (

    select * from {{ ref('stg_raw__contacts') }}

),

flags as (

    select
        {%- for field in required_fields %}
        {%- if field == 'email' %}
        email is null as is_missing_email,
        (
            email is not null
            and not coalesce({{ regex_full_match('email', regex_literal(email_pattern)) }}, false)
        ) as is_invalid_email,
        {%- else %}
        {{ field }} is null as is_missing_{{ field }},
        {%- endif %}
        {%- endfor %}
        contact_id
    from contacts

),

listed as (

    select
        flags.*,
        concat_ws(
            ','
            {%- for field in required_fields %},
            case
                when is_missing_{{ field }}{% if field == 'email' %} or is_invalid_email{% endif %}
                    then '{{ field }}'
            end
            {%- endfor %}
        ) as missing_fields
    from flags

)

select
    contact_id,
    missing_fields = '' as is_complete,
    missing_fields,
    {%- for field in required_fields %}
    is_missing_{{ field }},
    {%- if field == 'email' %}
    is_invalid_email,
    {%- endif %}
    {%- endfor %}
    cast({{ required_fields | length }} as bigint) as required_field_count
from listed
