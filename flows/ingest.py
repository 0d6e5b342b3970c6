"""The ingest flow: one cycle of poll -> fetch -> extract -> store.

Inputs: the feeds file and the DuckDB path (flow parameters override `WIREWATCH_*` settings).
Output: counts for the cycle (feeds polled, polls by outcome, fetches, articles and versions added).
Settings used: everything in `wirewatch.settings.Settings` (timeouts, limits, workers, batch size).

Tasks are coarse on purpose (a Prefect task costs milliseconds, and a sync one a TLS context
for its API client): one to sync the feed list, one per batch of feeds (poll, plan, fetch,
extract, write), one to report; all async, never one per article. A batch is written in groups
of whole feeds (`page_batch_size` pages), each group in one DuckDB transaction with its feeds'
polls and validators, while the batch's later pages are still being extracted; a run killed
mid-way leaves whole groups only, and the next run polls the other feeds again.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, Literal

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run
from prefect.states import Failed
from prefect.utilities.annotations import quote

from extractors.pages import Article, Rejected
from extractors.process import warm_up
from extractors.urls import url_id
from storage import health as health_reads
from storage import records
from storage.db import run_lock
from wirewatch.extract import pool as warm_pool
from wirewatch.extract.workers import WorkerPool
from wirewatch.feedlist import load_feeds
from wirewatch.fetch import polling
from wirewatch.ingest import archive, cycle, heap, notify, plan
from wirewatch.ingest.clock import Clock, cycle_clock
from wirewatch.ingest.writer import Writer
from wirewatch.sequence.grouping import Grouping, grouping_params
from wirewatch.settings import Settings, open_db


def feed_rows(settings: Settings, now: datetime) -> list[records.FeedRow]:
    """The feeds file's feeds as rows, in file order (`now`: when a new one is added)."""
    return [
        records.FeedRow(
            url_id(s.url), s.url, s.name, s.outlet, s.agency, now, s.robots, s.min_delay_s
        )
        for s in load_feeds(settings.feeds_file)
    ]


@task(cache_policy=NO_CACHE)
async def sync_feed_list(settings: Settings, clock: Clock) -> list[records.FeedState]:
    """Register the feeds file's feeds in the DB; return the state of those to poll now (all,
    unless `poll_due_only`), in file order."""
    now = clock.now()
    rows = feed_rows(settings, now)
    with open_db(settings) as con:
        records.sync_feeds(con, rows)
        due = polling.select_due(con, [row.feed_id for row in rows], settings, now)
        states = {state.feed_id: state for state in records.load_feed_states(con, due)}
    return [states[feed_id] for feed_id in due if feed_id in states]


@task(cache_policy=NO_CACHE, retries=0)
async def ingest_batch(
    index: int,
    feeds: list[records.FeedState],
    settings: Settings,
    run_id: str,
    pool: WorkerPool | None,
    writer: Writer,
    clock: Clock,
    cycle_pages: set[str],
) -> dict[str, int]:
    """Poll a batch of feeds, fetch and extract their new pages, write them in groups of
    whole feeds (`page_batch_size` pages each) as each group's pages are done. `cycle_pages`: the
    pages the cycle's batches fetch, shared by them, so a page listed in two batches' feeds is
    revisited once a cycle."""
    totals: Counter[str] = Counter()
    async with writer.batch(index):
        polled = await cycle.poll_feeds(feeds, settings, run_id, clock)
        known = await asyncio.to_thread(_known_entries, settings, polled, clock)
        polled, jobs = cycle.plan_fetches(polled, known, settings, clock, frozenset(cycle_pages))
        cycle_pages.update(job.entry.url for job in jobs)
        groups = cycle.write_groups(polled, jobs, settings.page_batch_size)
        async with cycle.page_fetcher(settings, pool, clock) as fetch_group:
            fetching = [asyncio.ensure_future(fetch_group(g.jobs)) for g in groups]
            try:
                for group, pages in zip(groups, fetching, strict=True):
                    done = await pages
                    log = get_run_logger()
                    result = await writer.write(index, group.polled, done, log)
                    _tally(totals, group.polled, done, result)
                    if result is not None:
                        _warn_failed_pages(done, log)
            finally:
                for pages in fetching:  # a failed write: stop fetching what will not be written
                    pages.cancel()
    return dict(totals)


def _known_entries(
    settings: Settings, polled: list[cycle.Polled], clock: Clock
) -> dict[tuple[str, str], records.EntryRow]:
    with open_db(settings) as con:
        return cycle.known_entries(con, polled, settings, clock)


@task(cache_policy=NO_CACHE)
async def report(
    settings: Settings, run_id: str, clock: Clock, totals: dict[str, int]
) -> str | None:
    """Apply the archive's retention, log the cycle, publish its artifacts and events; return
    why the cycle failed as a whole, if it did."""
    archive.expire_archive(settings)  # WARC files older than `warc_retention_days`
    with open_db(settings, read_only=True) as con:
        polls = health_reads.run_polls(con, run_id)
        changes = health_reads.figure_changes(con, clock.start)
        backfill = health_reads.is_first_cycle(con, clock.start)
    elapsed = (clock.now() - clock.start).total_seconds()
    run_report = notify.RunReport(polls, changes, totals, elapsed, backfill)
    notify.log_report(run_report, get_run_logger())
    await notify.publish(run_report)
    return notify.cycle_failure(run_report)


@contextmanager
def extraction_pool(workers: int, keep_warm: bool = False) -> Iterator[WorkerPool | None]:
    """Worker processes for trafilatura, forked from a fork server that has imported it once
    (plain fork of a threaded Prefect process is unsafe; spawn re-imports it in every worker).
    With `keep_warm` (the warm daemon) they outlive the run, for the next one."""
    if workers == 0:
        yield None
        return
    if keep_warm:
        yield warm_pool.shared_pool(workers)
        return
    with WorkerPool(workers, warm_up) as pool:  # warming up while the feeds are being polled
        yield pool


