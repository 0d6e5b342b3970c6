-- Claims get a scope, and claimants one display name per claimant_key.
-- scope: event (the text's own event) | part (a per-location, per-incident or demographic
-- sub-count of a stated total) | period (year-to-date, annual, "over the past twelve months")
-- | other_event (background or comparison). Rows written before claims-2 are 'event'.
ALTER TABLE article_claims ADD COLUMN scope VARCHAR DEFAULT 'event';

-- One name per claimant_key: the fullest spelling (most words), then the most used one.
-- "Baloch Liberation Army" over "Baloch" or "BLA" for the key BLA.
CREATE VIEW claimant_names AS
WITH spellings AS (
    SELECT claimant_key, claimant, count(*) AS n
    FROM article_claims
    WHERE claimant <> ''
    GROUP BY ALL
)
SELECT claimant_key,
       arg_max(claimant, (least(length(claimant) - length(replace(claimant, ' ', '')), 4), n,
                          claimant)) AS display_name,
       count(*) AS n_spellings
FROM spellings
GROUP BY claimant_key;

CREATE OR REPLACE VIEW claims AS
SELECT c.article_id, c.version, c.extractor_version, c.ordinal,
       coalesce(n.display_name, c.claimant) AS claimant, c.claimant_key,
       c.claimant_kind, c.metric, c.subject, c.value, c.value_high, c.qualifier,
       figure_label(c.qualifier, c.value, c.value_high) AS figure, c.sentence,
       a.canonical_url AS url, a.outlet, v.published_at, v.fetched_at,
       CASE WHEN v.version > 1 THEN coalesce(v.updated_at, v.fetched_at)
            ELSE coalesce(v.published_at, v.fetched_at) END AS reported_at,
       coalesce(s.story_id, c.article_id || '.' || c.version) AS story_id, e.event_id,
       coalesce(c.scope, 'event') AS scope, c.claimant AS claimant_as_written
FROM article_claims c
JOIN article_versions v USING (article_id, version)
JOIN articles a USING (article_id)
LEFT JOIN version_stories s USING (article_id, version)
LEFT JOIN story_events e USING (story_id)
LEFT JOIN claimant_names n ON n.claimant_key = c.claimant_key AND c.claimant <> ''
QUALIFY c.extracted_at = max(c.extracted_at) OVER (PARTITION BY c.article_id, c.version);

-- The timeline and the disputes show the text's own event only: parts, period totals and
-- figures of other events stay queryable in `claims`.
CREATE OR REPLACE VIEW figure_history AS
WITH figures AS (
    SELECT event_id, claimant_kind, claimant_key, metric, subject, value, value_high, qualifier,
           arg_min(claimant, reported_at) AS claimant,
           min(fetched_at) AS first_seen_at, max(fetched_at) AS last_seen_at,
           min(reported_at) AS first_published_at,
           count(DISTINCT story_id) AS n_sources,
           arg_min(url, reported_at) AS article_url
    FROM claims
    WHERE scope = 'event'
    GROUP BY ALL
)
SELECT event_id, claimant_kind, claimant, metric, subject, value, value_high, qualifier,
       figure_label(qualifier, value, value_high) AS figure,
       first_seen_at, last_seen_at, first_published_at, n_sources,
       lag(value) OVER (PARTITION BY event_id, claimant_kind, claimant_key, metric, subject
                        ORDER BY first_published_at, value) AS previous_value,
       article_url, claimant_key
FROM figures
ORDER BY first_published_at, claimant_kind, metric, subject, value;

CREATE OR REPLACE VIEW figure_disputes AS
WITH latest AS (
    SELECT event_id, metric, subject, claimant_kind,
           arg_max(figure || ' (' || coalesce(nullif(claimant, ''), 'unattributed') || ')',
                   (first_published_at, n_sources, value)) AS figure,
           max(first_published_at) AS as_of
    FROM figure_history
    GROUP BY ALL
)
SELECT event_id, metric, subject,
       max(figure) FILTER (WHERE claimant_kind = 'militant_group') AS militant_group,
       max(figure) FILTER (WHERE claimant_kind = 'government') AS government,
       max(figure) FILTER (WHERE claimant_kind = 'media') AS media,
       max(figure) FILTER (WHERE claimant_kind = 'ngo') AS ngo,
       max(figure) FILTER (WHERE claimant_kind = 'other') AS other,
       max(figure) FILTER (WHERE claimant_kind = 'unattributed') AS unattributed,
       count(*) AS n_kinds, max(as_of) AS as_of
FROM latest
GROUP BY ALL
HAVING count(*) FILTER (WHERE claimant_kind <> 'unattributed') >= 2
ORDER BY event_id, metric, subject;
