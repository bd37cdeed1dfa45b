{#-
    The raw sources on Spark. Ingestion writes DuckDB and exports every raw table as Parquet
    files under <data dir>/raw/<table>/ (pipelines/ingestion/raw_parquet.py); on Spark each
    table of the `raw` source is an external table over its folder, (re)declared at the start of
    every run, so models read `source('raw', ...)` on either engine. Dropping an external table
    leaves its files alone; re-declaring it picks up the schema and files of the folder as they
    are now. On DuckDB the raw tables are the sources themselves: nothing to do.

    The folder is var `spark_raw_location` (default: FUNNEL_SPARK_RAW_LOCATION, else
    <data dir>/raw); on a cluster, a location every executor reads (s3://..., abfss://...).
-#}
{% macro declare_raw_sources() -%}
    {{ return(adapter.dispatch('declare_raw_sources', 'funnel')()) }}
{%- endmacro %}

{#- A hook that renders to nothing is skipped. -#}
{% macro default__declare_raw_sources() -%}
{%- endmacro %}

{% macro spark__declare_raw_sources() -%}
    {%- set location = var('spark_raw_location')
        or env_var('FUNNEL_SPARK_RAW_LOCATION', var('data_dir', env_var('FUNNEL_DATA_DIR', '../data')) ~ '/raw') -%}
    {%- if not execute -%}{{ return('') }}{%- endif -%}
    {%- set tables = [] -%}
    {%- for node in graph.sources.values() if node.source_name == 'raw' -%}
        {%- do tables.append(node) -%}
    {%- endfor -%}
    {%- if tables -%}
        {%- do run_query('create schema if not exists ' ~ (tables[0].schema)) -%}
        {%- for node in tables | sort(attribute='identifier') -%}
            {%- set relation = node.schema ~ '.' ~ node.identifier -%}
            {%- do run_query('drop table if exists ' ~ relation) -%}
            {%- do run_query('create table ' ~ relation ~ ' using parquet location '
                ~ "'" ~ location ~ '/' ~ node.identifier ~ "'") -%}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}
