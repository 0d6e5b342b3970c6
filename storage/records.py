"""Typed rows and the one batched, transactional write of an ingest batch.

Rows go in through Arrow tables (`INSERT ... BY NAME SELECT`), never one statement per row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, fields, replace
from datetime import datetime
from typing import Any

import duckdb
import pyarrow as pa

from storage import spellings
from storage.changes import log_keys
from storage.db import transaction
from storage.warc import WarcArchive, place_records


@dataclass(frozen=True, slots=True)
class FeedRow:
    feed_id: str
    url: str
    name: str
    outlet: str
    agency: str | None
    added_at: datetime
    robots: bool | None = None  # per-feed politeness opt-outs (0014); None: the settings
    min_delay_s: float | None = None


@dataclass(frozen=True, slots=True)
class FeedState:
    feed_id: str
    url: str
    name: str
    outlet: str
    etag: str
    last_modified: str
    robots: bool | None = None  # None: settings.respect_robots
    min_delay_s: float | None = None  # None: settings.min_host_delay_s


@dataclass(frozen=True, slots=True)
class PollRow:
    run_id: str
    feed_id: str
    polled_at: datetime
    http_status: int | None
    outcome: str
    reason: str
    entries_seen: int
    entries_new: int
    duration_ms: float
    etag: str  # validators the response carried ('' when none)
    last_modified: str
    retry_after_s: float | None = None  # a 429/503's Retry-After (moves the next poll)
    entries_skipped: int = 0  # entries found but not kept (migration 0008)
    skipped_reasons: str = "{}"  # JSON {reason: count}


@dataclass(frozen=True, slots=True)
class EntryRow:
    feed_id: str
    entry_key: str
    url: str
    article_id: str | None
    marker: str
    state: str  # ok | failed | pending (left by the cycle's caps)
    attempts: int
    first_seen_at: datetime
    # what the feed said (0020): kept whatever happens to the page
    title: str = ""
    summary: str = ""
    published_at: datetime | None = None
    updated_at: datetime | None = None
    feed_hash: str = ""  # FeedEntry.content_hash ('' when unknown)
    etag: str = ""  # the page's validators, for a revisit's conditional GET
    last_modified: str = ""
    last_fetched_at: datetime | None = None
    due_at: datetime | None = None  # next fetch (pending, retry or revisit); None: none
    last_reason: str = ""  # the last failed fetch's reason


@dataclass(frozen=True, slots=True)
class ClaimRow:
    """One extracted figure; stored with the article version it was read from."""

    claimant: str
    claimant_key: str
    claimant_kind: str
    metric: str
    subject: str
    value: int
    value_high: int
    qualifier: str
    sentence: str
    start_offset: int
    end_offset: int
    scope: str = "event"  # event | part | period | other_event


@dataclass(frozen=True, slots=True)
class VersionRow:
    """An extracted page; it becomes a version only if its text differs from the latest."""

    article_id: str
    canonical_url: str
    outlet: str
    feed_id: str
    fetched_at: datetime
    published_at: datetime | None
    published_source: str
    title: str
    author: str
    site_name: str
    language: str
    text: str
    content_hash: str
    extractor: str
    extractor_version: str
    final_url: str
    raw_html_z: bytes
    claims: tuple[ClaimRow, ...] = ()
    claims_version: str = ""
    updated_at: datetime | None = None  # the feed's "updated" stamp, when it differs
    # what story and event grouping need (see wirewatch/sequence/grouping.py)
    n_shingles: int = 0
    signature: bytes = b""
    agency: str = ""
    terms: str = "{}"  # JSON {word: count}
    names: tuple[str, ...] = ()
    raw_record: bytes = b""  # a WARC record to archive instead of raw_html_z (storage/warc.py)


@dataclass(frozen=True, slots=True)
class StoryRow:
    article_id: str
    version: int
    story_id: str
    agency: str
    n_shingles: int
    signature: bytes
    dedup_version: str
    not_article: str | None = None  # reason the page is no article (too_short, recurring_text)


@dataclass(frozen=True, slots=True)
class EventRow:
    story_id: str
    event_id: str
    published_at: datetime | None
    terms: str
    names: tuple[str, ...]
    events_version: str


#: Given the versions a batch adds, writes their stories and events (inside the transaction).
Grouper = Callable[[duckdb.DuckDBPyConnection, list[tuple["VersionRow", int]]], None]


@dataclass(frozen=True, slots=True)
class FetchRow:
    run_id: str
    feed_id: str
    entry_key: str
    url: str
    final_url: str
    article_id: str | None
    fetched_at: datetime
    http_status: int | None
    outcome: str
    reason: str
    bytes: int
    duration_ms: float
    version_added: int | None = None
    claims_budget: str | None = None  # reasons the claim budget cut reading short (0014)
    purpose: str | None = None  # new | update | retry | revisit (0020)


@dataclass(frozen=True, slots=True)
class Batch:
    polls: Sequence[PollRow] = ()
    entries: Sequence[EntryRow] = ()
    pages: Sequence[VersionRow] = ()
    fetches: Sequence[FetchRow] = ()


@dataclass(frozen=True, slots=True)
class BatchResult:
    articles_added: int
    versions_added: int
    revisits_changed: int = 0  # revisits that found a new version


def _names(rows: Sequence[Any], drop: tuple[str, ...] = ()) -> list[str]:
    return [f.name for f in fields(rows[0]) if f.name not in drop] if rows else []


def _arrow(rows: Sequence[Any], drop: tuple[str, ...] = ()) -> pa.Table:
    """Rows of one dataclass as an Arrow table built column by column, straight from the
    attributes (`asdict` deep-copied every row first; the columns and types are the same)."""
    return _columns(rows, _names(rows, drop))


def _columns(rows: Sequence[Any], names: list[str], **extra: list[Any]) -> pa.Table:
    columns = {name: [getattr(row, name) for row in rows] for name in names}
    return pa.table({**columns, **extra}) if columns or extra else pa.table({})


def _with_staged(
    con: duckdb.DuckDBPyConnection,
    rows: pa.Table | list[dict[str, Any]],
    sql: str,
    log: tuple[str, str] | None = None,
) -> int:
    """Run `sql` with `rows` visible as the table `staged`; return the rows it changed.
    This is how every write goes in: one statement per batch, never one per row. `log` is
    (table, the SELECT of its change keys) for the changed-keys log (storage/changes.py)."""
    with _staged(con, rows) as any_rows:
        if not any_rows:
            return 0
        if log is not None:
            log_keys(con, *log)
        # fetchall, not fetchone: DuckDB 2.0 refuses `register` while a result is half-read
        return int(con.execute(sql).fetchall()[0][0])


@contextmanager
def _staged(
    con: duckdb.DuckDBPyConnection, rows: pa.Table | list[dict[str, Any]]
) -> Iterator[bool]:
    """`rows` visible as the table `staged` inside the block; yields whether there are any."""
    staged = rows if isinstance(rows, pa.Table) else pa.Table.from_pylist(rows)
    if not staged.num_rows:
        yield False
        return
    con.register("staged", staged)
    try:
        yield True
    finally:
        con.unregister("staged")


def _insert(
    con: duckdb.DuckDBPyConnection, table: str, rows: Sequence[Any], drop: tuple[str, ...] = ()
) -> int:
    sql = f"INSERT INTO {table} BY NAME SELECT * FROM staged"
    return _with_staged(con, _arrow(rows, drop), sql) if rows else 0


_FEED_TAGS_DIFFER = (
    "(feeds.name, feeds.outlet, feeds.agency, feeds.robots, feeds.min_delay_s) "
    "IS DISTINCT FROM (s.name, s.outlet, s.agency, s.robots, s.min_delay_s)"
)


def sync_feeds(con: duckdb.DuckDBPyConnection, feeds: Sequence[FeedRow]) -> None:
    """Add feeds not seen before; refresh names and tags of the others."""
    if not feeds:
        return
    staged = _arrow(feeds)
    with transaction(con):  # feeds are all synced or none
        # only feeds whose tags differ are touched (and logged): an unchanged feed list, read
        # at every cycle, then costs the lake no publish
        _with_staged(
            con,
            staged,
            f"UPDATE feeds SET name = s.name, outlet = s.outlet, agency = s.agency, "
            f"robots = s.robots, min_delay_s = s.min_delay_s "
            f"FROM staged s WHERE feeds.feed_id = s.feed_id AND {_FEED_TAGS_DIFFER}",
            log=(
                "feeds",
                "SELECT s.feed_id FROM staged s LEFT JOIN feeds USING (feed_id) "
                f"WHERE feeds.feed_id IS NULL OR {_FEED_TAGS_DIFFER}",
            ),
        )
        _with_staged(
            con,
            staged,
            "INSERT INTO feeds BY NAME SELECT s.* FROM staged s "
            "ANTI JOIN feeds f ON f.feed_id = s.feed_id",
        )


def load_feed_states(con: duckdb.DuckDBPyConnection, feed_ids: Sequence[str]) -> list[FeedState]:
    rows = con.execute(
        "SELECT feed_id, url, name, outlet, coalesce(etag, ''), coalesce(last_modified, ''), "
        "robots, min_delay_s FROM feeds WHERE feed_id IN (SELECT unnest(?)) ORDER BY name, feed_id",
        [list(feed_ids)],
    ).fetchall()
    return [FeedState(*row) for row in rows]


_ENTRY_COLUMNS = ", ".join(f.name for f in fields(EntryRow))


#: ends a MATERIALIZED step that must stay apart: DuckDB pushes an outer filter into it, and a
#: scan with a second filter beside the `IN` no longer uses the index (migration 0047)
_FENCE = "LIMIT 9223372036854775807"


def load_entries(
    con: duckdb.DuckDBPyConnection, listed: Sequence[tuple[str, str, str]]
) -> dict[tuple[str, str], EntryRow]:
    """The stored entries of what the feeds list now, (feed_id, entry_key, url) each: those
    of the same feed with the same key or for the same page. Read by key (migration 0053), so
    a feed's years of past entries are neither scanned nor loaded."""
    if not listed:
        return {}
    feeds, keys, urls = (list(column) for column in zip(*listed, strict=True))
    rows = con.execute(
        f"""
        WITH listed AS (SELECT unnest(?) AS feed_id, unnest(?) AS entry_key, unnest(?) AS url),
        by_url AS MATERIALIZED (
            SELECT {_ENTRY_COLUMNS} FROM entries
            WHERE url IN (SELECT DISTINCT url FROM listed) {_FENCE}),
        by_key AS MATERIALIZED (
            SELECT {_ENTRY_COLUMNS} FROM entries
            WHERE entry_key IN (SELECT DISTINCT entry_key FROM listed) {_FENCE})
        SELECT * FROM by_url u SEMI JOIN listed l ON l.feed_id = u.feed_id AND l.url = u.url
        UNION ALL
        SELECT * FROM by_key k
        SEMI JOIN listed l ON l.feed_id = k.feed_id AND l.entry_key = k.entry_key""",
        [feeds, keys, urls],
    ).fetchall()
    return {(row[0], row[1]): EntryRow(*row) for row in rows}


