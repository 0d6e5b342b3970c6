-- The cycle reads the stored entries of what the feeds list now, and of the due ones' pages,
-- by key: before, it loaded every entry each listing feed had ever had (a feed's whole
-- history, each poll) and scanned every row of `entries` to find them (records.load_entries).
CREATE INDEX entries_url ON entries (url);
CREATE INDEX entries_key ON entries (entry_key);
