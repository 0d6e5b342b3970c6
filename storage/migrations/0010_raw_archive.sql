-- Raw HTML moves out of the hot table into WARC files (issue 9.3). A version written with an
-- archive has its response record at (warc_file, warc_offset, warc_length) and an empty
-- raw_html_z; older versions keep raw_html_z and NULL pointers. Expiry is per file: the rows
-- keep their pointers, and warc_files says the file is gone (one row changed, not millions).

ALTER TABLE article_versions ADD COLUMN warc_file VARCHAR;     -- name inside the archive folder
ALTER TABLE article_versions ADD COLUMN warc_offset BIGINT;    -- of the record's gzip member
ALTER TABLE article_versions ADD COLUMN warc_length BIGINT;

CREATE TABLE warc_files (
    warc_file  VARCHAR PRIMARY KEY,
    created_at TIMESTAMPTZ NOT NULL,
    expired_at TIMESTAMPTZ                 -- deleted by retention; pointers into it stay
);
