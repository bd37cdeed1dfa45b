-- One row per visitor identified as a known contact (glossary: identity stitching).
-- An event identifies a contact by its contact_id (when the CRM knows it) or by its email
-- (equal to a contact's normalised email; shared emails go to the first-created contact).
-- A visitor identified as several contacts goes to the contact of its earliest identifying
-- event (ties: smallest contact_id).
with

identifying_events as (

    select event_id, visitor_id, occurred_at, contact_id, email
    from {{ ref('int_web_events_sessionized') }}
    where contact_id is not null or email is not null

),

contacts as (

    select contact_id from {{ ref('stg_raw__contacts') }}

),

emails as (

    select email, canonical_contact_id from {{ ref('int_contact_emails') }}

),

identifications as (

    select
        identifying_events.visitor_id,
        identifying_events.event_id,
        identifying_events.occurred_at,
        contacts.contact_id,
        'contact_id' as identified_by
    from identifying_events
    inner join contacts
        on identifying_events.contact_id = contacts.contact_id

    union all

    select
        identifying_events.visitor_id,
        identifying_events.event_id,
        identifying_events.occurred_at,
        emails.canonical_contact_id as contact_id,
        'email' as identified_by
    from identifying_events
    inner join emails
        on identifying_events.email = emails.email

),

ranked as (

    select
        identifications.*,
        row_number() over (
            partition by visitor_id
            order by occurred_at asc, contact_id asc, identified_by asc, event_id asc
        ) as identification_rank
    from identifications

),

matched as (

    select visitor_id, count(distinct contact_id) as matched_contacts
    from identifications
    group by visitor_id

)

select
    ranked.visitor_id,
    ranked.contact_id,
    ranked.occurred_at as identified_at,
    ranked.event_id as identified_by_event_id,
    ranked.identified_by,
    cast(matched.matched_contacts as bigint) as matched_contacts
from ranked
inner join matched
    on ranked.visitor_id = matched.visitor_id
where ranked.identification_rank = 1
