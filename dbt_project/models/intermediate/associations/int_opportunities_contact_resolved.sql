-- One row per opportunity (latest version): its contact by the glossary's rule (contact of an
-- opportunity or interaction): its own contact_id, else its primary associated contact, else
-- its earliest associated contact, else none (contact_basis `unknown`). A table rebuilt on
-- every run, so an association delivered in a later batch resolves the contact on the next.
with

opportunities as (

    select opportunity_id, contact_id
    from {{ ref('stg_raw__opportunities') }}

),

associated as (

    select object_id, contact_id, is_primary
    from {{ ref('int_associated_contacts_ranked') }}
    where object_type = 'opportunity' and contact_rank = 1

)

select
    opportunities.opportunity_id,
    coalesce(opportunities.contact_id, associated.contact_id) as contact_id,
    case
        when opportunities.contact_id is not null then 'own_id'
        when associated.is_primary then 'primary_association'
        when associated.contact_id is not null then 'earliest_association'
        else 'unknown'
    end as contact_basis
from opportunities
left join associated
    on opportunities.opportunity_id = associated.object_id
