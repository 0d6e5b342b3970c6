-- Stories (near-identical copies of one text, across outlets) and events (stories about one
-- happening). Assignments are written once, with the version, and never renumbered.

CREATE TABLE version_stories (
    article_id    VARCHAR NOT NULL,
    version       INTEGER NOT NULL,
    story_id      VARCHAR NOT NULL,          -- "<article_id>.<version>" of the story's first copy
    agency        VARCHAR NOT NULL,          -- wire agency the copy credits ('' if none)
    n_shingles    INTEGER NOT NULL,
    signature     BLOB NOT NULL,             -- MinHash values, for rebuilding the index
    dedup_version VARCHAR NOT NULL,
    PRIMARY KEY (article_id, version)
);

CREATE TABLE story_events (
    story_id       VARCHAR PRIMARY KEY,
    event_id       VARCHAR NOT NULL,         -- the story_id of the event's first story
    published_at   TIMESTAMPTZ,              -- of the story's first copy
    terms          VARCHAR NOT NULL,         -- JSON {word: count}, for rebuilding the index
    names          VARCHAR[] NOT NULL,
    events_version VARCHAR NOT NULL
);

CREATE VIEW stories AS
SELECT s.story_id,
       arg_min(s.article_id, (coalesce(v.published_at, v.fetched_at), -length(v.text)))
           AS canonical_article_id,
       arg_min(a.canonical_url, (coalesce(v.published_at, v.fetched_at), -length(v.text)))
           AS canonical_url,
       coalesce(arg_min(nullif(s.agency, ''), (coalesce(v.published_at, v.fetched_at),
                                               -length(v.text))), mode(nullif(s.agency, '')))
           AS agency,
       min(coalesce(v.published_at, v.fetched_at)) AS first_seen,
       count(DISTINCT s.article_id) AS n_copies,
       list(DISTINCT a.outlet ORDER BY a.outlet) AS outlets
FROM version_stories s
JOIN article_versions v USING (article_id, version)
JOIN articles a USING (article_id)
GROUP BY s.story_id;

CREATE VIEW events AS
SELECT e.event_id,
       arg_min(v.title, coalesce(v.published_at, v.fetched_at)) AS title,
       min(coalesce(v.published_at, v.fetched_at)) AS first_seen,
       max(coalesce(v.published_at, v.fetched_at)) AS last_seen,
       count(DISTINCT e.story_id) AS n_stories,
       count(DISTINCT s.article_id) AS n_articles
FROM story_events e
JOIN version_stories s USING (story_id)
JOIN article_versions v USING (article_id, version)
GROUP BY e.event_id;

CREATE OR REPLACE VIEW latest_versions AS
SELECT v.*, a.canonical_url, a.outlet, a.feed_id, s.story_id, s.agency, e.event_id
FROM article_versions v
JOIN articles a USING (article_id)
LEFT JOIN version_stories s USING (article_id, version)
LEFT JOIN story_events e USING (story_id)
QUALIFY row_number() OVER (PARTITION BY v.article_id ORDER BY v.version DESC) = 1;

CREATE OR REPLACE VIEW claims AS
SELECT c.article_id, c.version, c.extractor_version, c.ordinal, c.claimant, c.claimant_key,
       c.claimant_kind, c.metric, c.subject, c.value, c.value_high, c.qualifier,
       figure_label(c.qualifier, c.value, c.value_high) AS figure, c.sentence,
       a.canonical_url AS url, a.outlet, v.published_at, v.fetched_at,
       CASE WHEN v.version > 1 THEN coalesce(v.updated_at, v.fetched_at)
            ELSE coalesce(v.published_at, v.fetched_at) END AS reported_at,
       coalesce(s.story_id, c.article_id || '.' || c.version) AS story_id, e.event_id
FROM article_claims c
JOIN article_versions v USING (article_id, version)
JOIN articles a USING (article_id)
LEFT JOIN version_stories s USING (article_id, version)
LEFT JOIN story_events e USING (story_id)
QUALIFY c.extracted_at = max(c.extracted_at) OVER (PARTITION BY c.article_id, c.version);
