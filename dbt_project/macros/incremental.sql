{#-
    Incremental web models, rebuilt whole visitors at a time.

    The per-visitor web models (int_web_events_sessionized, int_sessions_aggregated) carry
    `_loaded_at`: for each visitor, the latest raw `_loaded_at` of any version of any event
    naming that visitor (stg_raw__web_visit_versions). A model's watermark is the greatest
    `_loaded_at` of its own table; raw is append-only and each ingestion run stamps a later time,
    so every raw row loaded after the watermark is new to the model. An incremental run
    recomputes, from all of their events, the visitors `visitors_to_rebuild` returns:
      - the visitor of every version loaded after the watermark (a new or late event, or a new
        version of an old one), and
      - the visitor of every other version of those events (a new version that names another
        visitor moves the event: its old visitor loses it, possibly its last event),
    and replaces every row of those visitors (strategy `replace_visitors`, below). Whole visitors,
    not a time window: a late event, a session crossing midnight or a session that a late event
    splits or joins come out exactly as in a full build, and the result never depends on which
    nights the files arrived. Nothing else can change a visitor's rows: sessions depend on that
    visitor's events only. The load time finds the visitors to rebuild; it never decides which
    version of an event wins (stg_raw__web_visits).

    Each model uses its own watermark, so a run killed between two of these models, re-run,
    catches up the one left behind. A change of the session definition (the SQL or the variable
    `session_timeout_minutes`) needs `dbt build --full-refresh`; a changed column list fails the
    run (`on_schema_change='fail'`) rather than leave old rows without the new column.
-#}


{#- The config of a per-visitor incremental model, per target.type (STYLE.md: strategy chosen per
    engine). DuckDB (and other engines that delete rows): incremental, `replace_visitors`.
    Spark without Delta cannot delete rows: the only exact incremental form is insert_overwrite
    of partitions holding whole visitors (partitioned by a hash bucket of visitor_id), and a
    night's changed visitors (thousands, spread evenly over the buckets) touch nearly every
    bucket (1 - (1 - 1/buckets)^visitors: 96% of 1,024 buckets for 3,300 visitors), so it would
    rewrite almost everything anyway: a plain table is as fast, simpler, and exact. -#}
{% macro incremental_by_visitor_config() -%}
    {{ return(adapter.dispatch('incremental_by_visitor_config', 'funnel')()) }}
{%- endmacro %}

{% macro default__incremental_by_visitor_config() -%}
    {{ return({
        'materialized': 'incremental',
        'incremental_strategy': 'replace_visitors',
        'unique_key': 'visitor_id',
        'on_schema_change': 'fail',
    }) }}
{%- endmacro %}

{% macro spark__incremental_by_visitor_config() -%}
    {{ return({'materialized': 'table'}) }}
{%- endmacro %}


{#- A select of the visitor_id of every visitor whose events changed since `relation` was built
    (its greatest `_loaded_at`; every visitor when it has none). A version without a load time
    counts as new. -#}
{% macro visitors_to_rebuild(relation) -%}
    {%- set versions = ref('stg_raw__web_visit_versions') -%}
    select visitor_id
    from (
        select loaded.visitor_id
        from {{ versions }} as loaded
        where {{ loaded_since('loaded._loaded_at', relation) }}

        union

        select other_versions.visitor_id
        from {{ versions }} as other_versions
        where other_versions.event_id in (
            select loaded.event_id
            from {{ versions }} as loaded
            where {{ loaded_since('loaded._loaded_at', relation) }}
        )
    ) as changed_visitors
    where visitor_id is not null
{%- endmacro %}


{#- True when a raw load time `loaded_at` is later than the greatest `_loaded_at` of
    `relation`, or either is null. -#}
{% macro loaded_since(loaded_at, relation) -%}
    coalesce({{ loaded_at }} > (select max(_loaded_at) from {{ relation }}), true)
{%- endmacro %}


{#- Incremental strategy `replace_visitors`: delete every row of the visitors to rebuild (also
    those left with no event, which the new rows cannot name) and of the visitors in the new
    rows, then insert the new rows, in one transaction. `unique_key` names the visitor column.
    The visitors are computed against the target before anything is deleted, so they are the
    ones the new rows were computed for. -#}
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
