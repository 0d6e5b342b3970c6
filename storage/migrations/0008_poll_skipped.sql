-- Entries a feed listed but the pipeline did not keep (no link, an unusable link, a key the
-- feed repeats), counted on the poll row by fixed reason, so nothing is dropped silently.

ALTER TABLE feed_polls ADD COLUMN entries_skipped INTEGER NOT NULL DEFAULT 0;
ALTER TABLE feed_polls ADD COLUMN skipped_reasons VARCHAR NOT NULL DEFAULT '{}';  -- JSON {reason: count}
