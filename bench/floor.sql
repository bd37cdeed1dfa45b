-- The floor: one hand-written DuckDB script that reads the raw inbox files directly and computes
-- marts.mart_funnel_daily, marts.dim_contacts and marts.fct_attribution by the definitions of
-- dbt_project/models/glossary.md and DESIGN.md section 5. It is the speed reference of
-- DESIGN.md section 7 (the pipeline must build within twice its time); the benchmark
-- (`python -m bench`) asserts that its results equal the pipeline's marts.
--
-- Run by bench/pipeline_bench.py in one DuckDB process on one connection; `${INBOX}` (the inbox
-- folder) and `${SEEDS}` (dbt_project/seeds, the shared channel rules) are replaced before it
-- runs. The dbt variables are fixed at their defaults: session timeout 30 minutes, required
-- contact fields (email, first_name, last_name, company, job_title, country, phone),
-- attribution lookback 90 days, time-decay half-life 7 days.
--
-- What ingestion does, done here in SQL: CSV, NDJSON and Parquet files (gzip allowed), the
-- HubSpot mapping for contacts/crm_export_*.csv, text trimmed ('' is null), emails trimmed and
-- lower-cased, timestamps to naive UTC (naive text means UTC), rows with an empty required field
-- or an unparseable timestamp or number rejected, exact repeats (same key and same content as an
-- earlier row, in file-name then line order) dropped. Staging then keeps the latest version of
-- each key. Line order inside a file comes from the scan order (WITH ORDINALITY); it only
-- breaks ties between two versions of one key in one file.

SET TimeZone = 'UTC';
SET enable_progress_bar = false;
SET VARIABLE inbox = '${INBOX}';
SET VARIABLE seeds = '${SEEDS}';

-- Trimmed text, '' as null. Most values need no trimming: test the first and last character
-- before trimming (ASCII whitespace; ten times faster than trimming every value).
CREATE OR REPLACE TEMP MACRO clean(x) AS
    CASE WHEN CAST(x AS VARCHAR) = '' THEN NULL
         WHEN CAST(x AS VARCHAR)[1] > ' ' AND CAST(x AS VARCHAR)[-1] > ' ' THEN CAST(x AS VARCHAR)
         ELSE nullif(trim(CAST(x AS VARCHAR), ' ' || chr(9) || chr(10) || chr(11) || chr(12) || chr(13)), '') END;
CREATE OR REPLACE TEMP MACRO iso_ts(x) AS CAST(try_cast(clean(x) AS TIMESTAMPTZ) AS TIMESTAMP);
CREATE OR REPLACE TEMP MACRO bad_ts(x) AS clean(x) IS NOT NULL AND iso_ts(x) IS NULL;
CREATE OR REPLACE TEMP MACRO bad_num(x) AS clean(x) IS NOT NULL AND try_cast(clean(x) AS DOUBLE) IS NULL;

-- Files per source and format. Contact files matching the HubSpot mapping's glob are read apart.
SET VARIABLE web_csv = (SELECT list(file ORDER BY file) FROM glob(getvariable('inbox') || '/web_visits/*.csv*'));
SET VARIABLE web_json = (SELECT list(file ORDER BY file) FROM glob(getvariable('inbox') || '/web_visits/*.ndjson*'));
SET VARIABLE web_pq = (SELECT list(file ORDER BY file) FROM glob(getvariable('inbox') || '/web_visits/*.parquet'));
SET VARIABLE con_csv = (SELECT list(file ORDER BY file) FROM glob(getvariable('inbox') || '/contacts/*.csv*')
                        WHERE NOT regexp_matches(file, '/crm_export_[^/]*\.csv$'));
SET VARIABLE con_hub = (SELECT list(file ORDER BY file) FROM glob(getvariable('inbox') || '/contacts/crm_export_*.csv'));
SET VARIABLE con_json = (SELECT list(file ORDER BY file) FROM glob(getvariable('inbox') || '/contacts/*.ndjson*'));
SET VARIABLE con_pq = (SELECT list(file ORDER BY file) FROM glob(getvariable('inbox') || '/contacts/*.parquet'));
SET VARIABLE opp_csv = (SELECT list(file ORDER BY file) FROM glob(getvariable('inbox') || '/opportunities/*.csv*'));
SET VARIABLE opp_json = (SELECT list(file ORDER BY file) FROM glob(getvariable('inbox') || '/opportunities/*.ndjson*'));
SET VARIABLE opp_pq = (SELECT list(file ORDER BY file) FROM glob(getvariable('inbox') || '/opportunities/*.parquet'));
SET VARIABLE si_csv = (SELECT list(file ORDER BY file) FROM glob(getvariable('inbox') || '/sales_interactions/*.csv*'));
SET VARIABLE si_json = (SELECT list(file ORDER BY file) FROM glob(getvariable('inbox') || '/sales_interactions/*.ndjson*'));
SET VARIABLE si_pq = (SELECT list(file ORDER BY file) FROM glob(getvariable('inbox') || '/sales_interactions/*.parquet'));


