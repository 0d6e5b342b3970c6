-- Story and event indexes that live in the database and are updated by each batch's write
-- (issue 9.1), non-article pages (issue 8), related events. Tables are appended in roughly
-- publication order, so a windowed lookup skips old row groups by their min/max.

ALTER TABLE version_stories ADD COLUMN not_article VARCHAR;  -- reason; NULL for an article

-- 1 in 8 of a story's canonical copy's shingle hashes (extractors/copies.py)
CREATE TABLE story_anchors (
    anchor   BIGINT NOT NULL,
    story_id VARCHAR NOT NULL,
    seen_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE story_profiles (
    story_id         VARCHAR PRIMARY KEY,
    title            VARCHAR NOT NULL,        -- of the canonical copy
    seen_at          TIMESTAMPTZ NOT NULL,
    unrelated_titles INTEGER NOT NULL,        -- copies whose headline shares nothing with it
    not_article      VARCHAR                  -- reason, once the text is seen to be a wall
);

CREATE TABLE event_profiles (
    event_id         VARCHAR PRIMARY KEY,
    first_seen       TIMESTAMPTZ,
    last_seen        TIMESTAMPTZ,
    n_stories        INTEGER NOT NULL,
    profile          VARCHAR NOT NULL,        -- JSON: capped centroid, names, figures
    related_event_id VARCHAR                  -- an older event this one follows up
);

-- the names of each event's profile, for gathering candidates
CREATE TABLE event_names (
    name      VARCHAR NOT NULL,
    event_id  VARCHAR NOT NULL,
    last_seen TIMESTAMPTZ
);

-- document frequencies of terms and names ('@' + name) over all stories; '' counts stories
CREATE TABLE grouping_df (
    token VARCHAR PRIMARY KEY,
    n     BIGINT NOT NULL
);

CREATE OR REPLACE VIEW stories AS
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
WHERE s.not_article IS NULL
GROUP BY s.story_id;

CREATE OR REPLACE VIEW events AS
SELECT e.event_id,
       arg_min(v.title, coalesce(v.published_at, v.fetched_at)) AS title,
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

CREATE VIEW not_articles AS
SELECT s.article_id, s.version, s.story_id, s.not_article AS reason, a.canonical_url, a.outlet,
       v.title
FROM version_stories s
JOIN article_versions v USING (article_id, version)
JOIN articles a USING (article_id)
WHERE s.not_article IS NOT NULL;
