-- Claims: attributed figures extracted from each article version, per extractor version.
-- A re-run of the same extractor version replaces its rows; other versions' rows stay.

-- When the feed said a page was updated: a later version's figures date from then, not from
-- the page's first publication.
ALTER TABLE article_versions ADD COLUMN updated_at TIMESTAMPTZ;

CREATE TABLE article_claims (
    article_id        VARCHAR NOT NULL,
    version           INTEGER NOT NULL,
    extractor_version VARCHAR NOT NULL,      -- e.g. claims-1
    ordinal           INTEGER NOT NULL,      -- position in the text
    claimant          VARCHAR NOT NULL,      -- '' when unattributed
    claimant_key      VARCHAR NOT NULL,      -- groups spellings of one claimant (an acronym)
    claimant_kind     VARCHAR NOT NULL,      -- militant_group | government | media | ngo | unattributed | other
    metric            VARCHAR NOT NULL,      -- killed | injured | captured | released | destroyed | attacked | arrested | missing
    subject           VARCHAR NOT NULL,      -- security_forces | civilians | militants | people | vehicles | buildings | locations
    value             BIGINT NOT NULL,
    value_high        BIGINT NOT NULL,
    qualifier         VARCHAR NOT NULL,      -- exact | at_least | more_than | about | up_to
    sentence          VARCHAR NOT NULL,
    start_offset      INTEGER NOT NULL,      -- into article_versions.text
    end_offset        INTEGER NOT NULL,
    extracted_at      TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (article_id, version, extractor_version, ordinal)
);

CREATE MACRO figure_label(qualifier, value, value_high) AS
    CASE qualifier WHEN 'at_least' THEN 'at least ' WHEN 'more_than' THEN 'more than '
                   WHEN 'about' THEN 'about ' WHEN 'up_to' THEN 'up to ' ELSE '' END
    || CAST(value AS VARCHAR)
    || CASE WHEN value_high > value THEN '-' || CAST(value_high AS VARCHAR) ELSE '' END;

-- Stories and events arrive with the wire-copy work; until then each article is its own story
-- and event_id is NULL (one timeline across everything stored).
CREATE VIEW claims AS
SELECT c.article_id, c.version, c.extractor_version, c.ordinal, c.claimant, c.claimant_key,
       c.claimant_kind, c.metric, c.subject, c.value, c.value_high, c.qualifier,
       figure_label(c.qualifier, c.value, c.value_high) AS figure, c.sentence,
       a.canonical_url AS url, a.outlet, v.published_at, v.fetched_at,
       CASE WHEN v.version > 1 THEN coalesce(v.updated_at, v.fetched_at)
            ELSE coalesce(v.published_at, v.fetched_at) END AS reported_at,
       c.article_id AS story_id, CAST(NULL AS VARCHAR) AS event_id
FROM article_claims c
JOIN article_versions v USING (article_id, version)
JOIN articles a USING (article_id)
-- the newest extractor run of each version; older runs stay in article_claims
QUALIFY c.extracted_at = max(c.extracted_at) OVER (PARTITION BY c.article_id, c.version);

CREATE VIEW figure_history AS
WITH figures AS (
    SELECT event_id, claimant_kind, claimant_key, metric, subject, value, value_high, qualifier,
           arg_min(claimant, reported_at) AS claimant,
           min(fetched_at) AS first_seen_at, max(fetched_at) AS last_seen_at,
           min(reported_at) AS first_published_at,
           count(DISTINCT story_id) AS n_sources,
           arg_min(url, reported_at) AS article_url
    FROM claims
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

-- Per event, metric and subject: the latest figure of each kind of claimant, side by side.
CREATE VIEW figure_disputes AS
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