-- ---------------------------------------------------------------------------------------------
-- web_visits: read, normalise, reject, drop exact repeats, keep the latest version per event_id
-- ---------------------------------------------------------------------------------------------
CREATE TEMP TABLE web_typed AS
WITH web_text AS (
    SELECT filename AS _file, ordinality AS _line, event_id, visitor_id, occurred_at, event_type,
           page_url, contact_id, email, referrer_url, utm_source, utm_medium, utm_campaign,
           utm_content, utm_term, time_on_page_s, device, country
    FROM read_csv(getvariable('web_csv'), all_varchar = true, header = true, delim = ',',
                  quote = '"', escape = '"', filename = true, union_by_name = true,
                  ignore_errors = true) WITH ORDINALITY
    UNION ALL
    SELECT filename, ordinality, event_id, visitor_id, occurred_at, event_type, page_url, contact_id,
           email, referrer_url, utm_source, utm_medium, utm_campaign, utm_content, utm_term,
           time_on_page_s, device, country
    FROM read_json(getvariable('web_json'), format = 'newline_delimited', filename = true,
                   ignore_errors = true,
                   columns = {event_id: 'VARCHAR', visitor_id: 'VARCHAR', occurred_at: 'VARCHAR',
                              event_type: 'VARCHAR', page_url: 'VARCHAR', contact_id: 'VARCHAR',
                              email: 'VARCHAR', referrer_url: 'VARCHAR', utm_source: 'VARCHAR',
                              utm_medium: 'VARCHAR', utm_campaign: 'VARCHAR', utm_content: 'VARCHAR',
                              utm_term: 'VARCHAR', time_on_page_s: 'VARCHAR', device: 'VARCHAR',
                              country: 'VARCHAR'}) WITH ORDINALITY
    UNION ALL
    SELECT filename, file_row_number + 1, event_id, visitor_id, CAST(occurred_at AS VARCHAR),
           event_type, page_url, contact_id, email, referrer_url, utm_source, utm_medium,
           utm_campaign, utm_content, utm_term, CAST(time_on_page_s AS VARCHAR), device, country
    FROM read_parquet(getvariable('web_pq'), filename = true, file_row_number = true,
                      union_by_name = true)
)
,
cleaned AS (  -- columns no mart reads are cleaned below, for the few keys with several rows
    SELECT _file, _line, clean(event_id) AS event_id, clean(visitor_id) AS visitor_id,
           clean(occurred_at) AS occurred_text, clean(event_type) AS event_type,
           clean(page_url) AS page_url, clean(contact_id) AS contact_id,
           lower(clean(email)) AS email, clean(referrer_url) AS referrer_url,
           clean(utm_source) AS utm_source, clean(utm_medium) AS utm_medium,
           clean(utm_campaign) AS utm_campaign, clean(time_on_page_s) AS time_text,
           utm_content, utm_term, device, country
    FROM web_text
)
SELECT * EXCLUDE (occurred_text, time_text),
       CAST(try_cast(occurred_text AS TIMESTAMPTZ) AS TIMESTAMP) AS occurred_at,
       try_cast(time_text AS DOUBLE) AS time_on_page_s
FROM cleaned
WHERE event_id IS NOT NULL AND visitor_id IS NOT NULL AND event_type IS NOT NULL
  AND page_url IS NOT NULL AND try_cast(occurred_text AS TIMESTAMPTZ) IS NOT NULL
  AND (time_text IS NULL OR try_cast(time_text AS DOUBLE) IS NOT NULL);

-- Exact repeats and versions only concern keys that occur more than once: the other rows pass
-- as they are, the few keys with several rows keep the first copy of each content, then the
-- latest version.
CREATE TEMP TABLE web_repeated_keys AS
SELECT event_id FROM web_typed GROUP BY event_id HAVING count(*) > 1;

CREATE TEMP TABLE stg_web AS
SELECT event_id, visitor_id, occurred_at, event_type, page_url, contact_id, email, referrer_url,
       utm_source, utm_medium, utm_campaign
FROM web_typed ANTI JOIN web_repeated_keys USING (event_id)
UNION ALL
SELECT event_id, visitor_id, occurred_at, event_type, page_url, contact_id, email, referrer_url,
       utm_source, utm_medium, utm_campaign
FROM (
    SELECT * FROM (SELECT * FROM web_typed SEMI JOIN web_repeated_keys USING (event_id))
    QUALIFY row_number() OVER (
        PARTITION BY event_id, visitor_id, occurred_at, event_type, page_url, contact_id, email,
                     referrer_url, utm_source, utm_medium, utm_campaign, clean(utm_content),
                     clean(utm_term), time_on_page_s, clean(device), clean(country)
        ORDER BY _file, _line) = 1
)
QUALIFY row_number() OVER (PARTITION BY event_id ORDER BY _file DESC, _line DESC) = 1;

DROP TABLE web_typed;
DROP TABLE web_repeated_keys;


-- ---------------------------------------------------------------------------------------------
-- contacts (contract files and the HubSpot export), opportunities, sales_interactions
-- ---------------------------------------------------------------------------------------------
CREATE TEMP TABLE contacts_text AS
SELECT filename AS _file, ordinality AS _line, contact_id, created_at, email, first_name,
       last_name, phone, company, job_title, country, lifecycle_stage, original_source, owner_id,
       lead_status, became_lead_at, became_mql_at, became_sql_at, updated_at, false AS _hubspot
FROM read_csv(getvariable('con_csv'), all_varchar = true, header = true, delim = ',',
              quote = '"', escape = '"', filename = true, union_by_name = true,
              ignore_errors = true) WITH ORDINALITY
UNION ALL
SELECT filename, ordinality, "Record ID", "Create Date", "Email", "First Name", "Last Name",
       "Phone Number", "Company Name", "Job Title", "Country/Region",
       CASE clean("Lifecycle Stage")
           WHEN 'marketingqualifiedlead' THEN 'mql'
           WHEN 'salesqualifiedlead' THEN 'sql'
           ELSE clean("Lifecycle Stage") END,
       "Original Source", "Contact owner", "Lead Status", "Became a Lead Date",
       "Became a Marketing Qualified Lead Date", "Became a Sales Qualified Lead Date",
       "Last Modified Date", true
FROM read_csv(getvariable('con_hub'), all_varchar = true, header = true, delim = ',',
              quote = '"', escape = '"', filename = true, union_by_name = true,
              ignore_errors = true) WITH ORDINALITY
UNION ALL
SELECT filename, ordinality, contact_id, created_at, email, first_name, last_name, phone,
       company, job_title, country, lifecycle_stage, original_source, owner_id, lead_status,
       became_lead_at, became_mql_at, became_sql_at, updated_at, false
FROM read_json(getvariable('con_json'), format = 'newline_delimited', filename = true,
               ignore_errors = true,
               columns = {contact_id: 'VARCHAR', created_at: 'VARCHAR', email: 'VARCHAR',
                          first_name: 'VARCHAR', last_name: 'VARCHAR', phone: 'VARCHAR',
                          company: 'VARCHAR', job_title: 'VARCHAR', country: 'VARCHAR',
                          lifecycle_stage: 'VARCHAR', original_source: 'VARCHAR',
                          owner_id: 'VARCHAR', lead_status: 'VARCHAR',
                          became_lead_at: 'VARCHAR', became_mql_at: 'VARCHAR',
                          became_sql_at: 'VARCHAR', updated_at: 'VARCHAR'}) WITH ORDINALITY
UNION ALL
SELECT filename, file_row_number + 1, contact_id, CAST(created_at AS VARCHAR), email,
       first_name, last_name, phone, company, job_title, country, lifecycle_stage,
       original_source, owner_id, lead_status, CAST(became_lead_at AS VARCHAR),
       CAST(became_mql_at AS VARCHAR), CAST(became_sql_at AS VARCHAR),
       CAST(updated_at AS VARCHAR), false
