-- What the claim budget (extractors/claim_budget.py) left unread on this fetch's page: its fixed
-- reasons joined with ',' (text_over_budget, sentence_split, time_over_budget); NULL when the
-- whole text was read or no article was extracted. The fetch's outcome stays `ok`: the page
-- and its other rows are stored as usual.

ALTER TABLE fetches ADD COLUMN claims_budget VARCHAR;

-- Politeness opt-outs per feed, from the feeds file (`robots: false`, `min_delay_s: 0`); NULL
-- means the global setting (respect_robots, min_host_delay_s). Applies to the feed's poll and
-- to the fetches of its entries' pages.
ALTER TABLE feeds ADD COLUMN robots BOOLEAN;
ALTER TABLE feeds ADD COLUMN min_delay_s DOUBLE;
