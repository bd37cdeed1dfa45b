-- One row per sales interaction (latest version), attributed to the original channel of its
-- contact (`unknown` when the contact is not known), resolved by
-- int_interactions_contact_resolved (own id, else contact_email, else an association); email_sent rows carry the opened, clicked
-- and replied flags (glossary: email opened / clicked / replied), null on other types.
with

interactions as (

    select * from {{ ref('stg_raw__sales_interactions') }}

),

resolved as (

    select interaction_id, contact_id, contact_basis
    from {{ ref('int_interactions_contact_resolved') }}

),

contacts as (

    select contact_id, original_channel from {{ ref('int_contacts_original_channel') }}

),

sends as (

    select interaction_id, is_opened, is_clicked, is_replied
    from {{ ref('int_email_sends_engaged') }}

)

select
    interactions.interaction_id,
    resolved.contact_id,
    interactions.opportunity_id,
    interactions.owner_id,
    interactions.content_id,
    interactions.occurred_at,
    {{ to_date('interactions.occurred_at') }} as interaction_date,
    interactions.interaction_type,
    interactions.direction,
    interactions.outcome,
    coalesce(contacts.original_channel, 'unknown') as channel,
    contacts.contact_id is not null as is_contact_known,
    resolved.contact_basis,
    sends.is_opened,
    sends.is_clicked,
    sends.is_replied,
    interactions.custom_fields
from interactions
inner join resolved
    on interactions.interaction_id = resolved.interaction_id
left join contacts
    on resolved.contact_id = contacts.contact_id
left join sends
    on interactions.interaction_id = sends.interaction_id