def load_due_entries(
    con: duckdb.DuckDBPyConnection, feed_ids: Sequence[str], now: datetime
) -> dict[tuple[str, str], EntryRow]:
    """The feeds' entries due for a fetch by `now` (pending, a retry, a revisit), whether or
    not the feed lists them any more, and the entries of the same feed for the same page (which
    of them the page was last fetched under decides which one revisits it: ingest/plan.py)."""
    rows = con.execute(
        f"""
        WITH due AS MATERIALIZED (
            SELECT feed_id, url FROM entries
            WHERE feed_id IN (SELECT unnest(?)) AND due_at <= ?),
        same AS MATERIALIZED (
            SELECT {_ENTRY_COLUMNS} FROM entries
            WHERE url IN (SELECT DISTINCT url FROM due) {_FENCE})
        SELECT * FROM same s SEMI JOIN due d ON d.feed_id = s.feed_id AND d.url = s.url""",
        [list(feed_ids), now],
    ).fetchall()
    return {(row[0], row[1]): EntryRow(*row) for row in rows}


def _latest_hashes(con: duckdb.DuckDBPyConnection, ids: list[str]) -> dict[str, tuple[int, str]]:
    rows = con.execute(
        "SELECT article_id, max(version), arg_max(content_hash, version) FROM article_versions "
        "WHERE article_id IN (SELECT unnest(?)) GROUP BY article_id",
        [ids],
    ).fetchall()
    return {row[0]: (row[1], row[2]) for row in rows}


