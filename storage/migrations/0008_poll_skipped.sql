-- Entries a feed listed but the pipeline did not keep (no link, an unusable link, a key the
-- feed repeats), counted on the poll row by fixed reason, so nothing is dropped silently.
-- duckdb 1.5 cannot add a column with a constraint in one statement: add, then SET NOT NULL.

ALTER TABLE feed_polls ADD COLUMN entries_skipped INTEGER DEFAULT 0;
ALTER TABLE feed_polls ALTER COLUMN entries_skipped SET NOT NULL;
ALTER TABLE feed_polls ADD COLUMN skipped_reasons VARCHAR DEFAULT '{}';  -- JSON {reason: count}
ALTER TABLE feed_polls ALTER COLUMN skipped_reasons SET NOT NULL;
