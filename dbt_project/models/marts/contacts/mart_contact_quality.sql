-- One row per contact: the completeness of its record (glossary: complete contact record) and
-- whether it is a suspected duplicate, with the owner and channel to route the fix-up.
{%- set required_fields = var('contact_required_fields') %}
with

contacts as (

    select
        contact_id,
        owner_id,
        original_channel,
        created_date,
        is_suspected_duplicate
    from {{ ref('dim_contacts') }}

),

completeness as (

    select * from {{ ref('int_contacts_completeness') }}

)

select
    contacts.contact_id,
    contacts.owner_id,
    contacts.original_channel,
    completeness.is_complete,
    completeness.missing_fields,
    {%- for field in required_fields %}
    completeness.is_missing_{{ field }},
    {%- if field == 'email' %}
    completeness.is_invalid_email,
    {%- endif %}
    {%- endfor %}
    contacts.is_suspected_duplicate,
    contacts.created_date
from contacts
inner join completeness
    on contacts.contact_id = completeness.contact_id