def _number_versions(
    con: duckdb.DuckDBPyConnection, pages: Sequence[VersionRow]
) -> list[tuple[VersionRow, int]]:
    latest = _latest_hashes(con, sorted({p.article_id for p in pages}))
    numbered = []
    for page in pages:
        version, content_hash = latest.get(page.article_id, (0, ""))
        if page.content_hash != content_hash:
            latest[page.article_id] = (version + 1, page.content_hash)
            numbered.append((page, version + 1))
    return numbered


def _store_versions(
    con: duckdb.DuckDBPyConnection,
    numbered: list[tuple[VersionRow, int]],
    archive: WarcArchive | None = None,
) -> int:
    if not numbered:
        return 0
    articles = {p.article_id: p for p, _ in numbered}
    articles_added = _with_staged(
        con,
        [
            {
                "article_id": p.article_id,
                "canonical_url": p.canonical_url,
                "outlet": p.outlet,
                "feed_id": p.feed_id,
                "first_seen_at": p.fetched_at,
            }
            for p in articles.values()
        ],
        # by the key's index: an ANTI JOIN read every article_id (0.04-0.12 s at 3M versions)
        "INSERT OR IGNORE INTO articles BY NAME SELECT s.* FROM staged s",
    )
    skip = ("claims", "claims_version", "n_shingles", "signature", "agency", "terms", "names")
    skip_too = (*skip, "raw_record")  # apart from the grouping columns: merges stay small
    pages = [page for page, _ in numbered]
    placed = place_records(con, archive, [page.raw_record for page in pages])
    columns = {name: [getattr(p, name) for p in pages] for name in _names(pages, skip_too)}
    bodies = zip(columns["raw_html_z"], placed, strict=True)
    columns["raw_html_z"] = [where.get("raw_html_z", body) for body, where in bodies]
    for name in ("warc_file", "warc_offset", "warc_length"):
        columns[name] = [where.get(name) for where in placed]
    columns["version"] = [version for _, version in numbered]
    _with_staged(
        con,
        pa.table(columns),
        "INSERT INTO article_versions BY NAME SELECT * EXCLUDE "
        "(canonical_url, outlet, feed_id) FROM staged",
    )
    _insert_claims(
        con,
        [
            (p.article_id, v, p.claims_version, p.claims, p.fetched_at)
            for p, v in numbered
            if p.claims_version
        ],
    )
    return articles_added


