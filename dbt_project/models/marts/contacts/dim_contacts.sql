-- One row per contact (latest version) with its source, completeness and duplicate flag.
with

contacts as (

    select * from {{ ref('stg_raw__contacts') }}

),

original_channels as (

    select * from {{ ref('int_contacts_original_channel') }}

),

completeness as (

    select contact_id, is_complete, missing_fields
    from {{ ref('int_contacts_completeness') }}

),

emails as (

    select email, contacts_sharing_email from {{ ref('int_contact_emails') }}

)

select
    contacts.contact_id,
    contacts.email,
    contacts.first_name,
    contacts.last_name,
    contacts.phone,
    contacts.company,
    contacts.job_title,
    contacts.country,
    contacts.owner_id,
    contacts.lead_status,
    contacts.original_source,
    contacts.lifecycle_stage,
    contacts.lifecycle_stage_at_creation,
    contacts.created_at,
    {{ to_date('contacts.created_at') }} as created_date,
    contacts.updated_at,
    contacts.became_lead_at,
    contacts.became_mql_at,
    contacts.became_sql_at,
    original_channels.original_channel,
    original_channels.original_channel_basis,
    original_channels.first_session_id,
    original_channels.first_touch_at,
    original_channels.stitched_visitors,
    original_channels.stitched_sessions,
    completeness.is_complete,
    completeness.missing_fields,
    coalesce(emails.contacts_sharing_email, 0) > 1 as is_suspected_duplicate,
    contacts.custom_fields
from contacts
inner join original_channels
    on contacts.contact_id = original_channels.contact_id
inner join completeness
    on contacts.contact_id = completeness.contact_id
left join emails
    on contacts.email = emails.email