FROM read_parquet(getvariable('con_pq'), filename = true, file_row_number = true,
                  union_by_name = true);

-- The HubSpot mapping gives an explicit timestamp format (naive UTC); other files are ISO 8601.
CREATE OR REPLACE TEMP MACRO any_ts(x, hub) AS
    CASE WHEN hub THEN try_strptime(clean(x), '%Y-%m-%d %H:%M:%S') ELSE iso_ts(x) END;
CREATE OR REPLACE TEMP MACRO bad_any_ts(x, hub) AS clean(x) IS NOT NULL AND any_ts(x, hub) IS NULL;

CREATE TEMP TABLE contact_versions AS
WITH typed AS (
    SELECT _file, _line,
           clean(contact_id) AS contact_id, any_ts(created_at, _hubspot) AS created_at,
           lower(clean(email)) AS email, clean(first_name) AS first_name,
           clean(last_name) AS last_name, clean(phone) AS phone, clean(company) AS company,
           clean(job_title) AS job_title, clean(country) AS country,
           clean(lifecycle_stage) AS lifecycle_stage, clean(original_source) AS original_source,
           clean(owner_id) AS owner_id, clean(lead_status) AS lead_status,
           any_ts(became_lead_at, _hubspot) AS became_lead_at,
           any_ts(became_mql_at, _hubspot) AS became_mql_at,
           any_ts(became_sql_at, _hubspot) AS became_sql_at,
           any_ts(updated_at, _hubspot) AS updated_at
    FROM contacts_text
    WHERE clean(contact_id) IS NOT NULL AND clean(created_at) IS NOT NULL
      AND NOT bad_any_ts(created_at, _hubspot) AND NOT bad_any_ts(became_lead_at, _hubspot)
      AND NOT bad_any_ts(became_mql_at, _hubspot) AND NOT bad_any_ts(became_sql_at, _hubspot)
      AND NOT bad_any_ts(updated_at, _hubspot)
)
SELECT * FROM typed
QUALIFY row_number() OVER (
    PARTITION BY contact_id, created_at, email, first_name, last_name, phone, company, job_title,
                 country, lifecycle_stage, original_source, owner_id, lead_status,
                 became_lead_at, became_mql_at, became_sql_at, updated_at
    ORDER BY _file, _line) = 1;

