-- Views users query.

CREATE VIEW latest_versions AS
SELECT v.*, a.canonical_url, a.outlet, a.feed_id
FROM article_versions v
JOIN articles a USING (article_id)
QUALIFY row_number() OVER (PARTITION BY v.article_id ORDER BY v.version DESC) = 1;

CREATE VIEW poll_errors AS
SELECT p.polled_at, f.name AS feed, f.url, p.http_status, p.outcome, p.reason
FROM feed_polls p JOIN feeds f USING (feed_id)
WHERE p.outcome NOT IN ('ok', 'not_modified');

CREATE VIEW fetch_errors AS
SELECT x.fetched_at, f.name AS feed, x.url, x.http_status, x.outcome, x.reason
FROM fetches x JOIN feeds f USING (feed_id)
WHERE x.outcome <> 'ok';
