-- The copy lookup (storage/grouping_index.py story_candidates) finds the stories sharing a
-- batch's anchors. Without an index it read every anchor row inside the story window (33M rows
-- at 1M versions with the default 900-day window), so a 1-new-article cycle grew with the
-- history. With this ART index DuckDB fetches only the rows of the batch's anchors (an index
-- scan while they are few; a large batch still scans, once for all its pages).
CREATE INDEX IF NOT EXISTS story_anchors_anchor ON story_anchors (anchor);