ClaimSet = tuple[str, int, str, Sequence[ClaimRow], datetime]  # article, version, extractor, ...


def _insert_claims(con: duckdb.DuckDBPyConnection, sets: Sequence[ClaimSet]) -> int:
    keys = [
        (article_id, version, extractor, ordinal, at)
        for article_id, version, extractor, claims, at in sets
        for ordinal in range(len(claims))
    ]
    claims = [claim for _, _, _, found, _ in sets for claim in found]
    if not claims:
        return 0
    key_names = ("article_id", "version", "extractor_version", "ordinal", "extracted_at")
    keyed = {name: [key[k] for key in keys] for k, name in enumerate(key_names)}
    table = _columns(claims, _names(claims), **keyed)
    with _staged(con, table):
        spellings.count_in(con, "SELECT claimant_key, claimant FROM staged")
    return _with_staged(
        con,
        table,
        "INSERT INTO article_claims BY NAME SELECT * FROM staged",
        log=("article_claims", "SELECT article_id, version FROM staged"),
    )


def replace_claims(con: duckdb.DuckDBPyConnection, sets: Sequence[ClaimSet]) -> int:
    """Replace one extractor version's claims of the given article versions (one transaction);
    claims from other extractor versions stay."""
    keys = [{"article_id": a, "version": v, "extractor_version": x} for a, v, x, _, _ in sets]
    same = (
        "c.article_id = k.article_id AND c.version = k.version "
        "AND c.extractor_version = k.extractor_version"
    )
    with transaction(con):  # nothing half-replaced
        with _staged(con, keys) as any_rows:
            if any_rows:
                replaced = "SELECT c.claimant_key, c.claimant FROM article_claims c JOIN staged k"
                spellings.count_out(con, f"{replaced} ON {same}")
        _with_staged(
            con,
            keys,
            f"DELETE FROM article_claims c USING staged k WHERE {same}",
            log=("article_claims", "SELECT article_id, version FROM staged"),
        )
        count = _insert_claims(con, sets)
    return count


