"""The ingest flow: one cycle of poll -> fetch -> extract -> store.

Inputs: the feeds file and the DuckDB path (flow parameters override `WIREWATCH_*` settings).
Output: counts for the cycle (feeds polled, polls by outcome, fetches, articles and versions added).
Settings used: everything in `wirewatch.settings.Settings` (timeouts, limits, workers, batch size).

Tasks are coarse on purpose (a Prefect task costs milliseconds): one per step per batch of feeds,
never one per article. Each batch is written in one DuckDB transaction, so a run killed mid-way
leaves whole batches only, and the next run redoes the rest.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import uuid
from collections import Counter, deque
from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.futures import PrefectFuture
from prefect.runtime import flow_run
from prefect.utilities.annotations import quote

from extractors.process import warm_up
from extractors.urls import url_id
from storage import health as health_reads
from storage import records
from storage.db import DatabaseLocked, run_lock
from wirewatch import archive, cycle, health, notify, warm
from wirewatch.feedlist import load_feeds
from wirewatch.grouping import Grouping, grouping_params
from wirewatch.settings import Settings, open_db


@task(cache_policy=NO_CACHE)
def sync_feed_list(settings: Settings) -> list[str]:
    """Register the feeds file's feeds in the DB; return the ids of those to poll now (all,
    unless `poll_due_only`), in file order."""
    now = datetime.now(UTC)
    rows = [
        records.FeedRow(
            url_id(s.url), s.url, s.name, s.outlet, s.agency, now, s.robots, s.min_delay_s
        )
        for s in load_feeds(settings.feeds_file)
    ]
    with open_db(settings) as con:
        records.sync_feeds(con, rows)
        return health.select_due(con, [row.feed_id for row in rows], settings, now)


@task(cache_policy=NO_CACHE, retries=0)
async def poll(feed_ids: list[str], settings: Settings, run_id: str) -> list[cycle.Polled]:
    with open_db(settings) as con:
        states = records.load_feed_states(con, feed_ids)
    return await cycle.poll_feeds(states, settings, run_id)


@task(cache_policy=NO_CACHE)
def plan(
    polled: list[cycle.Polled], settings: Settings
) -> tuple[list[cycle.Polled], list[cycle.Job]]:
    with open_db(settings) as con:
        known = records.load_entries(con, [p.feed.feed_id for p in polled])
    return cycle.plan_fetches(polled, known, settings)


@task(cache_policy=NO_CACHE)
async def fetch_and_extract(
    jobs: list[cycle.Job], settings: Settings, pool: Executor | None
) -> list[cycle.Done]:
    return await cycle.fetch_and_extract(jobs, settings, pool)


@task(cache_policy=NO_CACHE)
def store(
    polled: list[cycle.Polled],
    done: list[cycle.Done],
    settings: Settings,
    run_id: str,
    grouping: Grouping,
) -> records.BatchResult | None:
    """Write one batch; None when readers held the file past `db_write_wait_s` (the batch is
    left to the next cycle, which finds its entries still new)."""
    batch = cycle.assemble_batch(polled, done, run_id)
    try:
        with open_db(settings) as con:
            result = records.write_batch(
                con, batch, group=grouping, archive=archive.raw_archive(settings)
            )
            health.schedule_polls(con, batch.polls, settings)  # lost with a crash: polled again
            return result
    except DatabaseLocked as exc:
        get_run_logger().warning("batch deferred to the next cycle: %s", exc)
        return None


@task(cache_policy=NO_CACHE)
def expire_archive(settings: Settings) -> list[str]:
    """Retention: delete WARC files older than `warc_retention_days` (rows keep pointers)."""
    return archive.expire_archive(settings)


@task(cache_policy=NO_CACHE)
async def report(
    settings: Settings, run_id: str, started: datetime, totals: dict[str, int]
) -> None:
    """Log the cycle, publish its artifacts and figure-change events."""
    with open_db(settings, read_only=True) as con:
        polls = health_reads.run_polls(con, run_id)
        changes = health_reads.figure_changes(con, started)
    elapsed = (datetime.now(UTC) - started).total_seconds()
    run_report = notify.RunReport(polls, changes, totals, elapsed)
    notify.log_report(run_report, get_run_logger())
    await notify.publish(run_report)


@contextmanager
def extraction_pool(workers: int, keep_warm: bool = False) -> Iterator[Executor | None]:
    """Worker processes for trafilatura, forked from a fork server that has imported it once
    (plain fork of a threaded Prefect process is unsafe; spawn re-imports it in every worker).
    With `keep_warm` (the warm daemon) they outlive the run, for the next one."""
    if workers == 0:
        yield None
        return
    if keep_warm:
        yield warm.shared_pool(workers)
        return
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["extractors.process"])
    pool = ProcessPoolExecutor(workers, mp_context=context)
    try:
        for _ in range(workers):  # start the workers now, while the feeds are being polled
            pool.submit(warm_up)
        yield pool
    finally:
        pool.shutdown(cancel_futures=True)


def _tally(
    totals: Counter[str],
    polled: list[cycle.Polled],
    done: list[cycle.Done],
    result: records.BatchResult | None,
) -> None:
    if result is None:
        totals["batches_deferred"] += 1
        return
    totals["feeds_polled"] += len(polled)
    totals.update(f"polls_{p.poll.outcome}" for p in polled)
    totals["entries_new"] += sum(p.poll.entries_new for p in polled)
    totals["fetches"] += len(done)
    totals["articles_added"] += result.articles_added
    totals["versions_added"] += result.versions_added


async def _fetch_batch(
    feed_ids: list[str], settings: Settings, run_id: str, pool: Executor | None
) -> tuple[list[cycle.Polled], list[cycle.Done]]:
    polled = await poll(feed_ids, settings, run_id)
    polled, jobs = plan(polled, settings)
    return polled, await fetch_and_extract(jobs, settings, pool)


async def _run_batches(
    chunks: list[list[str]],
    settings: Settings,
    run_id: str,
    pool: Executor | None,
    totals: Counter[str],
    grouping: Grouping,
) -> None:
    """Keep the extraction workers busy across batch boundaries: batch k+1 is polled and
    fetched while batch k is still extracting, and batch k is written (one writer at a time,
    in order) while batch k+1 is processed."""
    if not chunks:  # an empty feeds file: nothing to poll
        return
    ahead: deque[asyncio.Task[tuple[list[cycle.Polled], list[cycle.Done]]]] = deque()
    writing: tuple[list[cycle.Polled], list[cycle.Done], PrefectFuture[Any]] | None = None
    for index in range(len(chunks) + 1):
        if index < len(chunks):
            ahead.append(asyncio.create_task(_fetch_batch(chunks[index], settings, run_id, pool)))
        if len(ahead) < 2 and index < len(chunks):
            continue
        polled, done = await ahead.popleft()
        if writing:
            _tally(totals, writing[0], writing[1], writing[2].result())
        # quote(): Prefect need not walk these large inputs looking for futures
        future = store.submit(quote(polled), quote(done), settings, run_id, quote(grouping))
        writing = (polled, done, future)
    if writing:
        _tally(totals, writing[0], writing[1], writing[2].result())


def _run_name() -> str:
    return f"ingest-{datetime.now(UTC):%Y%m%d-%H%M%S}"


@flow(name="ingest", flow_run_name=_run_name)
async def ingest(feeds_file: str | None = None, db_path: str | None = None) -> dict[str, int]:
    """Poll every feed once (or only the due ones, with `poll_due_only`), fetch new and updated
    articles, store new versions; log the cycle and publish its artifacts and events."""
    overrides = {"feeds_file": feeds_file, "db_path": db_path}
    settings = Settings(**{k: v for k, v in overrides.items() if v})
    run_id = flow_run.get_id() or str(uuid.uuid4())
    started = datetime.now(UTC)
    with run_lock(settings.db_path):  # one run at a time: a second one exits with a message
        totals = await _cycle(settings, run_id)
        await report(settings, run_id, started, dict(totals))
    return dict(totals)


async def _cycle(settings: Settings, run_id: str) -> Counter[str]:
    feed_ids = sync_feed_list(settings)
    grouping = Grouping(grouping_params(settings))  # its indexes live in the database
    totals: Counter[str] = Counter()
    with extraction_pool(settings.extract_workers, settings.keep_warm) as pool:
        size = settings.feed_batch_size
        chunks = [feed_ids[i : i + size] for i in range(0, len(feed_ids), size)]
        await _run_batches(chunks, settings, run_id, pool, totals, grouping)
    expire_archive(settings)
    return totals
