-- What the feed said of each entry, kept whatever happens to its page (issue 17 item 5): its
-- title, summary and dates, so an unfetchable page (paywall, outage) keeps them, queryable.
-- And when the entry next needs a fetch (issue 17 items 4-5, issue 18 item 1), one column for
-- all three reasons: a `pending` entry the cycle's caps left for later (due at once), a
-- `failed` one waiting out its back-off (NULL once it used up max_fetch_attempts), an `ok`
-- one's next revisit (NULL past the revisit horizon). The page's validators make a revisit a
-- conditional GET; feed_hash (title, summary, content:encoded) refetches a page whose feed
-- text changed although its guid and dates did not.

ALTER TABLE entries ADD COLUMN title VARCHAR DEFAULT '';
ALTER TABLE entries ADD COLUMN summary VARCHAR DEFAULT '';
ALTER TABLE entries ADD COLUMN published_at TIMESTAMPTZ;
ALTER TABLE entries ADD COLUMN updated_at TIMESTAMPTZ;
ALTER TABLE entries ADD COLUMN feed_hash VARCHAR DEFAULT '';      -- '' when unknown (older rows)
ALTER TABLE entries ADD COLUMN etag VARCHAR DEFAULT '';           -- the page's validators
ALTER TABLE entries ADD COLUMN last_modified VARCHAR DEFAULT '';
ALTER TABLE entries ADD COLUMN last_fetched_at TIMESTAMPTZ;
ALTER TABLE entries ADD COLUMN due_at TIMESTAMPTZ;                -- next fetch; NULL: none planned
ALTER TABLE entries ADD COLUMN last_reason VARCHAR DEFAULT '';    -- the last failed fetch's reason

-- Rows from before: failed entries with attempts left are retried next cycle; entries fetched
-- in the last week get revisits (the planner drops those past the configured horizon).
UPDATE entries SET due_at = current_timestamp WHERE state = 'failed' AND attempts < 3;
UPDATE entries SET due_at = first_seen_at
WHERE state = 'ok' AND first_seen_at >= current_timestamp - INTERVAL 7 DAY;

-- Why each page was fetched: new | update (the feed changed the entry) | retry | revisit.
ALTER TABLE fetches ADD COLUMN purpose VARCHAR;
