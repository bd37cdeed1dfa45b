-- One row per normalised email held by at least one contact (latest versions): the contact that
-- identity stitching uses for it (first-created, then smallest contact_id) and how many
-- contact_ids share it (more than one: suspected duplicates).
with

contacts as (

    select contact_id, email, created_at
    from {{ ref('stg_raw__contacts') }}
    where email is not null

),

ranked as (

    select
        email,
        contact_id,
        row_number() over (
            partition by email
            order by created_at asc nulls last, contact_id asc
        ) as creation_rank,
        count(*) over (partition by email) as contacts_sharing_email
    from contacts

)

select
    email,
    contact_id as canonical_contact_id,
    cast(contacts_sharing_email as bigint) as contacts_sharing_email
from ranked
where creation_rank = 1
