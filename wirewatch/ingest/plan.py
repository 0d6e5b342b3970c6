"""Which pages one cycle fetches, and what each entry's row says afterwards (pure).

Every polled feed offers candidates, whatever its poll answered: the entries it lists that are
new or that it changed (their date stamp, or their feed text: title, summary, content:encoded),
and its stored entries that are due: `pending` ones a cap left for later, failed pages waiting
out their back-off, stored articles due for a revisit. A cycle fetches at most
`max_pages_per_feed` new, changed or retried pages per feed (newest first) and
`max_pages_per_host` pages per host, feeds taking turns; revisits (most overdue first) take at
most `max_revisits_per_host` of a host's pages, so they never starve new entries. New entries
left over are stored `pending`, due at once; the other leftovers stay due. The time budget
(`cycle_budget_s`, see `wirewatch.fetch.net.fetch`) leaves late pages waiting the same way.

A revisit's schedule decays with the article's age: every cycle for `revisit_every_cycle_hours`,
then hourly until `revisit_hourly_hours`, then daily until `revisit_horizon_hours`; it is a
conditional GET with the page's stored validators, so an unchanged page costs a 304.

One page, one fetch a cycle: an aggregator lists one page under several entries (guids), so a
revisit of a page that another job of the cycle already fetches is dropped and its row moves
to its next revisit (`one_fetch_per_page`), and so is the revisit of an entry the feed does not
list now while its page is another entry's: listed under it now, or last fetched under it (a
feed that answers 304 lists nothing) (`Job.covered`). So the entry a page was last fetched
under is the one its feed listed last, and an entry listed again for a page last fetched under
another entry, now unlisted (A, then B, then A again), is an update: aggregators flip an item's
guid back and forth as its story is revised, while each entry's own feed text stays the same.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from itertools import chain, zip_longest
from urllib.parse import urlsplit

from extractors.feeds import FeedEntry
from storage.records import EntryRow, FeedState
from wirewatch.settings import Settings


class Purpose(StrEnum):
    NEW = "new"  # never fetched (or left pending)
    UPDATE = "update"  # the feed changed the entry: its date stamp or its text
    RETRY = "retry"  # a failed page, after its back-off
    REVISIT = "revisit"  # a stored article, on its schedule


@dataclass(frozen=True, slots=True)
class Job:
    feed: FeedState
    entry: FeedEntry
    prior: EntryRow | None
    purpose: Purpose = Purpose.NEW
    # a revisit of an unlisted entry whose page is another entry's (listed, or fetched last):
    # not fetched
    covered: bool = False


def due_by(now: datetime, settings: Settings) -> datetime:
    """Entries due before the middle of the coming cycle interval are fetched now rather than
    a cycle late (as `wirewatch.fetch.polling.select_due` does for feeds)."""
    return now + timedelta(minutes=settings.interval_minutes / 2)


def purpose(
    entry: FeedEntry, prior: EntryRow | None, now: datetime, settings: Settings
) -> Purpose | None:
    """Why the entry's page is fetched now; None when it is not."""
    if prior is None:
        return Purpose.NEW
    if prior.state == "pending":
        return Purpose.UPDATE if prior.article_id else Purpose.NEW
    if entry.marker and prior.marker != entry.marker:
        return Purpose.UPDATE
    if entry.content_hash and prior.feed_hash and entry.content_hash != prior.feed_hash:
        return Purpose.UPDATE
    if prior.due_at is None or prior.due_at > due_by(now, settings):
        return None
    if prior.state == "failed":
        return Purpose.RETRY
    horizon = timedelta(hours=settings.revisit_horizon_hours)
    return Purpose.REVISIT if now - prior.first_seen_at < horizon else None


def stored_entry(row: EntryRow) -> FeedEntry:
    """The entry as its feed last gave it (for a due entry the feed no longer lists)."""
    return FeedEntry(
        row.entry_key,
        row.url,
        row.title,
        row.published_at,
        row.updated_at,
        row.summary,
        row.feed_hash,
    )


