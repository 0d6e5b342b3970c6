-- `claims_of_events(t, events)` (0051) read the events' versions through the index of 0046
-- only when t was NULL. With a time, the step held a second filter beside its `IN`
-- (`fetched_at >= t`), and DuckDB then scans instead (0047): every version fetched since the
-- day before the events began, 500,032 rows for a 21-version event at 3M versions (the cycle's
-- figure-change check, 0.05 -> 0.14 s of it). The step now reads by key only; t is applied
-- after it, to the same rows.
CREATE OR REPLACE MACRO claims_of_events(since, events) AS TABLE
WITH e AS MATERIALIZED (
    SELECT story_id, event_id FROM story_events
    WHERE event_id IN (SELECT unnest(events))
    LIMIT 9223372036854775807  -- a fence, as in 0047
), s AS MATERIALIZED (
    SELECT article_id, version, story_id FROM version_stories
    WHERE story_id IN (SELECT story_id FROM e)
    LIMIT 9223372036854775807  -- a fence, as in 0047
), every_extraction AS MATERIALIZED (
    SELECT * FROM article_claims
    WHERE article_id IN (SELECT DISTINCT article_id FROM s)
    LIMIT 9223372036854775807  -- a fence, as in 0047
), c AS MATERIALIZED (
    SELECT c.* FROM every_extraction c SEMI JOIN s USING (article_id, version)
    WHERE (since IS NULL OR c.extracted_at >= since)
      AND NOT EXISTS (
          SELECT 1 FROM every_extraction newer
          WHERE newer.article_id = c.article_id AND newer.version = c.version
            AND newer.extracted_at > c.extracted_at
            AND (since IS NULL OR newer.extracted_at >= since))
), v AS MATERIALIZED (
    SELECT article_id, version, published_at, fetched_at, updated_at FROM article_versions
    WHERE article_id IN (SELECT DISTINCT article_id FROM c)
    LIMIT 9223372036854775807  -- a fence, as in 0047; t is applied below
), a AS MATERIALIZED (
    SELECT article_id, canonical_url, outlet FROM articles
    WHERE article_id IN (SELECT DISTINCT article_id FROM v)
    LIMIT 9223372036854775807  -- a fence, as in 0047
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
JOIN s USING (article_id, version)
JOIN e USING (story_id)
LEFT JOIN claimant_names n ON n.claimant_key = c.claimant_key AND c.claimant <> ''
WHERE since IS NULL OR v.fetched_at >= since;
