-- Claims and the figure timeline as table macros over the claims fetched since a time (NULL:
-- all), and the views as their NULL case (issue 9: query cost). Two changes from 0005:
-- * the newest extraction of each version is kept by "no newer extraction exists" instead of a
--   window over every claim, so a filter on metric, subject or event reaches the claims scan;
-- * `claims_since(t)` reads only the versions fetched since t: versions and claims are appended
--   in fetch order, so DuckDB skips the older row groups by their min/max. The cycle's figure-
--   change check (storage/health.py) reads the history of the events it touched that way.
-- Ties in the timeline order (same time and value, another qualifier) are broken by value_high
-- and qualifier, so `previous_value` no longer depends on the plan.
-- A claim is extracted when or after its version is fetched (reprocess re-extracts later), so
-- every claim of a version fetched since t is extracted since t.
CREATE MACRO claims_since(since) AS TABLE
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
WHERE (since IS NULL OR (v.fetched_at >= since AND c.extracted_at >= since))
  AND NOT EXISTS (
      SELECT 1 FROM article_claims newer
      WHERE newer.article_id = c.article_id AND newer.version = c.version
        AND newer.extracted_at > c.extracted_at
        AND (since IS NULL OR newer.extracted_at >= since));

CREATE MACRO figure_history_since(since) AS TABLE
WITH figures AS (
    SELECT event_id, claimant_kind, claimant_key, metric, subject, value, value_high, qualifier,
           arg_min(claimant, reported_at) AS claimant,
           min(fetched_at) AS first_seen_at, max(fetched_at) AS last_seen_at,
           min(reported_at) AS first_published_at,
           count(DISTINCT story_id) AS n_sources,
           arg_min(url, reported_at) AS article_url
    FROM claims_since(since)
    WHERE scope = 'event'
    GROUP BY ALL
)
SELECT event_id, claimant_kind, claimant, metric, subject, value, value_high, qualifier,
       figure_label(qualifier, value, value_high) AS figure,
       first_seen_at, last_seen_at, first_published_at, n_sources,
       lag(value) OVER (PARTITION BY event_id, claimant_kind, claimant_key, metric, subject
                        ORDER BY first_published_at, value, value_high, qualifier) AS previous_value,
       article_url, claimant_key
FROM figures
ORDER BY first_published_at, claimant_kind, metric, subject, value;

CREATE OR REPLACE VIEW claims AS SELECT * FROM claims_since(NULL);

CREATE OR REPLACE VIEW figure_history AS SELECT * FROM figure_history_since(NULL);
