{#-
    Incremental web models: a nightly build does not redo the unchanged history, and equals a
    full build.

    The chain int_web_events_sessionized -> int_sessions_aggregated is incremental on DuckDB;
    both read the raw history through the view stg_raw__web_visits (the latest version of each
    event). Each table carries `_loaded_at`, and its greatest value is the table's watermark:
      - int_web_events_sessionized (one row per event): the visitor's latest load of any version
        of any of its events (stg_raw__web_visits' `_loaded_at`). A run recomputes the visitors
        returned by visitors_to_rebuild from all of their events and replaces every row of
        those visitors (`replace_visitors`).
      - int_sessions_aggregated (one row per session): copied from its events; rebuilt the same
        way, against its own watermark.
    visitors_to_rebuild finds, in the raw history, the visitor of every version of every event
    that has a version loaded after the model's watermark: the visitors of new or late events,
    and both visitors of an event whose new version names another visitor (the old one loses
    it, possibly its last event). Whole visitors, not a time window: a late event, a session
    crossing midnight or a session a late event splits or joins come out exactly as in a full
    build, whichever nights the files arrived on; nothing else changes a visitor's rows. Load
    times only find what to rebuild; they never decide which version of an event wins.

    Every watermark is made of the values of the model's own input (raw, or the upstream table),
    so a model never claims more than its input had processed: a run killed between two of
    these models, or a selection that builds a model while its upstream is behind, is caught up
    by the next build. Raw is append-only and each ingestion run stamps a later time, so every
    raw row loaded after a watermark is new to that model. A changed definition (the SQL, or the
    variable `session_timeout_minutes`) needs `dbt build --full-refresh`; a changed column list
    fails the run (`on_schema_change='fail'`: added columns would be null on the rows kept).
-#}


{#- The config of an incremental model, per target.type (STYLE.md: strategy chosen per engine).
    DuckDB (and other engines that delete rows): `materialized='incremental'` with `strategy`
    and `unique_key`. Spark without Delta cannot delete rows: the only exact incremental form
    would be insert_overwrite of partitions holding whole visitors (a hash bucket of
    visitor_id), and a night's changed visitors (thousands, spread evenly) touch nearly every
    bucket (1 - (1 - 1/buckets)^visitors: 96% of 1,024 buckets for 3,300 visitors), rewriting
    almost everything anyway; so there the model is `otherwise` (its plain materialization). -#}
{% macro incremental_config(strategy, unique_key, otherwise) -%}
    {{ return(adapter.dispatch('incremental_config', 'funnel')(strategy, unique_key, otherwise)) }}
{%- endmacro %}

{% macro default__incremental_config(strategy, unique_key, otherwise) -%}
    {{ return({
        'materialized': 'incremental',
        'incremental_strategy': strategy,
        'unique_key': unique_key,
        'on_schema_change': 'fail',
    }) }}
{%- endmacro %}

{% macro spark__incremental_config(strategy, unique_key, otherwise) -%}
    {{ return({'materialized': otherwise}) }}
{%- endmacro %}


{#- True when a load time `loaded_at` is later than the greatest `_loaded_at` of `relation`, or
    either is null (an empty table: everything is new). -#}
{% macro loaded_since(loaded_at, relation) -%}
    coalesce({{ loaded_at }} > (select max(_loaded_at) from {{ relation }}), true)
{%- endmacro %}


{#- A select of the visitor_id of every visitor whose events changed since `relation` was built:
    the visitor of every version of every event with a version loaded after the watermark of
    `relation` (models calling it declare `-- depends_on: ref('stg_raw__web_visit_versions')`).
    Used with `in` only, so a null visitor_id (ingestion rejects it, a test of the sessionized
    events forbids it) matches nothing; no `is not null` filter, which DuckDB would push into
    the scan of the whole history. -#}
{% macro visitors_to_rebuild(relation) -%}
    {%- set versions = ref('stg_raw__web_visit_versions') -%}
    select distinct versions.visitor_id
    from {{ versions }} as versions
    where versions.event_id in (
        select loaded.event_id
        from {{ versions }} as loaded
        where {{ loaded_since('loaded._loaded_at', relation) }}
    )
{%- endmacro %}


{#- Incremental strategy `replace_visitors`: delete every row of the visitors to rebuild (also
    those left with no event, whom the new rows cannot name) and of the visitors in the new
    rows, then insert the new rows, in one transaction. `unique_key` names the visitor column.
    The visitors are computed against the target before anything is deleted: the same ones the
    new rows were computed for. -#}
{% macro get_incremental_replace_visitors_sql(arg_dict) -%}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set source = arg_dict['temp_relation'] -%}
    {%- set key = arg_dict['unique_key'] -%}
    {%- if not key or key is not string -%}
        {{ exceptions.raise_compiler_error(
            "incremental_strategy 'replace_visitors' needs unique_key: the visitor column") }}
    {%- endif -%}
    {%- set columns = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    delete from {{ target }}
    where {{ key }} in ({{ visitors_to_rebuild(target) }})
        or {{ key }} in (select {{ key }} from {{ source }});

    insert into {{ target }} ({{ columns }})
    select {{ columns }}
    from {{ source }}
{%- endmacro %}


{#- The filter of an incremental web model's reads: only the rows of the visitors to rebuild
    (the model's CTE `rebuilt_visitors`, from visitors_to_rebuild) on an incremental run,
    every row otherwise. -#}
{% macro rebuilt_visitors_only() -%}
    {%- if is_incremental() -%}
        visitor_id in (select visitor_id from rebuilt_visitors)
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}
