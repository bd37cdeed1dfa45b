-- One row per sales document (content_id of document_viewed / document_clicked interactions;
-- interactions without a content_id are not about a known document and are left out): how
-- often prospects viewed and clicked it, how many contacts did, which opportunities it touched
-- and how they ended.
-- An interaction touches an opportunity when it names it (opportunity_id); one that names none
-- touches every opportunity of its contact that had not closed before the interaction.
-- win_rate_with = won / closed among the touched opportunities; win_rate_without = won / closed
-- among the closed opportunities it did not touch; null where there is no closed opportunity.
with

documents as (

    select
        interaction_id,
        contact_id,
        opportunity_id,
        content_id,
        interaction_type,
        occurred_at
    from {{ ref('fct_sales_interactions') }}
    where interaction_type in ('document_viewed', 'document_clicked')
        and content_id is not null

),

opportunities as (

    select opportunity_id, contact_id, is_closed, is_won, amount, effective_closed_at
    from {{ ref('fct_opportunities') }}

),

usage as (

    select
        content_id,
        sum(case when interaction_type = 'document_viewed' then 1 else 0 end) as views,
        sum(case when interaction_type = 'document_clicked' then 1 else 0 end) as clicks,
        count(distinct case when interaction_type = 'document_viewed' then contact_id end)
            as viewing_contacts,
        count(distinct case when interaction_type = 'document_clicked' then contact_id end)
            as clicking_contacts,
        min(occurred_at) as first_seen_at,
        max(occurred_at) as last_seen_at
    from documents
    group by content_id

),

touched as (

    select
        documents.content_id,
        opportunities.opportunity_id
    from documents
    inner join opportunities
        on documents.opportunity_id = opportunities.opportunity_id

    union

    select
        documents.content_id,
        opportunities.opportunity_id
    from documents
    inner join opportunities
        on documents.contact_id = opportunities.contact_id
    where documents.opportunity_id is null
        and (
            not opportunities.is_closed
            or opportunities.effective_closed_at is null
            or documents.occurred_at <= opportunities.effective_closed_at
        )

),

with_document as (

    select
        touched.content_id,
        count(*) as opportunities_touched,
        sum(case when opportunities.is_closed then 1 else 0 end) as closed_touched,
        sum(case when opportunities.is_won then 1 else 0 end) as wins_touched,
        {{ exact_sum('case when opportunities.is_won then coalesce(opportunities.amount, 0) else 0 end') }}
            as revenue_won_touched
    from touched
    inner join opportunities
        on touched.opportunity_id = opportunities.opportunity_id
    group by touched.content_id

),

totals as (

    select
        sum(case when is_closed then 1 else 0 end) as closed_opportunities,
        sum(case when is_won then 1 else 0 end) as won_opportunities
    from opportunities

),

measured as (

    select
        usage.*,
        coalesce(with_document.opportunities_touched, 0) as opportunities_touched,
        coalesce(with_document.closed_touched, 0) as closed_touched,
        coalesce(with_document.wins_touched, 0) as wins_touched,
        coalesce(with_document.revenue_won_touched, 0) as revenue_won_touched,
        coalesce(totals.closed_opportunities, 0) - coalesce(with_document.closed_touched, 0)
            as closed_not_touched,
        coalesce(totals.won_opportunities, 0) - coalesce(with_document.wins_touched, 0)
            as wins_not_touched
    from usage
    cross join totals
    left join with_document
        on usage.content_id = with_document.content_id

)

select
    content_id,
    cast(views as bigint) as views,
    cast(clicks as bigint) as clicks,
    cast(viewing_contacts as bigint) as viewing_contacts,
    cast(clicking_contacts as bigint) as clicking_contacts,
    first_seen_at,
    last_seen_at,
    cast(opportunities_touched as bigint) as opportunities_touched,
    cast(closed_touched as bigint) as closed_opportunities_touched,
    cast(wins_touched as bigint) as wins_touched,
    cast(revenue_won_touched as double) as revenue_won_touched,
    {{ safe_divide('wins_touched', 'closed_touched') }} as win_rate_with,
    cast(closed_not_touched as bigint) as closed_opportunities_not_touched,
    cast(wins_not_touched as bigint) as wins_not_touched,
    {{ safe_divide('wins_not_touched', 'closed_not_touched') }} as win_rate_without,
    {{ safe_divide('wins_touched', 'closed_touched') }}
        - {{ safe_divide('wins_not_touched', 'closed_not_touched') }} as win_rate_lift
from measured
