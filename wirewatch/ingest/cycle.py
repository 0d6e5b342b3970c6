"""The steps of one ingest cycle as plain functions; `flows/ingest.py` wraps them in tasks.

poll feeds -> plan which entries need a page fetch -> split the feeds into write groups ->
fetch and extract -> assemble one Batch per group.

The cycle has two halves that need not share a process: fetch and extract (everything up to
`assemble_batch`, `stage_feeds` in one call) and the write (`ingest/writer.py:apply_batch`).
A `Staged` batch is all that passes between them; `flows/fetch_extract.py` stages them in the
lake and `flows/sequence.py` writes them.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Collection, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime

import duckdb
import httpx

from extractors.claims import EXTRACTOR_VERSION as CLAIMS_VERSION
from extractors.claims import Claim
from extractors.feeds import FeedEntry, FeedParseError, ParsedFeed, parse_feed
from extractors.outcomes import Outcome
from extractors.pages import (
    EXTRACTOR_NAME,
    EXTRACTOR_VERSION,
    Article,
    Page,
    Rejected,
)
from extractors.process import Processed, process_page
from extractors.urls import canonicalize_url, url_id
from storage import records
from storage.records import Batch, ClaimRow, EntryRow, FeedState, FetchRow, PollRow, VersionRow
from wirewatch.extract.workers import WorkerPool
from wirewatch.fetch.net import (
    CYCLE_BUDGET,
    HostLimiter,
    Response,
    Validators,
    build_client,
    fetch,
)
from wirewatch.fetch.politeness import FeedPoliteness
from wirewatch.ingest import plan
from wirewatch.ingest.clock import Clock
from wirewatch.ingest.isolation import INTERNAL_ERROR, contain
from wirewatch.ingest.plan import Job
from wirewatch.settings import Settings


@dataclass(frozen=True, slots=True)
class Polled:
    feed: FeedState
    poll: PollRow
    entries: tuple[FeedEntry, ...]
    pending: tuple[EntryRow, ...] = ()  # entries the caps left for a later cycle (plan.py)
    # revisits dropped because their page is fetched under another entry (plan.twin_row)
    moved: tuple[EntryRow, ...] = ()


@dataclass(frozen=True, slots=True)
class Done:
    job: Job
    response: Response  # body dropped after extraction
    fetched_at: datetime
    processed: Processed | None = None  # None when the fetch itself failed

    @property
    def result(self) -> Article | Rejected | None:
        return self.processed.result if self.processed else None

    @property
    def article_id(self) -> str:
        """The id of the page we ended up on (redirects resolved, URL canonicalized)."""
        return url_id(canonicalize_url(self.response.final_url))

    @property
    def deferred(self) -> bool:
        """Not fetched: the cycle's time budget was spent before its turn."""
        return self.response.reason == CYCLE_BUDGET

    @property
    def not_modified(self) -> bool:
        """A 304 to a stored article's validators: the page is as stored."""
        return self.response.outcome is Outcome.NOT_MODIFIED and self.job.prior is not None


def _polite(feed: FeedState) -> FeedPoliteness:
    return FeedPoliteness(feed.robots, feed.min_delay_s)


def _clock(clock: Clock | None) -> Clock:
    return clock or Clock(datetime.now(UTC), time.monotonic())


def _poll_row(
    run_id: str,
    feed: FeedState,
    response: Response,
    outcome: Outcome,
    reason: str,
    parsed: ParsedFeed | None = None,
    clock: Clock | None = None,
) -> PollRow:
    seen = len(parsed.entries) if parsed else 0
    skipped = dict(parsed.skipped) if parsed else {}
    return PollRow(
        run_id,
        feed.feed_id,
        _clock(clock).now(),
        response.status,
        outcome.value,
        reason,
        seen,
        0,
        response.duration_ms,
        response.validators.etag,
        response.validators.last_modified,
        response.retry_after_s,
        sum(skipped.values()),
        json.dumps(skipped, sort_keys=True),
    )


