-- Feeds, polls, entries, pages, versions. Every table is append-only except the small state
-- columns on feeds and entries (validators, last marker), which are overwritten by design.

CREATE TABLE feeds (
    feed_id        VARCHAR PRIMARY KEY,      -- url_id(url)
    url            VARCHAR NOT NULL,
    name           VARCHAR NOT NULL,
    outlet         VARCHAR NOT NULL,
    agency         VARCHAR,                  -- wire agency the feed is known to carry, if any
    added_at       TIMESTAMPTZ NOT NULL,
    etag           VARCHAR,                  -- newest validators seen
    last_modified  VARCHAR,
    last_polled_at TIMESTAMPTZ
);

CREATE TABLE feed_polls (
    run_id        VARCHAR NOT NULL,
    feed_id       VARCHAR NOT NULL,
    polled_at     TIMESTAMPTZ NOT NULL,
    http_status   INTEGER,
    outcome       VARCHAR NOT NULL,          -- ok | not_modified | http_error | timeout | parse_error | too_large | blocked
    reason        VARCHAR NOT NULL,
    entries_seen  INTEGER NOT NULL,
    entries_new   INTEGER NOT NULL,
    duration_ms   DOUBLE NOT NULL
);

CREATE TABLE entries (
    feed_id       VARCHAR NOT NULL,
    entry_key     VARCHAR NOT NULL,
    url           VARCHAR NOT NULL,          -- canonical link from the feed
    article_id    VARCHAR,                   -- set once a fetch succeeded
    marker        VARCHAR NOT NULL,          -- the feed's updated/published stamp last fetched
    state         VARCHAR NOT NULL,          -- ok | failed
    attempts      INTEGER NOT NULL,          -- failed fetches since the last success
    first_seen_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (feed_id, entry_key)
);

CREATE TABLE articles (
    article_id    VARCHAR PRIMARY KEY,       -- url_id(canonical_url)
    canonical_url VARCHAR NOT NULL,
    outlet        VARCHAR NOT NULL,
    feed_id       VARCHAR NOT NULL,          -- the feed it was first seen in
    first_seen_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE article_versions (
    article_id        VARCHAR NOT NULL,
    version           INTEGER NOT NULL,      -- 1, 2, ...: a new one only when the normalized text changes
    fetched_at        TIMESTAMPTZ NOT NULL,
    published_at      TIMESTAMPTZ,
    published_source  VARCHAR NOT NULL,      -- page | feed | none
    title             VARCHAR NOT NULL,
    author            VARCHAR NOT NULL,
    site_name         VARCHAR NOT NULL,
    language          VARCHAR NOT NULL,
    text              VARCHAR NOT NULL,      -- normalized extracted text
    content_hash      VARCHAR NOT NULL,      -- sha256 of text
    extractor         VARCHAR NOT NULL,
    extractor_version VARCHAR NOT NULL,
    final_url         VARCHAR NOT NULL,
    raw_html_z        BLOB NOT NULL,         -- zlib-compressed response body, for re-extraction
    PRIMARY KEY (article_id, version)
);

CREATE TABLE fetches (
    run_id        VARCHAR NOT NULL,
    feed_id       VARCHAR NOT NULL,
    entry_key     VARCHAR NOT NULL,
    url           VARCHAR NOT NULL,
    final_url     VARCHAR NOT NULL,
    article_id    VARCHAR,                   -- of the final URL; NULL when nothing was fetched
    fetched_at    TIMESTAMPTZ NOT NULL,
    http_status   INTEGER,
    outcome       VARCHAR NOT NULL,          -- ok | http_error | timeout | too_large | blocked | not_html | extract_failed
    reason        VARCHAR NOT NULL,
    bytes         INTEGER NOT NULL,
    duration_ms   DOUBLE NOT NULL,
    version_added INTEGER                    -- the version this fetch created, if any
);