def load_versions(
    con: duckdb.DuckDBPyConnection, after: tuple[str, int], limit: int
) -> list[tuple[str, int, str]]:
    """(article_id, version, text) in key order after `after`, for re-extraction; pages found
    to be no article (version_stories.not_article) get no claims, so they are skipped."""
    return [
        tuple(row)
        for row in con.execute(
            "SELECT v.article_id, v.version, v.text FROM article_versions v "
            "ANTI JOIN (SELECT article_id, version FROM version_stories "
            "WHERE not_article IS NOT NULL) s USING (article_id, version) "
            "WHERE v.article_id > ? OR (v.article_id = ? AND v.version > ?) "
            "ORDER BY v.article_id, v.version LIMIT ?",
            [after[0], after[0], after[1], limit],
        ).fetchall()
    ]


def count_versions(con: duckdb.DuckDBPyConnection) -> int:
    """How many article versions are stored (the size of a reprocess run)."""
    return int(con.execute("SELECT count(*) FROM article_versions").fetchall()[0][0])


def _link_fetches(
    fetches: Sequence[FetchRow], numbered: list[tuple[VersionRow, int]]
) -> list[FetchRow]:
    added = {page.article_id: version for page, version in numbered}
    linked = []
    for fetch in fetches:
        key = fetch.article_id if fetch.outcome == "ok" else None
        version = added.pop(key, None) if key else None
        linked.append(replace(fetch, version_added=version))
    return linked


def _update_feeds(con: duckdb.DuckDBPyConnection, polls: Sequence[PollRow]) -> None:
    # Keep the newest validators: a response without them leaves the stored ones alone. A
    # body that failed to parse leaves them too: its 304s would otherwise pass for health.
    polls = [
        replace(p, etag="", last_modified="") if p.outcome == "parse_error" else p for p in polls
    ]
    _with_staged(
        con,
        _arrow(polls),
        """
        UPDATE feeds SET etag = coalesce(nullif(s.etag, ''), feeds.etag),
                         last_modified = coalesce(nullif(s.last_modified, ''), feeds.last_modified),
                         last_polled_at = s.polled_at
        FROM staged s WHERE feeds.feed_id = s.feed_id""",
        log=("feeds", "SELECT feed_id FROM staged"),
    )


def write_batch(
    con: duckdb.DuckDBPyConnection,
    batch: Batch,
    group: Grouper | None = None,
    archive: WarcArchive | None = None,
    before_commit: Callable[[duckdb.DuckDBPyConnection], None] | None = None,
) -> BatchResult:
    """Write one batch in one transaction: all of it lands, or none of it. `group` assigns
    the new versions to stories and events (inside the transaction, so in order); `archive`
    takes the pages' WARC records (storage/warc.py); `before_commit` writes what must land
    with the batch or not at all (the sequencer's record of the staged batches it applied)."""
    with transaction(con):  # any failure: nothing of the batch is kept, the next run redoes it
        numbered = _number_versions(con, batch.pages)
        articles_added = _store_versions(con, numbered, archive)
        if group is not None and numbered:
            group(con, numbered)
        _insert(con, "feed_polls", batch.polls, drop=("etag", "last_modified"))
        _update_feeds(con, batch.polls)
        fetches = _link_fetches(batch.fetches, numbered)
        _insert(con, "fetches", fetches)
        replace_entries = "INSERT OR REPLACE INTO entries BY NAME SELECT * FROM staged"
        entry_keys = ("entries", "SELECT feed_id, entry_key FROM staged")
        _with_staged(con, _arrow(batch.entries), replace_entries, log=entry_keys)
        if before_commit is not None:
            before_commit(con)
    changed = sum(f.purpose == "revisit" and f.version_added is not None for f in fetches)
    return BatchResult(articles_added, len(numbered), changed)
