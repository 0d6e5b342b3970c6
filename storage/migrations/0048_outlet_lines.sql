-- An outlet's recent pages, as the line fingerprints of their prose (extractors/events.py
-- `line_prints`): a line found on several of them is the outlet's chrome, left out of the event
-- features of the stories its pages found. Only the last OUTLET_PAGES pages of each outlet are
-- kept (`seq` counts the outlet's pages), so the table grows with outlets, not articles.
CREATE TABLE outlet_pages (
    outlet VARCHAR NOT NULL,
    seq BIGINT NOT NULL,
    article_id VARCHAR NOT NULL,
    lines BIGINT[] NOT NULL,
    PRIMARY KEY (outlet, seq)
);
