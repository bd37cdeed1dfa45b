-- One row per opportunity (latest version), attributed to the original channel of its contact
-- (`unknown` when the contact is not known). The contact is resolved by
-- int_opportunities_contact_resolved (own id, else an association; contact_basis says which). closed_date: the UTC date of closed_at, falling
-- back to updated_at, for closed opportunities. is_first_win: the contact's first won
-- opportunity (by close time, then opportunity_id), which makes the contact a new customer (an
-- opportunity with no contact makes no one a customer).
with

opportunities as (

    select * from {{ ref('stg_raw__opportunities') }}

),

resolved as (

    select opportunity_id, contact_id, contact_basis
    from {{ ref('int_opportunities_contact_resolved') }}

),

contacts as (

    select contact_id, original_channel from {{ ref('int_contacts_original_channel') }}

),

enriched as (

    select
        opportunities.opportunity_id,
        resolved.contact_id,
        resolved.contact_basis,
        opportunities.account_name,
        opportunities.owner_id,
        opportunities.stage,
        opportunities.amount,
        opportunities.currency,
        opportunities.segment,
        opportunities.lost_reason,
        opportunities.created_at,
        opportunities.closed_at,
        opportunities.updated_at,
        opportunities.custom_fields,
        coalesce(contacts.original_channel, 'unknown') as channel,
        contacts.contact_id is not null as is_contact_known,
        coalesce(opportunities.stage = 'closed_won', false) as is_won,
        coalesce(opportunities.stage in ('closed_won', 'closed_lost'), false) as is_closed,
        case
            when opportunities.stage in ('closed_won', 'closed_lost')
                then coalesce(opportunities.closed_at, opportunities.updated_at)
        end as effective_closed_at
    from opportunities
    inner join resolved
        on opportunities.opportunity_id = resolved.opportunity_id
    left join contacts
        on resolved.contact_id = contacts.contact_id

),

ranked as (

    select
        enriched.*,
        case
            when is_won and contact_id is not null then row_number() over (
                partition by contact_id, is_won
                order by effective_closed_at asc nulls last, opportunity_id asc
            )
        end as win_rank
    from enriched

)

select
    opportunity_id,
    contact_id,
    account_name,
    owner_id,
    stage,
    amount,
    currency,
    segment,
    lost_reason,
    created_at,
    {{ to_date('created_at') }} as created_date,
    closed_at,
    updated_at,
    effective_closed_at,
    {{ to_date('effective_closed_at') }} as closed_date,
    is_closed,
    is_won,
    coalesce(win_rank = 1, false) as is_first_win,
    channel,
    is_contact_known,
    contact_basis,
    custom_fields
from ranked
