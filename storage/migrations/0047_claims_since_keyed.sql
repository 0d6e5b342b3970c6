-- `claims_since(t)` for a recent t reads the few rows it needs by key instead of joining the
-- recent claims with every row of `articles`, `version_stories` and `story_events` (hash joins
-- whose probe side was the whole table: 682k story rows and 554k version rows scanned for a
-- one-article cycle at 1M versions). Each step fetches the rows of the keys found by the step
-- before (`IN` a `MATERIALIZED` result: DuckDB then scans the primary key's ART of `articles`
-- and `story_events`, and the index of 0046 on `article_versions`). The cycle's figure-change
-- check at 1M: 0.42 s -> 0.12-0.15 s. `version_stories` is still scanned (its key is
-- composite, which DuckDB does not scan by): an index on its article_id took that to 0.055 s,
-- but every checkpoint rewrites a modified table's whole ART (0.1 s more at 1M), so it is left out.
-- Each step ends in a LIMIT that never binds: a fence, because DuckDB pushes an outer filter
-- (`event_id IS NOT NULL`) into a materialized step, and a scan with a second filter beside the
-- `IN` no longer uses the index (0.10 s instead of 0.014 s at 1M).
--
-- The whole history (t NULL: the `claims`, `figure_history` and `toll_lines` views) keeps the
-- plain joins of 0016 (`claims_scan`): there the keyed steps would materialize every row and
-- hide the views' filters from the scans. `claims_since` picks one of the two by t; the branch
-- not taken reads nothing (measured: the views as fast as before, 0.27 s at 1M).
CREATE MACRO claims_scan(since) AS TABLE
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

CREATE MACRO claims_keyed(since) AS TABLE
WITH c AS MATERIALIZED (
    SELECT c.* FROM article_claims c
    WHERE since IS NOT NULL AND c.extracted_at >= since
      AND NOT EXISTS (
          SELECT 1 FROM article_claims newer
          WHERE newer.article_id = c.article_id AND newer.version = c.version
            AND newer.extracted_at > c.extracted_at AND newer.extracted_at >= since)
), v AS MATERIALIZED (
    SELECT article_id, version, published_at, fetched_at, updated_at FROM article_versions
    WHERE fetched_at >= since AND article_id IN (SELECT DISTINCT article_id FROM c)
    LIMIT 9223372036854775807  -- a fence, see above
), a AS MATERIALIZED (
    SELECT article_id, canonical_url, outlet FROM articles
    WHERE article_id IN (SELECT DISTINCT article_id FROM v)
    LIMIT 9223372036854775807  -- a fence, see above
), s AS MATERIALIZED (
    SELECT article_id, version, story_id FROM version_stories
    WHERE article_id IN (SELECT DISTINCT article_id FROM v)
    LIMIT 9223372036854775807  -- a fence, see above
), e AS MATERIALIZED (
    SELECT story_id, event_id FROM story_events
    WHERE story_id IN (SELECT DISTINCT story_id FROM s)
    LIMIT 9223372036854775807  -- a fence, see above
)
SELECT c.article_id, c.version, c.extractor_version, c.ordinal,
       coalesce(n.display_name, c.claimant) AS claimant, c.claimant_key,
       c.claimant_kind, c.metric, c.subject, c.value, c.value_high, c.qualifier,
       figure_label(c.qualifier, c.value, c.value_high) AS figure, c.sentence,
       a.canonical_url AS url, a.outlet, v.published_at, v.fetched_at,
       CASE WHEN v.version > 1 THEN coalesce(v.updated_at, v.fetched_at)
            ELSE coalesce(v.published_at, v.fetched_at) END AS reported_at,
       coalesce(s.story_id, c.article_id || '.' || c.version) AS story_id, e.event_id,
       coalesce(c.scope, 'event') AS scope, c.claimant AS claimant_as_written
FROM c
JOIN v USING (article_id, version)
JOIN a USING (article_id)
LEFT JOIN s USING (article_id, version)
LEFT JOIN e USING (story_id)
LEFT JOIN claimant_names n ON n.claimant_key = c.claimant_key AND c.claimant <> '';

CREATE OR REPLACE MACRO claims_since(since) AS TABLE
SELECT * FROM claims_keyed(since) WHERE since IS NOT NULL
UNION ALL
SELECT * FROM claims_scan(since) WHERE since IS NULL;
