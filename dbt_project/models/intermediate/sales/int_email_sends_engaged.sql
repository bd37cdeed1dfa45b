-- One row per email_sent interaction: whether it was opened, clicked, replied
-- (glossary: email opened / clicked / replied). A response (email_opened, email_clicked,
-- email_replied) of a contact belongs to that contact's latest email_sent at or before it:
-- interactions of a contact are ordered by occurred_at, sends before responses at the same
-- time, then interaction_id; each response takes the number of sends seen so far. A response
-- before the contact's first send belongs to none. The contact is the resolved one
-- (int_interactions_contact_resolved); a send with no contact has no responses.
with

email_interactions as (

    select
        interactions.interaction_id,
        resolved.contact_id,
        interactions.occurred_at,
        interactions.interaction_type,
        case when interactions.interaction_type = 'email_sent' then 1 else 0 end as is_send
    from {{ ref('stg_raw__sales_interactions') }} as interactions
    inner join {{ ref('int_interactions_contact_resolved') }} as resolved
        on interactions.interaction_id = resolved.interaction_id
    where interactions.interaction_type in ('email_sent', 'email_opened', 'email_clicked', 'email_replied')

),

numbered as (

    select
        email_interactions.*,
        sum(is_send) over (
            partition by contact_id
            order by occurred_at asc, is_send desc, interaction_id asc
            rows between unbounded preceding and current row
        ) as send_number
    from email_interactions

),

responses as (

    select
        contact_id,
        send_number,
        max(case when interaction_type = 'email_opened' then 1 else 0 end) as is_opened,
        max(case when interaction_type = 'email_clicked' then 1 else 0 end) as is_clicked,
        max(case when interaction_type = 'email_replied' then 1 else 0 end) as is_replied
    from numbered
    where is_send = 0 and send_number > 0
    group by contact_id, send_number

)

select
    sends.interaction_id,
    sends.contact_id,
    sends.occurred_at,
    cast(sends.send_number as bigint) as send_number,
    coalesce(responses.is_opened, 0) = 1 as is_opened,
    coalesce(responses.is_clicked, 0) = 1 as is_clicked,
    coalesce(responses.is_replied, 0) = 1 as is_replied
from numbered as sends
left join responses
    on sends.contact_id = responses.contact_id
    and sends.send_number = responses.send_number
where sends.is_send = 1