def _parse(run_id: str, feed: FeedState, response: Response, clock: Clock | None = None) -> Polled:
    if response.outcome is not Outcome.OK:
        row = _poll_row(run_id, feed, response, response.outcome, response.reason, clock=clock)
        return Polled(feed, row, ())
    try:
        parsed: ParsedFeed = parse_feed(response.body, response.final_url, response.content_type)
    except FeedParseError as exc:
        row = _poll_row(run_id, feed, response, Outcome.PARSE_ERROR, exc.reason, clock=clock)
        return Polled(feed, row, ())
    row = _poll_row(run_id, feed, response, Outcome.OK, "ok", parsed, clock)
    return Polled(feed, row, parsed.entries)


async def _poll_one(
    client: httpx.AsyncClient,
    limiter: HostLimiter,
    feed: FeedState,
    settings: Settings,
    run_id: str,
    clock: Clock | None = None,
) -> Polled:
    try:
        validators = Validators(feed.etag, feed.last_modified)
        response = await fetch(client, limiter, feed.url, settings, validators, _polite(feed))
        return _parse(run_id, feed, response, clock)
    except Exception as exc:  # the isolation boundary: one feed never aborts the cycle
        reason = contain(exc, "polling", feed.url)
        failed = Response(feed.url, feed.url, INTERNAL_ERROR, reason)
        row = _poll_row(run_id, feed, failed, INTERNAL_ERROR, reason, clock=clock)
        return Polled(feed, row, ())


async def poll_feeds(
    feeds: Sequence[FeedState], settings: Settings, run_id: str, clock: Clock | None = None
) -> list[Polled]:
    """Conditional GET of every feed, concurrently, then parse each body."""
    limiter = HostLimiter(settings.per_host_concurrency, settings.total_concurrency)
    async with build_client(settings) as client:
        polls = (_poll_one(client, limiter, f, settings, run_id, clock) for f in feeds)
        return list(await asyncio.gather(*polls))


def plan_fetches(
    polled: Sequence[Polled],
    known: dict[tuple[str, str], EntryRow],
    settings: Settings,
    clock: Clock | None = None,
    elsewhere: Collection[str] = frozenset(),
) -> tuple[list[Polled], list[Job]]:
    """Pick the pages this cycle fetches (new, changed, retried, revisited: `plan.py`), under
    the caps; count new entries on each poll row and attach the entries left pending.
    `elsewhere`: the pages other batches of the cycle fetch, which this one does not revisit."""
    now = _clock(clock).now()
    offered, counted, stored = [], [], plan.by_feed(known)
    for item in polled:
        listed = list({entry.key: entry for entry in reversed(item.entries)}.values())[::-1]
        mine = stored.get(item.feed.feed_id, {})
        fresh = sum(entry.key not in mine for entry in listed)
        offered += plan.candidates(item.feed, listed, mine, now, settings)
        poll = _with_duplicates(item.poll, len(item.entries) - len(listed))
        counted.append(replace(item, poll=replace(poll, entries_new=fresh)))
    jobs, left = plan.choose([job for job in offered if not job.covered], settings)
    jobs, twins = plan.one_fetch_per_page(jobs + [job for job in offered if job.covered], elsewhere)
    waiting: dict[str, list[EntryRow]] = {}
    for job in left:
        row = plan.pending_row(job, now)
        if row is not None:
            waiting.setdefault(job.feed.feed_id, []).append(row)
    moved: dict[str, list[EntryRow]] = {}
    for job in twins:
        moved.setdefault(job.feed.feed_id, []).append(plan.twin_row(job, now, settings))
    return [
        replace(
            p,
            pending=tuple(waiting.get(p.feed.feed_id, ())),
            moved=tuple(moved.get(p.feed.feed_id, ())),
        )
        for p in counted
    ], jobs


def _with_duplicates(poll: PollRow, duplicates: int) -> PollRow:
    if not duplicates:
        return poll
    reasons = {**json.loads(poll.skipped_reasons), "duplicate_key": duplicates}
    return replace(
        poll,
        entries_skipped=poll.entries_skipped + duplicates,
        skipped_reasons=json.dumps(reasons, sort_keys=True),
    )