def candidates(
    feed: FeedState,
    listed: Sequence[FeedEntry],
    known: dict[str, EntryRow],
    now: datetime,
    settings: Settings,
) -> list[Job]:
    """The feed's pages worth fetching now: from its listing, then its due stored entries
    (`known`: the feed's stored entries by key)."""
    jobs = []
    keys = {entry.key for entry in listed}
    last = last_fetched_keys(known.values())
    for entry in listed:
        prior = known.get(entry.key)
        why = purpose(entry, prior, now, settings)
        if why is None and prior is not None and prior.state == "ok":
            why = _relisted(entry, last, keys)
        if why is not None:
            jobs.append(Job(feed, entry, prior, why))
    urls = {entry.url for entry in listed}
    for key, row in known.items():
        if key not in keys:
            why = purpose(stored_entry(row), row, now, settings)
            if why is not None:
                page_of = row.url in urls or last.get(row.url, key) != key
                covered = why is Purpose.REVISIT and page_of
                jobs.append(Job(feed, stored_entry(row), row, why, covered))
    return jobs


def last_fetched_keys(rows: Iterable[EntryRow]) -> dict[str, str]:
    """url -> the key of the feed's entry its page was last fetched under."""
    found: dict[str, tuple[datetime, str]] = {}
    for row in rows:
        at = row.last_fetched_at
        if at is not None and (row.url not in found or (at, row.entry_key) > found[row.url]):
            found[row.url] = (at, row.entry_key)
    return {url: key for url, (_, key) in found.items()}


def _relisted(entry: FeedEntry, last: dict[str, str], keys: set[str]) -> Purpose | None:
    """UPDATE when the page was last fetched under another entry the feed no longer lists
    (A, B, A: the feed swapped entries for the page since its last fetch)."""
    other = last.get(entry.url, entry.key)
    return Purpose.UPDATE if other != entry.key and other not in keys else None


def by_feed(known: dict[tuple[str, str], EntryRow]) -> dict[str, dict[str, EntryRow]]:
    """Stored entries by feed, then by key."""
    grouped: defaultdict[str, dict[str, EntryRow]] = defaultdict(dict)
    for (feed_id, key), row in known.items():
        grouped[feed_id][key] = row
    return grouped


def _host(job: Job) -> str:
    return urlsplit(job.entry.url).netloc.lower()


def _newest_first(jobs: Iterable[Job]) -> list[Job]:
    """New and changed pages newest first (undated ones after, in feed order), then retries."""

    def key(job: Job) -> tuple[bool, bool, float]:
        stamp = job.entry.published_at or job.entry.updated_at
        return (job.purpose is Purpose.RETRY, stamp is None, -stamp.timestamp() if stamp else 0)

    return sorted(jobs, key=key)


def _cap(jobs: list[Job], cap: int) -> tuple[list[Job], list[Job]]:
    return (jobs, []) if cap <= 0 else (jobs[:cap], jobs[cap:])


def _split(jobs: list[Job], at: int) -> tuple[list[Job], list[Job]]:
    return jobs[: max(at, 0)], jobs[max(at, 0) :]


def _overdue_first(jobs: Iterable[Job]) -> list[Job]:
    def key(job: Job) -> datetime:
        assert job.prior is not None and job.prior.due_at is not None  # revisits are due rows
        return job.prior.due_at

    return sorted(jobs, key=key)


def choose(jobs: Sequence[Job], settings: Settings) -> tuple[list[Job], list[Job]]:
    """(the pages this cycle fetches, those left for later), under the caps."""
    pages: defaultdict[str, defaultdict[str, list[Job]]] = defaultdict(lambda: defaultdict(list))
    revisits: defaultdict[str, list[Job]] = defaultdict(list)
    feeds: defaultdict[str, list[Job]] = defaultdict(list)
    for job in jobs:
        if job.purpose is Purpose.REVISIT:
            revisits[_host(job)].append(job)
        else:
            feeds[job.feed.feed_id].append(job)
    taken: list[Job] = []
    left: list[Job] = []
    for feed_jobs in feeds.values():
        kept, over = _cap(_newest_first(feed_jobs), settings.max_pages_per_feed)
        left += over
        for job in kept:
            pages[_host(job)][job.feed.feed_id].append(job)
    for host in [*pages, *(h for h in revisits if h not in pages)]:
        due, later = _cap(_overdue_first(revisits.get(host, [])), settings.max_revisits_per_host)
        due, over_due = _cap(due, settings.max_pages_per_host)
        turns = [j for j in chain(*zip_longest(*pages[host].values())) if j is not None]
        room = settings.max_pages_per_host - len(due)
        fresh, over = (turns, []) if not settings.max_pages_per_host else _split(turns, room)
        taken += fresh + due  # new pages first: the time budget cuts revisits before them
        left += over + over_due + later
    return taken, left


