"""The sequencer flow: the staged batches (`flows/fetch_extract.py`) written into the
sequencer's DuckDB file, which assigns versions, stories, events and claims, then published
to the lake with the applied batches in ONE lake transaction. Exactly one may run: its
deployment has `concurrency_limit: 1` on a work pool of its own (`wirewatch-sequencer`, one
worker on the machine that holds the file), and the file's run lock stops a second one.

Inputs: the DuckDB path and the feeds file (the sequencer registers the feeds), `max_batches`
(staged batches read per run, 50: a batch holds up to `feed_batch_size` feeds' pages, all in
memory at once; the rest wait for the next run).
Output: counts (batches and generations applied, articles and versions added).
Settings used: `WIREWATCH_LAKE` (required), `WIREWATCH_LAKE_DATA_PATH`, the DB and feeds file,
the grouping and polling settings.

Rerun-safe: each generation of batches is written in one local transaction together with its
rows in `staging_applied`; a run killed anywhere leaves whole generations, published by the
next run's publication if not by its own, and a batch already applied is never read again.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from typing import Any

import duckdb
from prefect import flow, get_run_logger

from flows.ingest import feed_rows
from storage import records, staging
from storage.db import run_lock
from storage.lake import LakeError, LakeTarget
from wirewatch.ingest.clock import Clock, cycle_clock
from wirewatch.ingest.writer import apply_batch
from wirewatch.sequence.grouping import Grouping, grouping_params
from wirewatch.settings import Settings, open_db


def _apply(settings: Settings, target: LakeTarget, clock: Clock, limit: int) -> Counter[str]:
    totals: Counter[str] = Counter()
    grouping = Grouping(grouping_params(settings))
    with open_db(settings) as con:  # closing it publishes all of it: one lake transaction
        records.sync_feeds(con, feed_rows(settings, clock.now()))
        waiting = staging.pending(target, staging.applied_ids(con), limit)
        for generation in staging.generations(waiting):
            batch, hashes = staging.merge(generation)
            result = apply_batch(
                con, batch, grouping.with_hashes(hashes), settings, _marker(generation)
            )
            totals["generations"] += 1
            totals["batches_applied"] += len(generation)
            totals["articles_added"] += result.articles_added
            totals["versions_added"] += result.versions_added
    return totals


def _marker(
    generation: list[staging.StagedBatch],
) -> Callable[[duckdb.DuckDBPyConnection], None]:
    """What `write_batch` runs before its commit: the generation recorded as applied."""

    def mark(con: duckdb.DuckDBPyConnection) -> None:
        staging.mark_applied(con, generation)

    return mark


@flow(name="sequence")
async def sequence(
    db_path: str | None = None, feeds_file: str | None = None, max_batches: int = 50
) -> dict[str, int]:
    """Write the staged batches past the applied ones, in order; publish them to the lake."""
    overrides: dict[str, Any] = {"db_path": db_path, "feeds_file": feeds_file}
    settings = Settings(**{k: v for k, v in overrides.items() if v not in (None, "")})
    target = settings.lake_target()
    if target is None:
        raise LakeError("lake_required: the sequencer publishes to a lake; set WIREWATCH_LAKE")
    clock = cycle_clock(settings)
    with run_lock(settings.db_path):  # a second sequencer on this file exits with a message
        totals = await asyncio.to_thread(_apply, settings, target, clock, max_batches)
    get_run_logger().info("sequenced: %s", dict(sorted(totals.items())))
    return dict(totals)
