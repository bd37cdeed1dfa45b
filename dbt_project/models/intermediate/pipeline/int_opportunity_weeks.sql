-- One row per opportunity and ISO week in which it was open at the week's start or changed
-- (glossary: Pipeline, "waterfall"): macros/opportunity_periods.sql.
{{ opportunity_periods('week') }}
