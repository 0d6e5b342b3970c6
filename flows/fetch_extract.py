"""The fetch-and-extract flow: one shard of the feeds polled, fetched and extracted, the
results staged in the lake for the sequencer (`flows/sequence.py`). Any number of workers on
any number of machines run it from a process work pool (`prefect.yaml`: `wirewatch-workers`).

Inputs: `shard` and `shards` (a feed is this run's when `staging.shard_of(url, shards) ==
shard`: by host, so a host's politeness delays hold across workers), the feeds file, `poll`
("all" or "due", as the ingest flow), `now` (as `WIREWATCH_NOW`).
Output: counts (feeds polled, pages fetched, batches and rows staged).
Settings used: `WIREWATCH_LAKE` (required) and `WIREWATCH_LAKE_DATA_PATH`, the feeds file, and
everything fetching and extraction use (timeouts, limits, `extract_workers`, `feed_batch_size`).

Feed state (validators, entries seen, the schedule) is read from the lake's mirror of the
sequencer's tables: until the sequencer has applied a staged batch, a later run polls with the
older validators and fetches that batch's new pages again (more requests and fetch rows, never
another version: the sequencer stores a version only when the text changes).
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Sequence
from typing import Any

from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run
from prefect.utilities.annotations import quote

from flows.ingest import Poll, extraction_pool, feed_rows
from storage import records, staging
from storage.lake import LakeError, LakeTarget
from wirewatch.extract.workers import WorkerPool
from wirewatch.fetch import polling
from wirewatch.ingest import cycle
from wirewatch.ingest.clock import Clock, cycle_clock
from wirewatch.settings import Settings


def _my_feeds(
    settings: Settings, target: LakeTarget, shard: int, shards: int, clock: Clock
) -> list[records.FeedState]:
    """This shard's feeds in file order, with the state the lake holds for them (none for a
    feed the sequencer has not registered yet); only the due ones with `poll_due_only`."""
    mine = [r for r in feed_rows(settings, clock.now()) if staging.shard_of(r.url, shards) == shard]
    ids = [r.feed_id for r in mine]
    with staging.lake_state(target) as con:
        stored = {s.feed_id: s for s in records.load_feed_states(con, ids)} if con else {}
        due = set(polling.select_due(con, ids, settings, clock.now()) if con else ids)
    fresh = {
        r.feed_id: records.FeedState(
            r.feed_id, r.url, r.name, r.outlet, "", "", r.robots, r.min_delay_s
        )
        for r in mine
    }
    return [stored.get(i, fresh[i]) for i in ids if i in due]


def _known(target: LakeTarget, settings: Settings, clock: Clock) -> cycle.KnownEntries:
    def known(polled: Sequence[cycle.Polled]) -> dict[tuple[str, str], records.EntryRow]:
        with staging.lake_state(target) as con:
            return cycle.known_entries(con, polled, settings, clock) if con else {}

    return known


@task(cache_policy=NO_CACHE, retries=0)
async def stage_batch(
    chunk: int,
    feeds: list[records.FeedState],
    shard: int,
    settings: Settings,
    run_id: str,
    pool: WorkerPool | None,
    clock: Clock,
) -> dict[str, int]:
    """Poll, fetch and extract a batch of feeds; append the result to the lake in one commit."""
    target = _target(settings)
    staged = await cycle.stage_feeds(
        feeds, _known(target, settings, clock), settings, run_id, pool, clock
    )
    batch_id = f"{run_id}:{chunk}:{uuid.uuid4().hex[:12]}"  # a retried run stages anew
    rows = staging.stage(
        target,
        staging.StagedBatch(batch_id, shard, clock.start, chunk, staged.batch, {**staged.hashes}),
    )
    return {
        "feeds_polled": len(staged.batch.polls),
        "fetches": len(staged.batch.fetches),
        "pages_staged": len(staged.batch.pages),
        "rows_staged": rows,
        "batches_staged": 1,
    }


def _target(settings: Settings) -> LakeTarget:
    target = settings.lake_target()
    if target is None:
        raise LakeError("lake_required: set WIREWATCH_LAKE to stage pages for a sequencer")
    return target


@flow(name="fetch-extract")
async def fetch_extract(
    shard: int = 0,
    shards: int = 1,
    feeds_file: str | None = None,
    poll: Poll | None = None,
    now: str | None = None,
) -> dict[str, int]:
    """Poll this shard's feeds, fetch and extract their new pages, stage them in the lake."""
    overrides: dict[str, Any] = {"feeds_file": feeds_file, "now": now}
    if poll is not None:
        overrides["poll_due_only"] = poll == "due"
    settings = Settings(**{k: v for k, v in overrides.items() if v not in (None, "")})
    target = _target(settings)
    if not 0 <= shard < shards:
        raise ValueError(f"shard_out_of_range: shard {shard} of {shards}")
    run_id = flow_run.get_id() or str(uuid.uuid4())
    clock = cycle_clock(settings)
    feeds = _my_feeds(settings, target, shard, shards, clock)
    totals: Counter[str] = Counter()
    with extraction_pool(settings.extract_workers) as pool:
        size = settings.feed_batch_size
        for chunk, start in enumerate(range(0, len(feeds), size)):
            result: dict[str, int] = await stage_batch(  # type: ignore[call-overload]
                chunk,
                quote(feeds[start : start + size]),
                shard,
                settings,
                run_id,
                quote(pool),
                clock,
            )
            totals.update(result)
    return dict(totals)