def _tally(
    totals: Counter[str],
    polled: list[cycle.Polled],
    done: list[cycle.Done],
    result: records.BatchResult | None,
) -> None:
    if result is None:
        totals["batches_deferred"] += 1
        return
    fetched = [d for d in done if not d.deferred]
    totals["feeds_polled"] += len(polled)
    totals.update(f"polls_{p.poll.outcome}" for p in polled)
    totals["entries_new"] += sum(p.poll.entries_new for p in polled)
    totals["fetches"] += len(fetched)
    failed = [reason for reason in map(_failure, fetched) if reason is not None]
    totals["fetches_failed"] += len(failed)
    totals.update(f"fetches_failed_{reason}" for reason in failed)
    totals["pages_pending"] += sum(len(p.pending) for p in polled) + len(done) - len(fetched)
    totals["revisits"] += sum(d.job.purpose is plan.Purpose.REVISIT for d in fetched)
    totals["revisits_changed"] += result.revisits_changed
    totals["articles_added"] += result.articles_added
    totals["versions_added"] += result.versions_added


def _failure(done: cycle.Done) -> str | None:
    """Why a page fetch gave no article (a failed fetch, or a page that is no article), or
    None for an article or a 304."""
    if isinstance(done.result, Article) or done.not_modified:
        return None
    return done.result.reason if isinstance(done.result, Rejected) else done.response.reason


def _warn_failed_pages(done: list[cycle.Done], log: logging.Logger | Any) -> None:
    """One WARNING per feed whose pages failed, with the count of each reason."""
    by_feed: dict[str, Counter[str]] = {}
    for item in done:
        reason = None if item.deferred else _failure(item)
        if reason is not None:
            by_feed.setdefault(item.job.feed.name, Counter())[reason] += 1
    for feed, reasons in by_feed.items():
        counts = ", ".join(f"{reason}={n}" for reason, n in sorted(reasons.items()))
        log.warning("feed %s: %d page fetches failed (%s)", feed, reasons.total(), counts)


async def _run_batches(
    chunks: list[list[records.FeedState]],
    settings: Settings,
    run_id: str,
    pool: WorkerPool | None,
    writer: Writer,
    clock: Clock,
) -> Counter[str]:
    """Keep the extraction workers busy across batch boundaries: two batches run at a time,
    so batch k+1 is polled and fetched while batch k is still extracting and writing (the
    writer keeps the writes in batch order)."""
    ahead = asyncio.Semaphore(2)
    cycle_pages: set[str] = set()  # fetched by the cycle's batches so far (`ingest_batch`)

    async def one(index: int, feeds: list[records.FeedState]) -> dict[str, int]:
        async with ahead:
            # quote(): Prefect need not walk these inputs looking for futures
            result: dict[str, int] = await ingest_batch(  # type: ignore[call-overload]
                index,
                quote(feeds),
                settings,
                run_id,
                quote(pool),
                quote(writer),
                clock,
                quote(cycle_pages),
            )  # (the task's typed signature does not know that quote() is unwrapped)
            return result

    totals: Counter[str] = Counter()
    for result in await asyncio.gather(*(one(i, chunk) for i, chunk in enumerate(chunks))):
        totals.update(result)  # update, not +: a count of 0 stays in the totals
    return totals


def _run_name() -> str:
    return f"ingest-{datetime.now(UTC):%Y%m%d-%H%M%S}"


#: The `poll` parameter: "all" polls every feed (runs started by hand), "due" only the feeds
#: adaptive polling says are due (the schedule of `serve` passes it); None: `poll_due_only`.
Poll = Literal["all", "due"]


@flow(name="ingest", flow_run_name=_run_name)
async def ingest(
    feeds_file: str | None = None,
    db_path: str | None = None,
    poll: Poll | None = None,
    now: str | None = None,
) -> dict[str, int]:
    """Poll every feed once (`poll="all"`, the default for a run started by hand) or only the
    due ones (`poll="due"`, the schedule's runs), fetch new and updated articles, store new
    versions; log the cycle and publish its artifacts and events. `now` (ISO 8601, like
    `WIREWATCH_NOW`) runs the cycle as of that time, for replays."""
    overrides: dict[str, Any] = {"feeds_file": feeds_file, "db_path": db_path, "now": now}
    if poll is not None:
        overrides["poll_due_only"] = poll == "due"
    settings = Settings(**{k: v for k, v in overrides.items() if v not in (None, "")})
    run_id = flow_run.get_id() or str(uuid.uuid4())
    clock = cycle_clock(settings)
    heap.freeze_started_heap()
    with run_lock(settings.db_path):  # one run at a time: a second one exits with a message
        totals = await _cycle(settings, run_id, clock)
        failure = await report(settings, run_id, clock, dict(totals))
    if failure:  # a Failed run, with the counts and reasons as its message (no traceback)
        return Failed(message=failure, data=dict(totals))  # type: ignore[return-value]
    return dict(totals)


async def _cycle(settings: Settings, run_id: str, clock: Clock) -> Counter[str]:
    feeds = await sync_feed_list(settings, clock)
    grouping = Grouping(grouping_params(settings))  # its indexes live in the database
    writer = Writer(settings, run_id, grouping)
    with extraction_pool(settings.extract_workers, settings.keep_warm) as pool:
        size = settings.feed_batch_size
        chunks = [feeds[i : i + size] for i in range(0, len(feeds), size)]
        return await _run_batches(chunks, settings, run_id, pool, writer, clock)
