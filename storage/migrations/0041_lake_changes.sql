-- The changed-keys log (storage/changes.py): every write that updates, deletes or inserts rows of
-- a table updated in place records the keys it touches here, in its own transaction; a lake
-- publish sends only those keys and then deletes the entries it sent. A NULL key means the
-- whole table. seq orders nothing: it names the entries a publish sent, so it prunes those only.
CREATE SEQUENCE lake_changes_seq;
CREATE TABLE lake_changes (
    seq BIGINT NOT NULL DEFAULT nextval('lake_changes_seq'),
    table_name VARCHAR NOT NULL,
    key VARCHAR[]
);
