-- The staged batches (storage/staging.py) the sequencer has written: one row per batch, in the
-- same transaction as the batch's records, so a batch is applied once however often the
-- sequencer is killed and rerun. Published to the lake with the records (insert-only).
CREATE TABLE staging_applied (
    batch_id VARCHAR PRIMARY KEY,
    shard INTEGER NOT NULL,
    started_at TIMESTAMPTZ NOT NULL,
    applied_at TIMESTAMPTZ NOT NULL
);
