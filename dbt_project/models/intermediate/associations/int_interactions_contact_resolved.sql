-- One row per sales interaction (latest version): its contact by the glossary's rule (contact
-- of an opportunity or interaction): its own contact_id, else the contact its contact_email
-- belongs to (int_contact_emails: the first-created contact holding that email, as identity
-- stitching matches web emails), else its primary associated contact, else its earliest
-- associated contact, else none (contact_basis `unknown`). Rebuilt on every run.
with

interactions as (

    select interaction_id, contact_id, contact_email
    from {{ ref('stg_raw__sales_interactions') }}

),

emails as (

    select email, canonical_contact_id
    from {{ ref('int_contact_emails') }}

),

associated as (

    select object_id, contact_id, is_primary
    from {{ ref('int_associated_contacts_ranked') }}
    where object_type = 'interaction' and contact_rank = 1

)

select
    interactions.interaction_id,
    coalesce(
        interactions.contact_id, emails.canonical_contact_id, associated.contact_id
    ) as contact_id,
    case
        when interactions.contact_id is not null then 'own_id'
        when emails.canonical_contact_id is not null then 'email'
        when associated.is_primary then 'primary_association'
        when associated.contact_id is not null then 'earliest_association'
        else 'unknown'
    end as contact_basis
from interactions
left join emails
    on interactions.contact_email = emails.email
left join associated
    on interactions.interaction_id = associated.object_id
