{#-
    Functions whose SQL differs between DuckDB and Spark (STYLE.md, "SQL that also runs on
    Spark"). Models call these macros only; each has a `duckdb__` and a `spark__` version.
-#}

{#- A string literal holding a regular expression, escaped for the engine's parser. Spark
    parses backslash escapes inside string literals, DuckDB does not. -#}
{% macro regex_literal(pattern) -%}
    {{ return(adapter.dispatch('regex_literal', 'funnel')(pattern)) }}
{%- endmacro %}

{% macro default__regex_literal(pattern) -%}
    '{{ pattern | replace("'", "''") }}'
{%- endmacro %}

{% macro spark__regex_literal(pattern) -%}
    '{{ pattern | replace("\\", "\\\\") | replace("'", "\\'") }}'
{%- endmacro %}


{#- True when the regular expression `pattern` (an SQL expression) matches the whole of `value`
    (anchored at both ends). Null when either is null. -#}
{% macro regex_full_match(value, pattern) -%}
    {{ return(adapter.dispatch('regex_full_match', 'funnel')(value, pattern)) }}
{%- endmacro %}

{% macro default__regex_full_match(value, pattern) -%}
    regexp_full_match({{ value }}, {{ pattern }})
{%- endmacro %}

{% macro spark__regex_full_match(value, pattern) -%}
    ({{ value }} rlike concat('^(?:', {{ pattern }}, ')$'))
{%- endmacro %}


{#- Capture group `group` of the first match of `pattern` (an SQL expression) in `value`;
    '' when there is no match, null when `value` is null. -#}
{% macro regex_extract(value, pattern, group) -%}
    {{ return(adapter.dispatch('regex_extract', 'funnel')(value, pattern, group)) }}
{%- endmacro %}

{% macro default__regex_extract(value, pattern, group) -%}
    regexp_extract({{ value }}, {{ pattern }}, {{ group }})
{%- endmacro %}

{% macro spark__regex_extract(value, pattern, group) -%}
    regexp_extract({{ value }}, {{ pattern }}, {{ group }})
{%- endmacro %}


{#- Lower-case hexadecimal md5 of a string expression. -#}
{% macro hash_md5(value) -%}
    {{ return(adapter.dispatch('hash_md5', 'funnel')(value)) }}
{%- endmacro %}

{% macro default__hash_md5(value) -%}
    md5(cast({{ value }} as string))
{%- endmacro %}

{% macro spark__hash_md5(value) -%}
    md5(cast({{ value }} as string))
{%- endmacro %}


{#- Seconds (with fractions, as double) from timestamp `start_ts` to timestamp `end_ts`. -#}
{% macro seconds_between(start_ts, end_ts) -%}
    {{ return(adapter.dispatch('seconds_between', 'funnel')(start_ts, end_ts)) }}
{%- endmacro %}

{% macro default__seconds_between(start_ts, end_ts) -%}
    (epoch({{ end_ts }}) - epoch({{ start_ts }}))
{%- endmacro %}

{% macro spark__seconds_between(start_ts, end_ts) -%}
    (cast({{ end_ts }} as double) - cast({{ start_ts }} as double))
{%- endmacro %}


{#- The UTC calendar date of a (naive UTC) timestamp. -#}
{% macro to_date(ts) -%}
    {{ return(adapter.dispatch('to_date', 'funnel')(ts)) }}
{%- endmacro %}

{% macro default__to_date(ts) -%}
    cast({{ ts }} as date)
{%- endmacro %}

{% macro spark__to_date(ts) -%}
    to_date({{ ts }})
{%- endmacro %}


{#- Values of a string column joined with `separator`, in the order of `order_by`
    (an aggregate). -#}
{% macro ordered_string_agg(value, separator, order_by) -%}
    {{ return(adapter.dispatch('ordered_string_agg', 'funnel')(value, separator, order_by)) }}
{%- endmacro %}

{% macro default__ordered_string_agg(value, separator, order_by) -%}
    string_agg({{ value }}, '{{ separator }}' order by {{ order_by }})
{%- endmacro %}

{% macro spark__ordered_string_agg(value, separator, order_by) -%}
    array_join(transform(array_sort(collect_list(struct({{ order_by }} as k, {{ value }} as v))), x -> x.v), '{{ separator }}')
{%- endmacro %}


{#- `numerator / denominator` as double, null where the denominator is 0 or null. -#}
{% macro safe_divide(numerator, denominator) -%}
    case
        when {{ denominator }} is null or {{ denominator }} = 0 then cast(null as double)
        else cast({{ numerator }} as double) / cast({{ denominator }} as double)
    end
{%- endmacro %}


{#- dbt's own safe_cast is a plain cast on DuckDB: use try_cast so a bad value gives null. -#}
{% macro duckdb__safe_cast(field, type) -%}
    try_cast({{ field }} as {{ type }})
{%- endmacro %}

{% macro spark__safe_cast(field, type) -%}
    try_cast({{ field }} as {{ type }})
{%- endmacro %}


{#- Text trimmed, '' as null: what ingestion guarantees of every text column it writes
    (pipelines/ingestion/validation.py), so staging does not clean again. Only for a table that
    may come from elsewhere (raw.marketing_spend may be made by hand). -#}
{% macro clean_text(value) -%}
    nullif(trim(cast({{ value }} as string)), '')
{%- endmacro %}


{#- The last non-null value of `value` in the window frame that follows (an analytic function:
    the caller writes `over (...)` after it). -#}
{% macro last_value_ignore_nulls(value) -%}
    {{ return(adapter.dispatch('last_value_ignore_nulls', 'funnel')(value)) }}
{%- endmacro %}

{% macro default__last_value_ignore_nulls(value) -%}
    last_value({{ value }} ignore nulls)
{%- endmacro %}

{% macro spark__last_value_ignore_nulls(value) -%}
    last_value({{ value }}, true)
{%- endmacro %}


{#- The sum of a double expression, identical to the last bit whatever order the rows reach
    the aggregate in. Adding doubles is not associative, and the order changes with the
    engine's threads and join output, so a plain sum() could change a mart's last digit when
    the same data is built again. Each value is rounded to 18 decimal places and added as a
    decimal (exact integer arithmetic on both engines), then cast back; sums must stay under
    1e20. `over` makes it an analytic function: the window specification without parentheses. -#}
{% macro exact_sum(expression, over=none) -%}
    cast(sum(cast({{ expression }} as decimal(38, 18))){% if over %} over ({{ over }}){% endif %} as double)
{%- endmacro %}


{#- The first day of the UTC month (grain 'month') or ISO week (grain 'week', a Monday) of a
    timestamp or date, as a date. -#}
{% macro period_start(grain, ts) -%}
    {{ return(adapter.dispatch('period_start', 'funnel')(grain, ts)) }}
{%- endmacro %}

{% macro default__period_start(grain, ts) -%}
    cast(date_trunc('{{ grain }}', {{ ts }}) as date)
{%- endmacro %}

{% macro spark__period_start(grain, ts) -%}
    cast(date_trunc('{{ grain | upper }}', {{ ts }}) as date)
{%- endmacro %}

{% macro month_start(ts) -%}
    {{ period_start('month', ts) }}
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
