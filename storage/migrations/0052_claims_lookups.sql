-- Lookups by key for the cycle's reads of recent claims. With smaller row groups
-- (storage/db.py) a checkpoint no longer rewrites much of an indexed table, so these indexes
-- cost a write little (they were left out in 0047 when checkpoints seemed to rewrite whole
-- indexes):
-- `version_stories.article_id` for `claims_keyed` (0047), and for `claims_of_events` (0051) the
-- events' stories, their versions and every extraction of their claims.
CREATE INDEX version_stories_article ON version_stories (article_id);
CREATE INDEX version_stories_story ON version_stories (story_id);
CREATE INDEX story_events_event ON story_events (event_id);
CREATE INDEX article_claims_article ON article_claims (article_id);