async def _fetch_one(
    client: httpx.AsyncClient,
    limiter: HostLimiter,
    job: Job,
    settings: Settings,
    pool: WorkerPool | None,
    clock: Clock | None = None,
) -> Done:
    try:
        return await _fetch_and_process(client, limiter, job, settings, pool, clock)
    except Exception as exc:  # the isolation boundary: one page never aborts the cycle
        reason = contain(exc, "fetching", job.entry.url)
        failed = Response(job.entry.url, job.entry.url, INTERNAL_ERROR, reason)
        return Done(job, failed, _clock(clock).now())


async def _fetch_and_process(
    client: httpx.AsyncClient,
    limiter: HostLimiter,
    job: Job,
    settings: Settings,
    pool: WorkerPool | None,
    clock: Clock | None = None,
) -> Done:
    prior = job.prior
    validators = Validators(prior.etag, prior.last_modified) if prior else Validators()
    budget = settings.cycle_budget_s
    deadline = clock.started + budget if clock and budget else None
    url, polite = job.entry.url, _polite(job.feed)
    response = await fetch(client, limiter, url, settings, validators, polite, deadline)
    fetched_at = _clock(clock).now()
    if response.outcome is not Outcome.OK:
        return Done(job, response, fetched_at)
    page = Page(response.final_url, response.content_type, response.body, job.entry.published_at)
    archive_at = fetched_at if settings.archive_raw_html else None
    if pool is None:
        processed = process_page(page, settings.extract_fast, archive_at)
    else:
        processed = await pool.run(process_page, page, settings.extract_fast, archive_at)
    # The article carries the compressed body; keeping the raw one too would double memory.
    return Done(job, replace(response, body=b""), fetched_at, processed)


#: fetches and extracts a group of jobs; the results in the jobs' order
PageFetcher = Callable[[Sequence[Job]], Awaitable[list[Done]]]


@asynccontextmanager
async def page_fetcher(
    settings: Settings, pool: WorkerPool | None, clock: Clock | None = None
) -> AsyncIterator[PageFetcher]:
    """One client and one set of concurrency limits for every group of a batch: groups fetched
    at the same time share the per-host and total limits."""
    limiter = HostLimiter(settings.per_host_concurrency, settings.total_concurrency)
    async with build_client(settings) as client:

        async def fetch_group(jobs: Sequence[Job]) -> list[Done]:
            return list(
                await asyncio.gather(
                    *(_fetch_one(client, limiter, job, settings, pool, clock) for job in jobs)
                )
            )

        yield fetch_group


async def fetch_and_extract(
    jobs: Sequence[Job], settings: Settings, pool: WorkerPool | None, clock: Clock | None = None
) -> list[Done]:
    """Fetch pages concurrently; each body goes to the extraction pool as soon as it arrives."""
    async with page_fetcher(settings, pool, clock) as fetch_group:
        return await fetch_group(jobs)


@dataclass(frozen=True, slots=True)
class Group:
    """Whole feeds whose polls and pages are written in one transaction."""

    polled: list[Polled]
    jobs: list[Job]


#: the last group of a batch holds about this share of `size`: it is written after the last
#: page is extracted, with the extraction cores idle, so it is kept short
LAST_GROUP_SHARE = 4


