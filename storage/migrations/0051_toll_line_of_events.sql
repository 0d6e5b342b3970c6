-- The toll lines of some events' threads, reading only their claims: the cycle's figure-change
-- check (`storage/health.py:figure_changes`) asked `toll_line_since(t)` for every event's line
-- since the first day of the events it touched, then kept those events: at 1M versions, a new
-- article joining an event of the history's first day read every claim since then (0.74-0.88 s
-- of a 2.0 s cycle, 1.1 GB peak), and at a real stream's rate an event a few days old means
-- millions of claims a cycle. `toll_line_from(t, events)` is `toll_line_since(t)` restricted to
-- `events`, which must hold every event of their threads (a line is a thread's). Its claims
-- come from `claims_of_events(t, events)`: the events' stories (`story_events`), their
-- versions (`version_stories`), every extraction of their claims, each step fenced as in 0047
-- so DuckDB reads it through the indexes of 0052, and the latest extraction since t picked
-- among the rows read (the same rows as a NOT EXISTS over the whole table).
-- `toll_points_since` and `toll_line_since` are the same macros with no events (NULL: every
-- event), so the views and their tests are unchanged.
CREATE MACRO claims_of_events(since, events) AS TABLE
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
    WHERE (since IS NULL OR fetched_at >= since)
      AND article_id IN (SELECT DISTINCT article_id FROM c)
    LIMIT 9223372036854775807  -- a fence, as in 0047
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
LEFT JOIN claimant_names n ON n.claimant_key = c.claimant_key AND c.claimant <> '';

-- every event's claims (events NULL), or only those of `events`
CREATE MACRO toll_claims(since, events) AS TABLE
SELECT * FROM claims_since(since) WHERE events IS NULL
UNION ALL
SELECT * FROM claims_of_events(since, events) WHERE events IS NOT NULL;

CREATE MACRO toll_points_from(since, events) AS TABLE
WITH scoped AS (
    SELECT * FROM toll_claims(since, events) WHERE scope = 'event' AND event_id IS NOT NULL
), threads AS (
    SELECT * FROM event_threads
    WHERE event_id IN (SELECT DISTINCT event_id FROM scoped)
), sided AS (
    SELECT c.*, coalesce(t.thread_id, c.event_id) AS thread_id,
           claim_side(c.claimant_kind) AS side
    FROM scoped c LEFT JOIN threads t ON t.event_id = c.event_id
), ranked AS (
    SELECT *, (value, value_high, claimant <> '', claimant, sentence, qualifier, claimant_kind)
              AS rank_key
    FROM sided s
    WHERE NOT (s.claimant_kind = 'unattributed' AND EXISTS (
        SELECT 1 FROM sided m
        WHERE m.side = 'militant' AND m.thread_id = s.thread_id AND m.metric = s.metric
          AND m.subject = s.subject AND m.value = s.value AND m.reported_at <= s.reported_at))
)
SELECT thread_id, event_id, metric, subject, side, article_id, version,
       arg_max(value, rank_key) AS value,
       arg_max(value_high, rank_key) AS value_high,
       arg_max(qualifier, rank_key) AS qualifier,
       arg_max(claimant, rank_key) AS said_by,
       arg_max(claimant_kind, rank_key) AS claimant_kind,
       arg_max(sentence, rank_key) AS sentence,
       min(reported_at) AS reported_at, min(fetched_at) AS fetched_at, min(url) AS article_url
FROM ranked
GROUP BY ALL;

CREATE MACRO toll_line_from(since, events) AS TABLE
WITH points AS (
    SELECT *, row_number() OVER (PARTITION BY thread_id, metric, subject, side
                                 ORDER BY reported_at, fetched_at, article_id, version) AS n
    FROM toll_points_from(since, events)
), said AS (
    SELECT p.thread_id, c.metric, c.subject, p.side, c.value, c.value_high,
           min(p.n) AS first_n, min(p.fetched_at) AS value_first_fetched_at
    FROM toll_claims(since, events) c
    JOIN points p ON p.event_id = c.event_id AND p.metric = c.metric
                 AND p.subject = c.subject AND p.side = claim_side(c.claimant_kind)
                 AND p.article_id = c.article_id AND p.version = c.version
    WHERE c.scope IN ('event', 'part')
    GROUP BY p.thread_id, c.metric, c.subject, p.side, c.value, c.value_high
), steps AS (
    SELECT p.*, s.value_first_fetched_at
    FROM points p JOIN said s USING (thread_id, metric, subject, side, value, value_high)
    WHERE p.n = s.first_n
)
SELECT thread_id, event_id, metric, subject, side,
       row_number() OVER line AS step,
       value, value_high, qualifier, figure_label(qualifier, value, value_high) AS figure,
       said_by, claimant_kind, reported_at, fetched_at, article_url, article_id, version,
       sentence,
       lag(value) OVER line AS previous_value,
       lag(figure_label(qualifier, value, value_high)) OVER line AS previous_figure,
       lag(said_by) OVER line AS previous_said_by,
       row_number() OVER (PARTITION BY thread_id, metric, subject, side ORDER BY n DESC) = 1
           AS is_latest,
       value_first_fetched_at
FROM steps
WINDOW line AS (PARTITION BY thread_id, metric, subject, side ORDER BY n)
ORDER BY thread_id, metric, subject, side, step;

CREATE OR REPLACE MACRO toll_points_since(since) AS TABLE
SELECT * FROM toll_points_from(since, NULL::VARCHAR[]);

CREATE OR REPLACE MACRO toll_line_since(since) AS TABLE
SELECT * FROM toll_line_from(since, NULL::VARCHAR[]);
