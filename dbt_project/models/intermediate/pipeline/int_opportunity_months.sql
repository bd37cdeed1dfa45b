-- One row per opportunity and month in which it was open at the month's start or changed
-- (glossary: Pipeline, "waterfall"): macros/opportunity_periods.sql.
{{ opportunity_periods('month') }}