-- Latest version per contact; lifecycle stage of its earliest version (glossary).
CREATE TEMP TABLE stg_contacts AS
SELECT * EXCLUDE (_file, _line),
       first_value(lifecycle_stage) OVER (
           PARTITION BY contact_id
           ORDER BY updated_at ASC NULLS FIRST, _file ASC, _line ASC
           ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS lifecycle_stage_at_creation
FROM contact_versions
QUALIFY row_number() OVER (
    PARTITION BY contact_id ORDER BY updated_at DESC NULLS LAST, _file DESC, _line DESC) = 1;

CREATE TEMP TABLE opp_text AS
SELECT filename AS _file, ordinality AS _line, opportunity_id, contact_id, created_at, stage,
       account_name, owner_id, amount, currency, closed_at, lost_reason, segment, updated_at
FROM read_csv(getvariable('opp_csv'), all_varchar = true, header = true, delim = ',',
              quote = '"', escape = '"', filename = true, union_by_name = true,
              ignore_errors = true) WITH ORDINALITY
UNION ALL
SELECT filename, ordinality, opportunity_id, contact_id, created_at, stage, account_name,
       owner_id, amount, currency, closed_at, lost_reason, segment, updated_at
FROM read_json(getvariable('opp_json'), format = 'newline_delimited', filename = true,
               ignore_errors = true,
               columns = {opportunity_id: 'VARCHAR', contact_id: 'VARCHAR',
                          created_at: 'VARCHAR', stage: 'VARCHAR', account_name: 'VARCHAR',
                          owner_id: 'VARCHAR', amount: 'VARCHAR', currency: 'VARCHAR',
                          closed_at: 'VARCHAR', lost_reason: 'VARCHAR', segment: 'VARCHAR',
                          updated_at: 'VARCHAR'}) WITH ORDINALITY
UNION ALL
SELECT filename, file_row_number + 1, opportunity_id, contact_id, CAST(created_at AS VARCHAR),
       stage, account_name, owner_id, CAST(amount AS VARCHAR), currency,
       CAST(closed_at AS VARCHAR), lost_reason, segment, CAST(updated_at AS VARCHAR)
FROM read_parquet(getvariable('opp_pq'), filename = true, file_row_number = true,
                  union_by_name = true);

CREATE TEMP TABLE stg_opportunities AS
WITH typed AS (
    SELECT _file, _line,
           clean(opportunity_id) AS opportunity_id, clean(contact_id) AS contact_id,
           iso_ts(created_at) AS created_at, clean(stage) AS stage,
           clean(account_name) AS account_name, clean(owner_id) AS owner_id,
           try_cast(clean(amount) AS DOUBLE) AS amount, clean(currency) AS currency,
           iso_ts(closed_at) AS closed_at, clean(lost_reason) AS lost_reason,
           clean(segment) AS segment, iso_ts(updated_at) AS updated_at
    FROM opp_text
    WHERE clean(opportunity_id) IS NOT NULL AND clean(contact_id) IS NOT NULL
      AND clean(created_at) IS NOT NULL AND clean(stage) IS NOT NULL
      AND NOT bad_ts(created_at) AND NOT bad_ts(closed_at) AND NOT bad_ts(updated_at)
      AND NOT bad_num(amount)
),
first_copies AS (
    SELECT * FROM typed
    QUALIFY row_number() OVER (
        PARTITION BY opportunity_id, contact_id, created_at, stage, account_name, owner_id,
                     amount, currency, closed_at, lost_reason, segment, updated_at
        ORDER BY _file, _line) = 1
)
SELECT * EXCLUDE (_file, _line) FROM first_copies
QUALIFY row_number() OVER (
    PARTITION BY opportunity_id ORDER BY updated_at DESC NULLS LAST, _file DESC, _line DESC) = 1;

CREATE TEMP TABLE si_text AS
SELECT filename AS _file, ordinality AS _line, interaction_id, contact_id, occurred_at,
       interaction_type, opportunity_id, owner_id, content_id, direction, outcome
FROM read_csv(getvariable('si_csv'), all_varchar = true, header = true, delim = ',',
              quote = '"', escape = '"', filename = true, union_by_name = true,
              ignore_errors = true) WITH ORDINALITY
UNION ALL
SELECT filename, ordinality, interaction_id, contact_id, occurred_at, interaction_type,
       opportunity_id, owner_id, content_id, direction, outcome
FROM read_json(getvariable('si_json'), format = 'newline_delimited', filename = true,
               ignore_errors = true,
               columns = {interaction_id: 'VARCHAR', contact_id: 'VARCHAR',
                          occurred_at: 'VARCHAR', interaction_type: 'VARCHAR',
                          opportunity_id: 'VARCHAR', owner_id: 'VARCHAR',
                          content_id: 'VARCHAR', direction: 'VARCHAR',
                          outcome: 'VARCHAR'}) WITH ORDINALITY
UNION ALL
SELECT filename, file_row_number + 1, interaction_id, contact_id, CAST(occurred_at AS VARCHAR),
       interaction_type, opportunity_id, owner_id, content_id, direction, outcome
FROM read_parquet(getvariable('si_pq'), filename = true, file_row_number = true,
                  union_by_name = true);

CREATE TEMP TABLE stg_interactions AS
WITH typed AS (
    SELECT _file, _line,
           clean(interaction_id) AS interaction_id, clean(contact_id) AS contact_id,
           iso_ts(occurred_at) AS occurred_at, clean(interaction_type) AS interaction_type,
           clean(opportunity_id) AS opportunity_id, clean(owner_id) AS owner_id,
           clean(content_id) AS content_id, clean(direction) AS direction,
           clean(outcome) AS outcome
    FROM si_text
    WHERE clean(interaction_id) IS NOT NULL AND clean(contact_id) IS NOT NULL
      AND clean(occurred_at) IS NOT NULL AND clean(interaction_type) IS NOT NULL
      AND NOT bad_ts(occurred_at)
),
first_copies AS (
    SELECT * FROM typed
    QUALIFY row_number() OVER (
        PARTITION BY interaction_id, contact_id, occurred_at, interaction_type, opportunity_id,
                     owner_id, content_id, direction, outcome
        ORDER BY _file, _line) = 1
)
SELECT * EXCLUDE (_file, _line) FROM first_copies
QUALIFY row_number() OVER (PARTITION BY interaction_id ORDER BY _file DESC, _line DESC) = 1;

DROP TABLE contacts_text;
DROP TABLE opp_text;
DROP TABLE si_text;


-- ---------------------------------------------------------------------------------------------
-- Sessions (glossary: session). Per visitor, ordered by occurred_at then event_id: a gap of
-- 30 minutes or more starts a gap-segment; inside it, an event with a non-empty campaign starts
-- a session when the segment's last earlier campaign is missing or differs.
-- ---------------------------------------------------------------------------------------------
CREATE TEMP TABLE events AS
WITH marked AS (
    SELECT *,
           CASE WHEN utm_source IS NOT NULL OR utm_medium IS NOT NULL OR utm_campaign IS NOT NULL
                THEN coalesce(utm_source, '') || chr(31) || coalesce(utm_medium, '') || chr(31)
                     || coalesce(utm_campaign, '') END AS campaign
    FROM stg_web
),
previous AS (
    SELECT *,
           lag(occurred_at) OVER w AS previous_at,
           max(CASE WHEN campaign IS NOT NULL THEN occurred_at END)
               OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS previous_campaign_at,
           last_value(campaign IGNORE NULLS)
               OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS previous_campaign
    FROM marked
    WINDOW w AS (PARTITION BY visitor_id ORDER BY occurred_at, event_id)
),
segments AS (
    SELECT *,
           last_value(CASE WHEN previous_at IS NULL
                                OR occurred_at >= previous_at + INTERVAL 30 MINUTE
                           THEN occurred_at END IGNORE NULLS)
               OVER (PARTITION BY visitor_id ORDER BY occurred_at, event_id
                     ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS segment_started_at
    FROM previous
),
starts AS (
    SELECT *,
           previous_at IS NULL OR occurred_at >= previous_at + INTERVAL 30 MINUTE
           OR (campaign IS NOT NULL
               AND (previous_campaign_at IS NULL OR previous_campaign_at < segment_started_at
                    OR previous_campaign <> campaign)) AS is_session_start
    FROM segments
)
SELECT event_id, visitor_id, occurred_at, CAST(occurred_at AS DATE) AS event_date, event_type,
       page_url, referrer_url, contact_id, email, utm_source, utm_medium, utm_campaign,
       is_session_start,
       md5(visitor_id || '|' || last_value(CASE WHEN is_session_start THEN event_id END IGNORE NULLS)
           OVER (PARTITION BY visitor_id ORDER BY occurred_at, event_id
                 ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)) AS session_id
FROM starts;

CREATE TEMP TABLE sessions AS
WITH spans AS (
    SELECT session_id,
           min(occurred_at) AS started_at,
           max(occurred_at) AS ended_at,
           count(*) AS event_count,
           count(*) FILTER (WHERE event_type = 'page_view') AS pageviews
    FROM events
    GROUP BY session_id
),
firsts AS (
    SELECT session_id, visitor_id, event_id AS first_event_id, page_url AS landing_page_url,
           referrer_url, utm_source, utm_medium, utm_campaign,
           lower(trim(coalesce(utm_source, ''))) AS channel_source,
           lower(trim(coalesce(utm_medium, ''))) AS channel_medium,
           (trim(coalesce(utm_source, '')) <> '' OR trim(coalesce(utm_medium, '')) <> ''
            OR trim(coalesce(utm_campaign, '')) <> '') AS has_utm,
           lower(coalesce(regexp_extract(referrer_url, '^[a-zA-Z][a-zA-Z0-9+.-]*://([^/:?#]+)', 1), '')) AS host_www
    FROM events
    WHERE is_session_start
)
SELECT firsts.* EXCLUDE (host_www),
       CASE WHEN host_www LIKE 'www.%' THEN substr(host_www, 5) ELSE host_www END AS referrer_host,
       spans.started_at, spans.ended_at, CAST(spans.started_at AS DATE) AS session_date,
       epoch(spans.ended_at) - epoch(spans.started_at) AS duration_seconds,
       spans.event_count, spans.pageviews, spans.event_count - spans.pageviews AS site_interactions
FROM firsts JOIN spans USING (session_id);

-- Channel (glossary: channel): first matching rule of the seed, tried on distinct rule inputs.
CREATE TEMP TABLE channel_keys AS
WITH keys AS (
    SELECT DISTINCT channel_source, channel_medium, has_utm, referrer_host FROM sessions
),
rules AS (
    SELECT CAST(priority AS BIGINT) AS priority, trim(channel) AS channel,
           lower(trim(coalesce(has_utm, ''))) AS has_utm,
           coalesce(utm_source_regex, '') AS source_re, coalesce(utm_medium_regex, '') AS medium_re,
           coalesce(referrer_host_regex, '') AS host_re
    FROM read_csv(getvariable('seeds') || '/channel_rules.csv', all_varchar = true, header = true)
)
SELECT keys.*, coalesce((
    SELECT rules.channel FROM rules
    WHERE (rules.has_utm = '' OR rules.has_utm = CASE WHEN keys.has_utm THEN 'true' ELSE 'false' END)
      AND (rules.source_re = '' OR regexp_full_match(keys.channel_source, rules.source_re))
      AND (rules.medium_re = '' OR regexp_full_match(keys.channel_medium, rules.medium_re))
      AND (rules.host_re = '' OR regexp_full_match(keys.referrer_host, rules.host_re))
    ORDER BY rules.priority, rules.channel LIMIT 1), 'other') AS channel
FROM keys;


-- ---------------------------------------------------------------------------------------------
-- Identity stitching and the contacts' original channel
-- ---------------------------------------------------------------------------------------------
CREATE TEMP TABLE contact_emails AS
SELECT email, arg_min(contact_id, (created_at IS NULL, created_at, contact_id)) AS canonical_contact_id,
       count(*) AS contacts_sharing_email
FROM stg_contacts WHERE email IS NOT NULL
GROUP BY email;

CREATE TEMP TABLE stitched AS
WITH identifying AS (
    SELECT event_id, visitor_id, occurred_at, contact_id, email
    FROM events WHERE contact_id IS NOT NULL OR email IS NOT NULL
),
identifications AS (
    SELECT i.visitor_id, i.event_id, i.occurred_at, c.contact_id, 'contact_id' AS identified_by
    FROM identifying i JOIN stg_contacts c ON i.contact_id = c.contact_id
    UNION ALL
    SELECT i.visitor_id, i.event_id, i.occurred_at, e.canonical_contact_id, 'email'
    FROM identifying i JOIN contact_emails e ON i.email = e.email
)
SELECT visitor_id,
       arg_min(contact_id, (occurred_at, contact_id, identified_by, event_id)) AS contact_id
FROM identifications
GROUP BY visitor_id;

CREATE TEMP TABLE fct_sessions AS
SELECT s.session_id, s.visitor_id, st.contact_id, s.started_at, s.ended_at, s.session_date,
       s.duration_seconds, s.event_count, s.pageviews, s.site_interactions,
       s.event_count = 1 AS is_bounce, k.channel
FROM sessions s
JOIN channel_keys k USING (channel_source, channel_medium, has_utm, referrer_host)
LEFT JOIN stitched st USING (visitor_id);

CREATE TEMP TABLE original_channels AS
WITH contact_sessions AS (
    SELECT contact_id, session_id, started_at, channel FROM fct_sessions WHERE contact_id IS NOT NULL
),
counts AS (
    SELECT contact_id, count(*) AS stitched_sessions FROM contact_sessions GROUP BY contact_id
),
visitor_counts AS (
    SELECT contact_id, count(*) AS stitched_visitors FROM stitched GROUP BY contact_id
),
first_sessions AS (
    SELECT cs.contact_id,
           arg_min(cs.session_id, (cs.started_at, cs.session_id)) AS first_session_id,
           min(cs.started_at) AS first_touch_at,
           arg_min(cs.channel, (cs.started_at, cs.session_id)) AS session_channel
    FROM contact_sessions cs JOIN stg_contacts c ON cs.contact_id = c.contact_id
    WHERE cs.started_at <= c.created_at
    GROUP BY cs.contact_id
),
source_channels AS (
    SELECT lower(trim(original_source)) AS source_key, trim(channel) AS channel
    FROM read_csv(getvariable('seeds') || '/original_source_channels.csv', all_varchar = true,
                  header = true)
)
SELECT c.contact_id,
       CASE WHEN f.first_session_id IS NOT NULL THEN f.session_channel
            WHEN sc.channel IS NOT NULL THEN sc.channel
            WHEN c.owner_id IS NOT NULL AND coalesce(n.stitched_sessions, 0) = 0 THEN 'outbound'
            ELSE 'unknown' END AS original_channel,
       CASE WHEN f.first_session_id IS NOT NULL THEN 'web_session'
            WHEN sc.channel IS NOT NULL THEN 'crm_original_source'
            WHEN c.owner_id IS NOT NULL AND coalesce(n.stitched_sessions, 0) = 0 THEN 'outbound'
            ELSE 'unknown' END AS original_channel_basis,
       f.first_session_id, f.first_touch_at,
       coalesce(v.stitched_visitors, 0) AS stitched_visitors,
       coalesce(n.stitched_sessions, 0) AS stitched_sessions
FROM stg_contacts c
LEFT JOIN first_sessions f ON c.contact_id = f.contact_id
LEFT JOIN source_channels sc ON lower(trim(c.original_source)) = sc.source_key
LEFT JOIN visitor_counts v ON c.contact_id = v.contact_id
LEFT JOIN counts n ON c.contact_id = n.contact_id;


-- ---------------------------------------------------------------------------------------------
-- marts.dim_contacts
-- ---------------------------------------------------------------------------------------------
CREATE OR REPLACE TABLE dim_contacts AS
WITH flags AS (
    SELECT contact_id,
           concat_ws(',',
               CASE WHEN email IS NULL OR NOT coalesce(regexp_full_match(email, '^[^@\s]+@[^@\s]+\.[a-z]{2,}$'), false) THEN 'email' END,
               CASE WHEN first_name IS NULL THEN 'first_name' END,
               CASE WHEN last_name IS NULL THEN 'last_name' END,
               CASE WHEN company IS NULL THEN 'company' END,
               CASE WHEN job_title IS NULL THEN 'job_title' END,
               CASE WHEN country IS NULL THEN 'country' END,
               CASE WHEN phone IS NULL THEN 'phone' END) AS missing_fields
    FROM stg_contacts
)
SELECT c.contact_id, c.email, c.first_name, c.last_name, c.phone, c.company, c.job_title,
       c.country, c.owner_id, c.lead_status, c.original_source, c.lifecycle_stage,
       c.lifecycle_stage_at_creation, c.created_at, CAST(c.created_at AS DATE) AS created_date,
       c.updated_at, c.became_lead_at, c.became_mql_at, c.became_sql_at,
       o.original_channel, o.original_channel_basis, o.first_session_id, o.first_touch_at,
       o.stitched_visitors, o.stitched_sessions,
       f.missing_fields = '' AS is_complete, f.missing_fields,
       coalesce(e.contacts_sharing_email, 0) > 1 AS is_suspected_duplicate,
       CAST(NULL AS VARCHAR) AS custom_fields  -- the generated inbox has no mapping that keeps any
FROM stg_contacts c
JOIN original_channels o ON c.contact_id = o.contact_id
JOIN flags f ON c.contact_id = f.contact_id
LEFT JOIN contact_emails e ON c.email = e.email;


-- ---------------------------------------------------------------------------------------------
-- Opportunities and sales interactions, attributed to their contact's original channel
-- ---------------------------------------------------------------------------------------------
CREATE TEMP TABLE fct_opportunities AS
WITH enriched AS (
    SELECT o.*, coalesce(oc.original_channel, 'unknown') AS channel,
           o.stage = 'closed_won' AS is_won,
           o.stage IN ('closed_won', 'closed_lost') AS is_closed,
           CASE WHEN o.stage IN ('closed_won', 'closed_lost')
                THEN coalesce(o.closed_at, o.updated_at) END AS effective_closed_at
    FROM stg_opportunities o
    LEFT JOIN original_channels oc ON o.contact_id = oc.contact_id
)
SELECT *, CAST(created_at AS DATE) AS created_date,
       CAST(effective_closed_at AS DATE) AS closed_date,
       coalesce(is_won AND row_number() OVER (
           PARTITION BY contact_id, is_won
           ORDER BY effective_closed_at ASC NULLS LAST, opportunity_id) = 1, false) AS is_first_win
FROM enriched;

-- An email_sent is opened (clicked, replied) when a response of that type follows it before the
-- contact's next send; responses at the instant of a send belong to that send.
CREATE TEMP TABLE fct_interactions AS
WITH emails AS (
    SELECT interaction_id, contact_id, interaction_type,
           sum(CASE WHEN interaction_type = 'email_sent' THEN 1 ELSE 0 END) OVER (
               PARTITION BY contact_id
               ORDER BY occurred_at, CASE WHEN interaction_type = 'email_sent' THEN 0 ELSE 1 END,
                        interaction_id
               ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS send_number
    FROM stg_interactions
    WHERE interaction_type IN ('email_sent', 'email_opened', 'email_clicked', 'email_replied')
),
responses AS (
    SELECT contact_id, send_number,
           bool_or(interaction_type = 'email_opened') AS is_opened,
           bool_or(interaction_type = 'email_clicked') AS is_clicked,
           bool_or(interaction_type = 'email_replied') AS is_replied
    FROM emails WHERE interaction_type <> 'email_sent' AND send_number > 0
    GROUP BY ALL
),
sends AS (
    SELECT e.interaction_id, coalesce(r.is_opened, false) AS is_opened,
           coalesce(r.is_clicked, false) AS is_clicked, coalesce(r.is_replied, false) AS is_replied
    FROM emails e LEFT JOIN responses r USING (contact_id, send_number)
    WHERE e.interaction_type = 'email_sent'
)
SELECT i.interaction_id, i.contact_id, CAST(i.occurred_at AS DATE) AS interaction_date,
       i.interaction_type, coalesce(oc.original_channel, 'unknown') AS channel,
       s.is_opened, s.is_clicked, s.is_replied
FROM stg_interactions i
LEFT JOIN original_channels oc ON i.contact_id = oc.contact_id
LEFT JOIN sends s ON i.interaction_id = s.interaction_id;


-- ---------------------------------------------------------------------------------------------
-- marts.mart_funnel_daily: the eight metrics per UTC date and channel
-- ---------------------------------------------------------------------------------------------
CREATE OR REPLACE TABLE mart_funnel_daily AS
WITH visits AS (
    SELECT session_date AS metric_date, channel, count(*) AS visits, sum(pageviews) AS pageviews,
           count(DISTINCT visitor_id) AS visitors, avg(duration_seconds) AS avg_session_seconds,
           count(*) FILTER (WHERE is_bounce) AS bounces, sum(duration_seconds) AS session_seconds
    FROM fct_sessions GROUP BY ALL
),
site AS (
    SELECT e.event_date AS metric_date, s.channel, count(*) AS site_interactions
    FROM events e JOIN fct_sessions s ON e.session_id = s.session_id
    WHERE e.event_type <> 'page_view'
    GROUP BY ALL
),
contacts AS (
    SELECT created_date AS metric_date, original_channel AS channel, count(*) AS new_contacts,
           count(*) FILTER (WHERE lifecycle_stage_at_creation = 'subscriber') AS new_subscriber,
           count(*) FILTER (WHERE lifecycle_stage_at_creation = 'lead') AS new_lead,
           count(*) FILTER (WHERE lifecycle_stage_at_creation = 'mql') AS new_mql,
           count(*) FILTER (WHERE lifecycle_stage_at_creation = 'sql') AS new_sql,
           count(*) FILTER (WHERE lifecycle_stage_at_creation = 'opportunity') AS new_opportunity,
           count(*) FILTER (WHERE lifecycle_stage_at_creation = 'customer') AS new_customer,
           count(*) FILTER (WHERE is_complete) AS complete_contacts
    FROM dim_contacts GROUP BY ALL
),
opportunities AS (
    SELECT created_date AS metric_date, channel, count(*) AS opportunities,
           sum(coalesce(amount, 0)) AS pipeline_amount
    FROM fct_opportunities GROUP BY ALL
),
customers AS (
    SELECT closed_date AS metric_date, channel, count(DISTINCT contact_id) AS customers
    FROM fct_opportunities WHERE is_first_win AND closed_date IS NOT NULL GROUP BY ALL
),
revenue AS (
    SELECT closed_date AS metric_date, channel, sum(coalesce(amount, 0)) AS revenue_won
    FROM fct_opportunities WHERE is_won AND closed_date IS NOT NULL GROUP BY ALL
),
sales AS (
    SELECT interaction_date AS metric_date, channel, count(*) AS sales_interactions,
           count(*) FILTER (WHERE interaction_type = 'email_sent') AS emails_sent,
           count(*) FILTER (WHERE interaction_type = 'email_sent' AND is_opened) AS emails_opened,
           count(*) FILTER (WHERE interaction_type = 'email_sent' AND is_clicked) AS emails_clicked,
           count(*) FILTER (WHERE interaction_type = 'email_sent' AND is_replied) AS emails_replied,
           count(*) FILTER (WHERE interaction_type = 'document_viewed') AS document_views,
           count(*) FILTER (WHERE interaction_type = 'call') AS calls,
           count(*) FILTER (WHERE interaction_type = 'meeting') AS meetings
    FROM fct_interactions GROUP BY ALL
),
spine AS (
    SELECT metric_date, channel FROM visits UNION SELECT metric_date, channel FROM site
    UNION SELECT metric_date, channel FROM contacts UNION SELECT metric_date, channel FROM opportunities
    UNION SELECT metric_date, channel FROM customers UNION SELECT metric_date, channel FROM revenue
    UNION SELECT metric_date, channel FROM sales
),
day_contacts AS (
    SELECT created_date AS metric_date, count(*) AS day_new_contacts FROM dim_contacts GROUP BY ALL
)
SELECT spine.metric_date, spine.channel,
       coalesce(v.visits, 0) AS visits,
       CAST(coalesce(v.pageviews, 0) AS BIGINT) AS pageviews,
       coalesce(v.visitors, 0) AS visitors,
       CASE WHEN coalesce(v.visits, 0) = 0 THEN NULL ELSE v.avg_session_seconds END AS avg_session_seconds,
       CASE WHEN coalesce(v.visits, 0) = 0 THEN NULL ELSE v.bounces / v.visits END AS bounce_rate,
       coalesce(c.new_contacts, 0) AS new_contacts,
       coalesce(c.new_subscriber, 0) AS new_subscriber, coalesce(c.new_lead, 0) AS new_lead,
       coalesce(c.new_mql, 0) AS new_mql, coalesce(c.new_sql, 0) AS new_sql,
       coalesce(c.new_opportunity, 0) AS new_opportunity,
       coalesce(c.new_customer, 0) AS new_customer,
       coalesce(c.complete_contacts, 0) AS complete_contacts,
       CASE WHEN coalesce(c.new_contacts, 0) = 0 THEN NULL
            ELSE c.complete_contacts / c.new_contacts END AS completeness_rate,
       CASE WHEN coalesce(d.day_new_contacts, 0) = 0 THEN NULL
            ELSE coalesce(c.new_contacts, 0) / d.day_new_contacts END AS contact_share,
       coalesce(o.opportunities, 0) AS opportunities,
       CAST(coalesce(o.pipeline_amount, 0) AS DOUBLE) AS pipeline_amount,
       coalesce(cu.customers, 0) AS customers,
       CAST(coalesce(r.revenue_won, 0) AS DOUBLE) AS revenue_won,
       coalesce(si.site_interactions, 0) AS site_interactions,
       CASE WHEN coalesce(v.visits, 0) = 0 THEN NULL ELSE v.pageviews / v.visits END AS pages_per_session,
       coalesce(sa.sales_interactions, 0) AS sales_interactions,
       coalesce(sa.emails_sent, 0) AS emails_sent,
       CASE WHEN coalesce(sa.emails_sent, 0) = 0 THEN NULL ELSE sa.emails_opened / sa.emails_sent END AS email_open_rate,
       CASE WHEN coalesce(sa.emails_sent, 0) = 0 THEN NULL ELSE sa.emails_clicked / sa.emails_sent END AS email_click_rate,
       CASE WHEN coalesce(sa.emails_sent, 0) = 0 THEN NULL ELSE sa.emails_replied / sa.emails_sent END AS email_reply_rate,
       coalesce(sa.document_views, 0) AS document_views,
       coalesce(sa.calls, 0) AS calls,
       coalesce(sa.meetings, 0) AS meetings,
       CAST(coalesce(v.bounces, 0) AS BIGINT) AS bounces,
       CAST(coalesce(v.session_seconds, 0) AS DOUBLE) AS session_seconds,
       coalesce(sa.emails_opened, 0) AS emails_opened,
       coalesce(sa.emails_clicked, 0) AS emails_clicked,
       coalesce(sa.emails_replied, 0) AS emails_replied
FROM spine
LEFT JOIN visits v USING (metric_date, channel)
LEFT JOIN site si USING (metric_date, channel)
LEFT JOIN contacts c USING (metric_date, channel)
LEFT JOIN day_contacts d USING (metric_date)
LEFT JOIN opportunities o USING (metric_date, channel)
LEFT JOIN customers cu USING (metric_date, channel)
LEFT JOIN revenue r USING (metric_date, channel)
LEFT JOIN sales sa USING (metric_date, channel)
WHERE spine.metric_date IS NOT NULL;


-- ---------------------------------------------------------------------------------------------
-- marts.fct_attribution (DESIGN.md section 5): one row per opportunity, touch and model
-- ---------------------------------------------------------------------------------------------
CREATE OR REPLACE TABLE fct_attribution AS
WITH opportunities AS (
    SELECT opportunity_id, contact_id, created_at, is_closed, is_won, amount, effective_closed_at,
           CASE WHEN is_closed THEN effective_closed_at END AS closed_at
    FROM fct_opportunities
),
touches AS (  -- the contact's sessions in the window: before creation, or (closed) before close
    SELECT o.opportunity_id, s.session_id AS touch_id, s.started_at AS touch_at,
           o.created_at AS opportunity_created_at, c.created_at AS contact_created_at,
           o.closed_at AS opportunity_closed_at,
           CASE WHEN s.started_at < o.created_at THEN 1 ELSE 0 END AS is_standard,
           CASE WHEN s.started_at < o.created_at AND c.created_at IS NOT NULL
                     AND s.started_at <= c.created_at THEN 1 ELSE 0 END AS is_lead_candidate
    FROM opportunities o
    JOIN fct_sessions s ON o.contact_id = s.contact_id
    LEFT JOIN stg_contacts c ON o.contact_id = c.contact_id
    WHERE s.started_at >= o.created_at - INTERVAL 90 DAY
      AND (s.started_at < o.created_at
           OR (o.closed_at IS NOT NULL AND s.started_at < o.closed_at))
),
ranked AS (
    SELECT *,
           CAST(sum(is_standard) OVER (PARTITION BY opportunity_id) AS BIGINT) AS standard_touches,
           count(*) OVER (PARTITION BY opportunity_id) AS closed_path_touches,
           max(is_lead_candidate) OVER (PARTITION BY opportunity_id) AS has_lead_candidate,
           row_number() OVER (PARTITION BY opportunity_id ORDER BY touch_at, touch_id) AS touch_sequence,
           row_number() OVER (PARTITION BY opportunity_id, is_standard
                              ORDER BY touch_at DESC, touch_id DESC) AS rank_in_set,
           row_number() OVER (PARTITION BY opportunity_id
                              ORDER BY touch_at DESC, touch_id DESC) AS rank_overall,
           row_number() OVER (PARTITION BY opportunity_id, is_lead_candidate
                              ORDER BY touch_at DESC, touch_id DESC) AS rank_in_lead_set
    FROM touches
),
positions AS (
    SELECT opportunity_id, touch_id, touch_at, opportunity_closed_at, is_standard,
           touch_sequence, standard_touches, closed_path_touches,
           CASE WHEN touch_sequence = 1 THEN 1 ELSE 0 END AS is_first,
           CASE WHEN has_lead_candidate = 1 AND is_lead_candidate = 1 AND rank_in_lead_set = 1 THEN 1
                WHEN has_lead_candidate = 0 AND touch_sequence = 1 THEN 1 ELSE 0 END AS is_lead,
           CASE WHEN is_standard = 1 AND rank_in_set = 1 THEN 1 ELSE 0 END AS is_deal,
           CASE WHEN opportunity_closed_at IS NOT NULL AND rank_overall = 1 THEN 1 ELSE 0 END AS is_closing,
           (epoch(opportunity_created_at) - epoch(touch_at)) / 86400.0 AS days_before_conversion
    FROM ranked
    WHERE standard_touches > 0
),
models (attribution_model, s_first, s_lead, s_deal, s_closing, s_rest) AS (
    VALUES ('first_touch', 1.0, 0.0, 0.0, 0.0, 0.0), ('last_touch', 0.0, 0.0, 1.0, 0.0, 0.0),
           ('linear', 0.0, 0.0, 0.0, 0.0, 1.0), ('position_based', 0.4, 0.0, 0.4, 0.0, 0.2),
           ('u_shaped', 0.4, 0.4, 0.0, 0.0, 0.2), ('w_shaped', 0.3, 0.3, 0.3, 0.0, 0.1),
           ('full_path', 0.225, 0.225, 0.225, 0.225, 0.1), ('j_shaped', 0.2, 0.0, 0.6, 0.0, 0.2),
           ('inverse_j', 0.6, 0.0, 0.2, 0.0, 0.2)
),
by_model AS (
    SELECT p.*, m.attribution_model, CAST(m.s_rest AS DOUBLE) AS s_rest,
           CASE WHEN m.attribution_model = 'full_path' THEN closed_path_touches
                ELSE standard_touches END AS touches_in_path,
           CASE WHEN m.attribution_model = 'full_path' THEN is_closing ELSE 0 END AS holds_closing,
           CAST(m.s_first AS DOUBLE) * is_first + CAST(m.s_lead AS DOUBLE) * is_lead
           + CAST(m.s_deal AS DOUBLE) * is_deal
           + CAST(m.s_closing AS DOUBLE) * CASE WHEN m.attribution_model = 'full_path' THEN is_closing ELSE 0 END
               AS positioned
    FROM positions p CROSS JOIN models m
    WHERE (m.attribution_model <> 'full_path' AND p.is_standard = 1)
       OR (m.attribution_model = 'full_path' AND p.opportunity_closed_at IS NOT NULL)
),
weighted AS (
    SELECT *,
           count(*) FILTER (WHERE positioned = 0) OVER (PARTITION BY opportunity_id, attribution_model) AS rest_touches,
           count(*) FILTER (WHERE positioned > 0) OVER (PARTITION BY opportunity_id, attribution_model) AS positioned_touches
    FROM by_model
),
credits AS (
    SELECT opportunity_id, touch_id, attribution_model, touch_at, touch_sequence, touches_in_path,
           is_first = 1 AS is_first_touch, is_lead = 1 AS is_lead_creation_touch,
           is_deal = 1 AS is_deal_creation_touch, holds_closing = 1 AS is_closing_touch,
           days_before_conversion,
           positioned + CASE WHEN rest_touches > 0 AND positioned = 0 THEN s_rest / rest_touches
                             WHEN rest_touches = 0 THEN s_rest / positioned_touches
                             ELSE 0.0 END AS credit
    FROM weighted
    UNION ALL
    SELECT opportunity_id, touch_id, 'time_decay', touch_at, touch_sequence, standard_touches,
           is_first = 1, is_lead = 1, is_deal = 1, false, days_before_conversion,
           decay / sum(decay) OVER (PARTITION BY opportunity_id)
    FROM (
        SELECT *, power(2.0, -(days_before_conversion
                               - min(days_before_conversion) OVER (PARTITION BY opportunity_id)) / 7) AS decay
        FROM positions WHERE is_standard = 1
    )
)
SELECT c.opportunity_id, c.touch_id AS session_id, c.attribution_model, o.contact_id, s.channel,
       c.touch_at AS touch_started_at, c.touch_sequence, c.touches_in_path, c.is_first_touch,
       c.is_lead_creation_touch, c.is_deal_creation_touch, c.is_closing_touch,
       c.days_before_conversion, c.credit,
       c.credit * coalesce(o.amount, 0) AS pipeline_credit,
       CASE WHEN o.is_won THEN c.credit * coalesce(o.amount, 0) ELSE 0.0 END AS revenue_credit,
       o.amount, o.is_won, o.created_at AS opportunity_created_at,
       CAST(date_trunc('month', o.created_at) AS DATE) AS opportunity_month,
       CASE WHEN o.is_closed THEN o.effective_closed_at END AS opportunity_closed_at,
       CASE WHEN o.is_closed THEN CAST(date_trunc('month', o.effective_closed_at) AS DATE) END AS close_month
FROM credits c
JOIN opportunities o ON c.opportunity_id = o.opportunity_id
JOIN fct_sessions s ON c.touch_id = s.session_id;