def one_fetch_per_page(
    jobs: Sequence[Job], elsewhere: Collection[str] = frozenset()
) -> tuple[list[Job], list[Job]]:
    """(the jobs, in order, less covered revisits and revisits of a page an earlier job
    fetches, here or in another batch of the cycle (`elsewhere`: the pages it fetches); those
    revisits). New and changed entries are all kept: each needs its own fetch for its row."""
    kept, twins, urls = [], [], set(elsewhere)
    for job in jobs:
        if job.covered or (job.purpose is Purpose.REVISIT and job.entry.url in urls):
            twins.append(job)
        else:
            kept.append(job)
            urls.add(job.entry.url)
    return kept, twins


def twin_row(job: Job, now: datetime, settings: Settings) -> EntryRow:
    """The row of a revisit dropped because its page is fetched under another entry this cycle:
    its next revisit moves on as if it had been fetched."""
    assert job.prior is not None  # revisits are stored rows
    return replace(job.prior, due_at=next_revisit(job.prior.first_seen_at, now, settings))


def pending_row(job: Job, now: datetime) -> EntryRow | None:
    """The row of a new or changed entry left for a later cycle (None: nothing to store, its
    stored row already says it is due)."""
    if job.purpose in (Purpose.RETRY, Purpose.REVISIT):
        return None
    if job.prior is not None and job.prior.state == "pending":
        return None
    entry, prior = job.entry, job.prior
    if prior is None:
        prior = EntryRow(job.feed.feed_id, entry.key, entry.url, None, "", "", 0, now)
    attempts = prior.attempts if prior.state == "failed" else 0
    row = replace(prior, url=entry.url, marker=entry.marker, state="pending", attempts=attempts)
    return _with_feed_text(replace(row, due_at=now), entry)


def _with_feed_text(row: EntryRow, entry: FeedEntry) -> EntryRow:
    """The row with what the feed says of the entry now."""
    return replace(
        row,
        title=entry.title,
        summary=entry.summary,
        published_at=entry.published_at,
        updated_at=entry.updated_at,
        feed_hash=entry.content_hash,
    )


def next_revisit(first_seen: datetime, fetched_at: datetime, settings: Settings) -> datetime | None:
    """When a page fetched at `fetched_at` is revisited next: every cycle while young, then
    hourly, then daily; never past the horizon."""
    age = fetched_at - first_seen
    if age >= timedelta(hours=settings.revisit_horizon_hours):
        return None
    if age < timedelta(hours=settings.revisit_every_cycle_hours):
        return fetched_at
    if age < timedelta(hours=settings.revisit_hourly_hours):
        return fetched_at + timedelta(hours=1)
    return fetched_at + timedelta(days=1)


def retry_at(attempts: int, failed_at: datetime, settings: Settings) -> datetime | None:
    """When a page that failed `attempts` times in a row is tried again: the next cycle, then
    after `page_retry_backoff_minutes`, doubling; never once `max_fetch_attempts` are used."""
    if attempts >= settings.max_fetch_attempts:
        return None
    wait = settings.page_retry_backoff_minutes * (2 ** (attempts - 1) - 1)
    return failed_at + timedelta(minutes=wait)


@dataclass(frozen=True, slots=True)
class Fetched:
    """What a fetch of the job's page came to, for its entry's row."""

    at: datetime
    ok: bool  # an article extracted, or a 304 of a stored one
    article_id: str | None
    etag: str = ""
    last_modified: str = ""
    reason: str = ""


def fetched_row(job: Job, got: Fetched, settings: Settings) -> EntryRow:
    """The entry's row after a fetch of its page."""
    prior, entry = job.prior, job.entry
    first_seen = prior.first_seen_at if prior else got.at
    base = EntryRow(
        feed_id=job.feed.feed_id,
        entry_key=entry.key,
        url=entry.url,
        article_id=got.article_id if got.ok else (prior.article_id if prior else None),
        marker=entry.marker,
        state="ok",
        attempts=0,
        first_seen_at=first_seen,
        etag=got.etag or (prior.etag if prior else ""),
        last_modified=got.last_modified or (prior.last_modified if prior else ""),
        last_fetched_at=got.at,
        due_at=next_revisit(first_seen, got.at, settings),
    )
    base = _with_feed_text(base, entry)
    if got.ok:
        return base
    if prior is not None and prior.state == "ok" and job.purpose is Purpose.REVISIT:
        return replace(prior, last_reason=got.reason, due_at=base.due_at)  # the article stays
    attempts = (prior.attempts if prior and prior.state == "failed" else 0) + 1
    due = retry_at(attempts, got.at, settings)
    return replace(base, state="failed", attempts=attempts, due_at=due, last_reason=got.reason)
