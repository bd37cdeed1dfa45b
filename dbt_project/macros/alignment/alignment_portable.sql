{#-
    Engine-specific SQL used by the alignment models (STYLE.md, "SQL that also runs on Spark").
    Each macro has a `default__` (DuckDB) and a `spark__` version, dispatched by dbt.
-#}

{#- The first day of the UTC month of a timestamp or date, as a date. -#}
{% macro month_start(ts) -%}
    {{ return(adapter.dispatch('month_start', 'funnel')(ts)) }}
{%- endmacro %}

{% macro default__month_start(ts) -%}
    cast(date_trunc('month', {{ ts }}) as date)
{%- endmacro %}

{% macro spark__month_start(ts) -%}
    cast(date_trunc('MONTH', {{ ts }}) as date)
{%- endmacro %}


{#- The exact median of a numeric expression (an aggregate; nulls ignored; linear interpolation
    between the two middle values of an even count). -#}
{% macro exact_median(value) -%}
    {{ return(adapter.dispatch('exact_median', 'funnel')(value)) }}
{%- endmacro %}

{% macro default__exact_median(value) -%}
    quantile_cont({{ value }}, 0.5)
{%- endmacro %}

{% macro spark__exact_median(value) -%}
    percentile({{ value }}, 0.5)
{%- endmacro %}


{#- Days (with fractions, as double) from timestamp `start_ts` to timestamp `end_ts`. -#}
{% macro days_between(start_ts, end_ts) -%}
    ({{ seconds_between(start_ts, end_ts) }} / 86400.0)
{%- endmacro %}


{#- A case-insensitive whole-value regular-expression match of a text expression against a
    pattern expression (both lower-cased). Null when either is null. -#}
{% macro matches_pattern_ci(value, pattern) -%}
    {{ regex_full_match('lower(' ~ value ~ ')', 'lower(' ~ pattern ~ ')') }}
{%- endmacro %}