def write_groups(polled: Sequence[Polled], jobs: Sequence[Job], size: int) -> list[Group]:
    """Split a batch into groups of whole feeds with about `size` pages each (a feed is never
    split: its poll, and so its validators, is written with all its pages); the last group
    with pages is cut down to about `size / LAST_GROUP_SHARE`. Feeds without pages to fetch
    go with the last group."""
    by_feed: dict[str, list[Job]] = {}
    for job in jobs:
        by_feed.setdefault(job.feed.feed_id, []).append(job)
    groups = [Group([], [])]
    for item in sorted(polled, key=lambda p: p.feed.feed_id not in by_feed):
        feed_jobs = by_feed.get(item.feed.feed_id, [])
        if feed_jobs and len(groups[-1].jobs) >= size:
            groups.append(Group([], []))
        groups[-1].polled.append(item)
        groups[-1].jobs.extend(feed_jobs)
    return groups[:-1] + _short_tail(groups[-1], by_feed, size // LAST_GROUP_SHARE)


def _short_tail(group: Group, by_feed: dict[str, list[Job]], tail: int) -> list[Group]:
    """The group split in two so the second holds its last feeds with pages, about `tail`
    pages of them, and the feeds without pages; unsplit when the first part would be smaller
    than that (a write has a fixed cost) or one feed has all the pages."""
    with_pages = [p for p in group.polled if p.feed.feed_id in by_feed]
    pages = [len(by_feed[p.feed.feed_id]) for p in with_pages]
    cut = len(with_pages)
    while cut > 1 and sum(pages[cut:]) < tail:
        cut -= 1
    if sum(pages[:cut]) < tail or cut == len(with_pages):  # too small to be worth a write
        return [group]
    head = with_pages[:cut]
    rest = with_pages[cut:] + [p for p in group.polled if p.feed.feed_id not in by_feed]
    return [
        Group(head, [j for p in head for j in by_feed[p.feed.feed_id]]),
        Group(rest, [j for p in rest for j in by_feed.get(p.feed.feed_id, [])]),
    ]


def body_hashes(done: Sequence[Done]) -> dict[tuple[str, str], frozenset[int]]:
    """The body hashes the workers computed, as `sequence.grouping.Grouping` looks them up."""
    found = {}
    for item in done:
        if item.processed and isinstance(item.processed.result, Article):
            article = item.processed.result
            found[(article.content_hash, article.title)] = item.processed.body_hashes
    return found


def _fetch_row(done: Done, run_id: str, article_id: str | None) -> FetchRow:
    response, result = done.response, done.result
    outcome, reason = response.outcome.value, response.reason
    if isinstance(result, Rejected):
        outcome, reason = result.outcome.value, result.reason
    size = 0
    if isinstance(result, Article) and done.processed:
        size = len(result.raw_html_z) or len(done.processed.raw_record)
    return FetchRow(
        run_id,
        done.job.feed.feed_id,
        done.job.entry.key,
        done.job.entry.url,
        response.final_url,
        article_id,
        done.fetched_at,
        response.status,
        outcome,
        reason,
        size,
        response.duration_ms,
        claims_budget=_claims_budget(done.processed),
        purpose=done.job.purpose.value,
    )


def _claims_budget(processed: Processed | None) -> str | None:
    return ",".join(processed.claim_reasons) if processed and processed.claim_reasons else None


def _entry_row(done: Done, found: str | None, settings: Settings) -> EntryRow:
    """The entry's row after its fetch (`plan.fetched_row`): a 304 keeps the stored article."""
    ok = isinstance(done.result, Article) or done.not_modified
    validators = done.response.validators
    reason = done.result.reason if isinstance(done.result, Rejected) else done.response.reason
    got = plan.Fetched(
        done.fetched_at, ok, found, validators.etag, validators.last_modified, reason
    )
    return plan.fetched_row(done.job, got, settings)


def _version_row(done: Done, processed: Processed, article: Article) -> VersionRow:
    canonical, entry = canonicalize_url(done.response.final_url), done.job.entry
    return VersionRow(
        article_id=url_id(canonical),
        canonical_url=canonical,
        outlet=done.job.feed.outlet,
        feed_id=done.job.feed.feed_id,
        fetched_at=done.fetched_at,
        published_at=article.published_at,
        published_source=article.published_source,
        title=article.title,
        author=article.author,
        site_name=article.site_name,
        language=article.language,
        text=article.text,
        content_hash=article.content_hash,
        extractor=EXTRACTOR_NAME,
        extractor_version=EXTRACTOR_VERSION,
        final_url=done.response.final_url,
        raw_html_z=article.raw_html_z,
        raw_record=processed.raw_record,
        claims=tuple(claim_row(c) for c in processed.claims),
        claims_version=CLAIMS_VERSION,
        updated_at=entry.updated_at if entry.updated_at != entry.published_at else None,
        n_shingles=processed.fingerprint.n_shingles if processed.fingerprint else 0,
        signature=processed.fingerprint.signature if processed.fingerprint else b"",
        agency=processed.agency,
        terms=processed.terms,
        names=processed.names,
    )


def claim_row(claim: Claim) -> ClaimRow:
    return ClaimRow(
        claimant=claim.claimant,
        claimant_key=claim.claimant_key,
        claimant_kind=claim.claimant_kind,
        metric=claim.metric,
        subject=claim.subject,
        value=claim.value,
        value_high=claim.value_high,
        qualifier=claim.qualifier,
        sentence=claim.sentence,
        start_offset=claim.start,
        end_offset=claim.end,
        scope=claim.scope,
    )


Rows = tuple[EntryRow, VersionRow | None, FetchRow]


def _rows(done: Done, run_id: str, settings: Settings) -> Rows:
    version = None
    if done.processed and isinstance(done.processed.result, Article):
        version = _version_row(done, done.processed, done.processed.result)
    if version is not None:
        article_id: str | None = version.article_id
    elif done.not_modified:  # the stored article, unchanged
        article_id = done.job.prior.article_id if done.job.prior else None
    else:  # the id of the page we ended up on, computed once (redirects, canonical URL)
        article_id = done.article_id if done.result is not None else None
    entry = _entry_row(done, article_id, settings)
    return entry, version, _fetch_row(done, run_id, article_id)


def _contained_rows(done: Done, run_id: str, settings: Settings) -> Rows:
    try:
        return _rows(done, run_id, settings)
    except Exception as exc:  # the isolation boundary, again for turning a page into rows
        reason = contain(exc, "storing", done.job.entry.url)
        url = done.job.entry.url
        failed = Done(done.job, Response(url, url, INTERNAL_ERROR, reason), done.fetched_at)
        return _rows(failed, run_id, settings)


def assemble_batch(
    polled: Sequence[Polled],
    done: Sequence[Done],
    run_id: str,
    settings: Settings | None = None,
) -> Batch:
    """Turn one batch's polls and page results into the rows written together: pages the
    time budget left unfetched wait as pending entries (no fetch row), like those the caps
    left (`Polled.pending`)."""
    settings = settings or Settings()
    fetched = [d for d in done if not d.deferred]
    rows = [_contained_rows(d, run_id, settings) for d in fetched]
    waiting = [plan.pending_row(d.job, d.fetched_at) for d in done if d.deferred]
    return Batch(
        polls=[item.poll for item in polled],
        entries=[row for item in polled for row in (*item.pending, *item.moved)]
        + [entry for entry, _, _ in rows]
        + [row for row in waiting if row is not None],
        pages=[version for _, version, _ in rows if version is not None],
        fetches=[fetch_row for _, _, fetch_row in rows],
    )


#: body hashes the workers computed, keyed as `sequence.grouping.Grouping` looks them up
BodyHashes = Mapping[tuple[str, str], frozenset[int]]
#: the stored entries a plan needs for the feeds just polled (`known_entries` on some store)
KnownEntries = Callable[[Sequence[Polled]], dict[tuple[str, str], EntryRow]]


@dataclass(frozen=True, slots=True)
class Staged:
    """The fetch-and-extract half of a cycle for some feeds: the rows to write and the body
    hashes computed with them. The write half needs nothing else."""

    batch: Batch
    hashes: BodyHashes


def known_entries(
    con: duckdb.DuckDBPyConnection, polled: Sequence[Polled], settings: Settings, clock: Clock
) -> dict[tuple[str, str], EntryRow]:
    """The stored entries of what the feeds list (by key or page), and the due ones (pending,
    retries, revisits) of every polled feed, whatever its poll answered."""
    listed = [(p.feed.feed_id, e.key, e.url) for p in polled for e in p.entries]
    due = plan.due_by(clock.now(), settings)
    found = records.load_due_entries(con, [p.feed.feed_id for p in polled], due)
    return found | records.load_entries(con, listed)


async def stage_feeds(
    feeds: Sequence[FeedState],
    known: KnownEntries,
    settings: Settings,
    run_id: str,
    pool: WorkerPool | None,
    clock: Clock,
) -> Staged:
    """Poll, plan, fetch and extract one batch of feeds, in one piece (no write groups: a
    staged batch is written whole, later and elsewhere)."""
    polled = await poll_feeds(feeds, settings, run_id, clock)
    found = await asyncio.to_thread(known, polled)
    polled, jobs = plan_fetches(polled, found, settings, clock)
    done = await fetch_and_extract(jobs, settings, pool, clock)
    return Staged(assemble_batch(polled, done, run_id, settings), body_hashes(done))
