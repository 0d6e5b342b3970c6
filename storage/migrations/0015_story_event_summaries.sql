-- Stories and events as tables that the batch's write keeps (issue 9.3), so the `stories` and
-- `events` views read one row per story or event instead of aggregating every version ever
-- stored. storage/summaries.py merges each batch's new versions into them; the orders below
-- (earliest, then longest text, then article id) make the result the same however the
-- versions were split into batches.

CREATE TABLE story_summaries (
    story_id             VARCHAR PRIMARY KEY,
    event_id             VARCHAR,
    canonical_article_id VARCHAR NOT NULL,   -- earliest copy, then the longest text
    canonical_url        VARCHAR NOT NULL,
    canonical_at         TIMESTAMPTZ NOT NULL,
    canonical_chars      INTEGER NOT NULL,
    agency               VARCHAR,            -- credited by the earliest copy that credits one
    agency_at            TIMESTAMPTZ,
    agency_article_id    VARCHAR,
    first_seen           TIMESTAMPTZ NOT NULL,
    n_copies             INTEGER NOT NULL,   -- distinct articles
    outlets              VARCHAR[] NOT NULL  -- sorted, distinct
);

CREATE TABLE event_summaries (
    event_id         VARCHAR PRIMARY KEY,
    title            VARCHAR,               -- of the earliest version
    title_at         TIMESTAMPTZ,
    title_key        VARCHAR,               -- article_id.version of that version (ties)
    first_seen       TIMESTAMPTZ,
    last_seen        TIMESTAMPTZ,
    n_stories        INTEGER NOT NULL,
    n_articles       INTEGER NOT NULL,
    related_event_id VARCHAR
);

-- The summaries computed from the stored versions (the definitions of the views this migration
-- replaces): the backfill below, and storage/summaries.py when a story leaves its event.
CREATE MACRO story_summary_rows() AS TABLE
SELECT s.story_id,
       any_value(e.event_id) AS event_id,
       arg_min(s.article_id, (coalesce(v.published_at, v.fetched_at), -length(v.text),
                              s.article_id)) AS canonical_article_id,
       arg_min(a.canonical_url, (coalesce(v.published_at, v.fetched_at), -length(v.text),
                                 s.article_id)) AS canonical_url,
       min(coalesce(v.published_at, v.fetched_at)) AS canonical_at,
       arg_min(length(v.text), (coalesce(v.published_at, v.fetched_at), -length(v.text),
                                s.article_id)) AS canonical_chars,
       arg_min(nullif(s.agency, ''), (coalesce(v.published_at, v.fetched_at), s.article_id))
           AS agency,
       min(coalesce(v.published_at, v.fetched_at)) FILTER (WHERE s.agency <> '') AS agency_at,
       arg_min(s.article_id, (coalesce(v.published_at, v.fetched_at), s.article_id))
           FILTER (WHERE s.agency <> '') AS agency_article_id,
       min(coalesce(v.published_at, v.fetched_at)) AS first_seen,
       count(DISTINCT s.article_id) AS n_copies,
       list(DISTINCT a.outlet ORDER BY a.outlet) AS outlets
FROM version_stories s
JOIN article_versions v USING (article_id, version)
JOIN articles a USING (article_id)
LEFT JOIN story_events e USING (story_id)
WHERE s.not_article IS NULL
GROUP BY s.story_id;

CREATE MACRO event_summary_rows() AS TABLE
SELECT e.event_id,
       arg_min(v.title, (coalesce(v.published_at, v.fetched_at), s.article_id || '.' || s.version))
           AS title,
       min(coalesce(v.published_at, v.fetched_at)) AS title_at,
       arg_min(s.article_id || '.' || s.version,
               (coalesce(v.published_at, v.fetched_at), s.article_id || '.' || s.version))
           AS title_key,
       min(coalesce(v.published_at, v.fetched_at)) AS first_seen,
       max(coalesce(v.published_at, v.fetched_at)) AS last_seen,
       count(DISTINCT e.story_id) AS n_stories,
       count(DISTINCT s.article_id) AS n_articles,
       any_value(p.related_event_id) AS related_event_id
FROM story_events e
JOIN version_stories s USING (story_id)
JOIN article_versions v USING (article_id, version)
LEFT JOIN event_profiles p USING (event_id)
WHERE s.not_article IS NULL
GROUP BY e.event_id;

INSERT INTO story_summaries BY NAME SELECT * FROM story_summary_rows();
INSERT INTO event_summaries BY NAME SELECT * FROM event_summary_rows();

CREATE OR REPLACE VIEW stories AS
SELECT story_id, canonical_article_id, canonical_url, agency, first_seen, n_copies, outlets
FROM story_summaries;

CREATE OR REPLACE VIEW events AS
SELECT event_id, title, first_seen, last_seen, n_stories, n_articles, related_event_id
FROM event_summaries;
