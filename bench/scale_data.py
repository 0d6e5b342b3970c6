"""Synthetic history shaped like the real stream, as Arrow tables, for `bench.scale`.

Versions arrive at 500,000 a day; 9% are second versions of an article fetched in the previous
hours; 25% of first versions are wire copies of an earlier story (same text and signature);
stories group in threes into events; 1 in 10 first versions carries two claims. The grouping
indexes are filled as the write path fills them: 48 anchors per story (5% from a pool of
boilerplate hashes shared by many stories), a profile per story and per event (event profiles
repeat 512 JSON bodies of the real size, so they compress better than real ones), 24 names per
event drawn from a long-tailed pool, and the document frequencies of terms and names.
Everything is vectorized (numpy, Arrow): a million versions are seconds of generation.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
import pyarrow as pa

PER_DAY = 500_000
SECOND_VERSION_SHARE = 0.09
COPY_SHARE = 0.25
FEEDS = 300
ANCHORS_PER_STORY = 48
COMMON_ANCHORS = 20_000  # boilerplate shingles many stories share
NAMES_PER_EVENT = 24
NAME_POOL = 300_000
TERM_POOL = 60_000
BASE_TIME = datetime(2026, 1, 1, tzinfo=UTC)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_WORDS = (
    "the minister said on monday that security forces had killed militants near the border "
    "while officials in the province reported that civilians were injured in an attack on a "
    "market and police arrested suspects after the blast according to a statement released "
    "by the army spokesman who added that talks would resume next week in the capital"
).split()


@dataclass(frozen=True, slots=True)
class Plan:
    """Who is what, for every version row (time order)."""

    article: np.ndarray  # article index of each row
    version: np.ndarray  # 1 or 2
    source: np.ndarray  # article index whose text the row carries (itself unless a copy)
    originals: np.ndarray  # article indices that start a story, in order


def plan_rows(n: int, seed: int = 9) -> Plan:
    rng = np.random.default_rng(seed)
    # row i may be the second version of the article first seen at row i - LAG (about an hour
    # earlier) when that row is a first version: each article gets at most one second version
    lag = 7_000
    second = rng.random(n) < SECOND_VERSION_SHARE / (1 - SECOND_VERSION_SHARE)
    second[: min(n, lag)] = False
    for block in range(lag, n, lag):
        second[block : block + lag] &= ~second[block - lag : min(block, n - lag)]
    first_rows = np.flatnonzero(~second)
    article = np.empty(n, dtype=np.int64)
    article[first_rows] = np.arange(first_rows.size)
    article[second] = article[np.flatnonzero(second) - lag]
    copy = rng.random(first_rows.size) < COPY_SHARE
    copy[:1] = False
    originals = np.flatnonzero(~copy)
    source_of_first = np.arange(first_rows.size)
    pick = np.searchsorted(originals, np.flatnonzero(copy)) - rng.integers(1, 200, int(copy.sum()))
    source_of_first[copy] = originals[np.clip(pick, 0, None)]
    return Plan(article, np.where(second, 2, 1), source_of_first[article], originals)


def ids(index: np.ndarray) -> np.ndarray:
    mixed = (index.astype(np.uint64) + np.uint64(1)) * _GOLDEN
    return np.char.mod("%016x", mixed).astype(object)


def _texts(source: np.ndarray, version: np.ndarray, article: np.ndarray) -> list[str]:
    pool = [" ".join(_WORDS[k % 7 :] + _WORDS[: k % 7]) * 6 for k in range(64)]
    return [
        f"{pool[s % 64]} Story {s}." + (f" Update {a}: the toll rose." if v == 2 else "")
        for s, v, a in zip(source.tolist(), version.tolist(), article.tolist(), strict=True)
    ]


def _times(rows: np.ndarray) -> pa.Array:
    micros = (rows * (86_400_000_000 // PER_DAY)).astype(np.int64)
    base = int(BASE_TIME.timestamp() * 1_000_000)
    return pa.array(micros + base, pa.timestamp("us", tz="UTC"))


def _signatures(source: np.ndarray) -> pa.Array:
    """512 bytes per row, a function of the story's source (so a copy shares its original's)."""
    lanes = np.arange(128, dtype=np.uint64) * np.uint64(0xBF58476D1CE4E5B9)
    mixed = (source.astype(np.uint64)[:, None] + np.uint64(1)) * _GOLDEN ^ lanes
    mixed ^= mixed >> np.uint64(29)
    values = (mixed & np.uint64(0xFFFFFFFF)).astype(np.uint32)
    flat = pa.py_buffer(values.tobytes())
    return pa.FixedSizeBinaryArray.from_buffers(pa.binary(512), source.size, [None, flat]).cast(
        pa.binary()
    )


def version_tables(plan: Plan, start: int, stop: int) -> dict[str, pa.Table]:
    """The tables for version rows [start, stop)."""
    rows = np.arange(start, stop)
    article, version, source = plan.article[rows], plan.version[rows], plan.source[rows]
    article_id, source_id = ids(article), ids(source)
    at = _times(rows)
    feed = ids(article % FEEDS)
    url = np.char.add("https://news.example/a/", article_id.astype(str)).astype(object)
    texts = _texts(source, version, article)
    first = version == 1
    tables = {
        "articles": pa.table(
            {
                "article_id": article_id[first],
                "canonical_url": url[first],
                "outlet": np.char.mod("outlet-%d", article[first] % 120).astype(object),
                "feed_id": feed[first],
                "first_seen_at": at.filter(pa.array(first)),
            }
        ),
        "article_versions": _versions(article_id, version, at, texts, url, rows),
        "version_stories": pa.table(
            {
                "article_id": article_id,
                "version": version.astype(np.int32),
                "story_id": np.char.add(source_id.astype(str), ".1").astype(object),
                "agency": np.where(source != article, "AP", "").astype(object),
                "n_shingles": np.full(rows.size, 420, np.int32),
                "signature": _signatures(source),
                "dedup_version": np.full(rows.size, "dedup-bench", object),
            }
        ),
        "fetches": _fetches(article_id, feed, url, at, version),
        "entries": _entries(article_id[first], feed[first], url[first], at.filter(pa.array(first))),
    }
    tables["story_events"] = _story_events(plan, start, stop)
    tables.update(_grouping_index(plan, start, stop))
    tables["article_claims"] = _claims(article_id, version, at, rows)
    tables["feed_polls"] = _polls(start, stop)
    return tables


def _versions(
    article_id: np.ndarray,
    version: np.ndarray,
    at: pa.Array,
    texts: list[str],
    url: np.ndarray,
    rows: np.ndarray,
) -> pa.Table:
    n = rows.size
    return pa.table(
        {
            "article_id": article_id,
            "version": version.astype(np.int32),
            "fetched_at": at,
            "published_at": at,
            "published_source": np.full(n, "page", object),
            "title": [t[:80] for t in texts],
            "author": np.full(n, "", object),
            "site_name": np.full(n, "Example News", object),
            "language": np.full(n, "en", object),
            "text": texts,
            "content_hash": np.char.mod("%064x", rows).astype(object),
            "extractor": np.full(n, "trafilatura", object),
            "extractor_version": np.full(n, "2.0.0", object),
            "final_url": url,
            "raw_html_z": pa.array([b""] * n, pa.binary()),
            "warc_file": np.char.mod("bench-%05d.warc.gz", rows // 20_000).astype(object),
            "warc_offset": (rows % 20_000) * 12_000,
            "warc_length": np.full(n, 12_000, np.int64),
        }
    )


def _fetches(
    article_id: np.ndarray, feed: np.ndarray, url: np.ndarray, at: pa.Array, version: np.ndarray
) -> pa.Table:
    n = article_id.size
    return pa.table(
        {
            "run_id": np.full(n, "bench", object),
            "feed_id": feed,
            "entry_key": url,
            "url": url,
            "final_url": url,
            "article_id": article_id,
            "fetched_at": at,
            "http_status": np.full(n, 200, np.int32),
            "outcome": np.full(n, "ok", object),
            "reason": np.full(n, "ok", object),
            "bytes": np.full(n, 12_000, np.int32),
            "duration_ms": np.full(n, 80.0),
            "version_added": version.astype(np.int32),
        }
    )


def _entries(article_id: np.ndarray, feed: np.ndarray, url: np.ndarray, at: pa.Array) -> pa.Table:
    n = article_id.size
    return pa.table(
        {
            "feed_id": feed,
            "entry_key": url,
            "url": url,
            "article_id": article_id,
            "marker": np.full(n, "", object),
            "state": np.full(n, "ok", object),
            "attempts": np.zeros(n, np.int32),
            "first_seen_at": at,
        }
    )


def _story_events(plan: Plan, start: int, stop: int) -> pa.Table:
    """One row per story started by a first version in [start, stop); events of three stories."""
    originals, position = _stories_started(plan, start, stop)
    story = np.char.add(ids(originals).astype(str), ".1").astype(object)
    event = np.char.add(ids(plan.originals[position - position % 3]).astype(str), ".1")
    at = _story_times(plan, originals)
    n = originals.size
    return pa.table(
        {
            "story_id": story,
            "event_id": event.astype(object),
            "published_at": at,
            "terms": np.full(n, '{"killed": 2, "border": 1}', object),
            "names": pa.array([["Quetta", "Balochistan"]] * n, pa.list_(pa.string())),
            "events_version": np.full(n, "events-bench", object),
        }
    )


def _stories_started(plan: Plan, start: int, stop: int) -> tuple[np.ndarray, np.ndarray]:
    """(original article indices, their positions among all originals) of the stories whose
    first version is a row in [start, stop)."""
    first_rows = np.flatnonzero(plan.version == 1)
    lo, hi = np.searchsorted(first_rows, [start, stop])
    k = np.searchsorted(plan.originals, [lo, hi])
    return plan.originals[k[0] : k[1]], np.arange(k[0], k[1])


def _story_times(plan: Plan, originals: np.ndarray) -> pa.Array:
    return _times(np.flatnonzero(plan.version == 1)[originals])


def _grouping_index(plan: Plan, start: int, stop: int) -> dict[str, pa.Table]:
    """story_anchors, story_profiles, event_profiles and event_names of the stories (and the
    events) started by rows in [start, stop), as storage/grouping_index.py writes them."""
    originals, position = _stories_started(plan, start, stop)
    story = np.char.add(ids(originals).astype(str), ".1").astype(object)
    at = _story_times(plan, originals)
    n = originals.size
    lanes = np.arange(ANCHORS_PER_STORY, dtype=np.uint64)
    mixed = (originals.astype(np.uint64)[:, None] * np.uint64(ANCHORS_PER_STORY) + lanes) * _GOLDEN
    anchor = (mixed >> np.uint64(1)).astype(np.int64)
    common = (mixed % np.uint64(20)) == np.uint64(0)
    anchor[common] = (mixed[common] % np.uint64(COMMON_ANCHORS)).astype(np.int64) * 8
    starts = position % 3 == 0
    return {
        "story_anchors": pa.table(
            {
                "anchor": anchor.ravel(),
                "story_id": np.repeat(story, ANCHORS_PER_STORY),
                "seen_at": at.take(pa.array(np.repeat(np.arange(n), ANCHORS_PER_STORY))),
            }
        ),
        "story_profiles": pa.table(
            {
                "story_id": story,
                "title": np.char.mod("Story %d near the border", originals).astype(object),
                "seen_at": at,
                "unrelated_titles": np.zeros(n, np.int32),
            }
        ),
        **_events(story[starts], at.filter(pa.array(starts)), originals[starts]),
    }


def _events(event: np.ndarray, at: pa.Array, seed: np.ndarray) -> dict[str, pa.Table]:
    n = event.size
    rng = np.random.default_rng(int(seed[0]) if n else 0)
    names = (rng.pareto(1.2, (n, NAMES_PER_EVENT)) * 400).astype(np.int64) % NAME_POOL
    bodies = _profile_bodies()
    return {
        "event_profiles": pa.table(
            {
                "event_id": event,
                "first_seen": at,
                "last_seen": at,
                "n_stories": np.full(n, 3, np.int32),
                "profile": np.array(bodies, object)[seed % len(bodies)],
            }
        ),
        "event_names": pa.table(
            {
                "name": np.char.mod("Name%d", names.ravel()).astype(object),
                "event_id": np.repeat(event, NAMES_PER_EVENT),
                "last_seen": at.take(pa.array(np.repeat(np.arange(n), NAMES_PER_EVENT))),
            }
        ),
    }


def _profile_bodies(count: int = 512) -> list[str]:
    """Event profile JSON of the real shape: a 150-term centroid, 40 names, figures."""
    rng = np.random.default_rng(5)
    bodies = []
    for _ in range(count):
        terms = rng.integers(0, TERM_POOL, 150)
        weights = rng.random(150) / 10
        names = rng.integers(0, NAME_POOL, 40)
        body = {
            "centroid": {
                f"term{t}": round(float(w), 6) for t, w in zip(terms, weights, strict=True)
            },
            "names": {f"Name{k}": 1.0 for k in names},
            "killed": [int(rng.integers(1, 90))],
            "injured": [],
        }
        bodies.append(json.dumps(body, sort_keys=True))
    return bodies


def grouping_df(plan: Plan) -> pa.Table:
    """Document frequencies as the index holds them after the whole plan: '' counts stories,
    terms and '@' + name are long-tailed."""
    stories = plan.originals.size
    rng = np.random.default_rng(7)
    term_n = np.minimum((rng.pareto(1.1, TERM_POOL) * stories / 500).astype(np.int64) + 1, stories)
    name_n = np.minimum((rng.pareto(1.2, NAME_POOL) * 6).astype(np.int64) + 1, stories)
    return pa.table(
        {
            "token": [
                "",
                *np.char.mod("term%d", np.arange(TERM_POOL)).tolist(),
                *np.char.mod("@Name%d", np.arange(NAME_POOL)).tolist(),
            ],
            "n": np.concatenate([[stories], term_n, name_n]).astype(np.int64),
        }
    )


def _claims(
    article_id: np.ndarray, version: np.ndarray, at: pa.Array, rows: np.ndarray
) -> pa.Table:
    chosen = np.flatnonzero((rows % 10 == 0) & (version == 1))
    pick = np.repeat(chosen, 2)
    n = pick.size
    ordinal = np.tile(np.array([0, 1], np.int32), chosen.size)
    value = ((rows[pick] * 7) % 90 + 1).astype(np.int64)
    return pa.table(
        {
            "article_id": article_id[pick],
            "version": version[pick].astype(np.int32),
            "extractor_version": np.full(n, "claims-bench", object),
            "ordinal": ordinal,
            "claimant": np.where(ordinal == 0, "police", "BLA").astype(object),
            "claimant_key": np.where(ordinal == 0, "police", "BLA").astype(object),
            "claimant_kind": np.where(ordinal == 0, "government", "militant_group").astype(object),
            "metric": np.full(n, "killed", object),
            "subject": np.where(rows[pick] % 20 == 0, "security_forces", "civilians").astype(
                object
            ),
            "value": value,
            "value_high": value,
            "qualifier": np.full(n, "exact", object),
            "sentence": np.full(n, "Officials said people were killed.", object),
            "start_offset": np.zeros(n, np.int32),
            "end_offset": np.full(n, 30, np.int32),
            "extracted_at": at.take(pa.array(pick)),
            "scope": np.full(n, "event", object),
        }
    )


def _polls(start: int, stop: int) -> pa.Table:
    """About 29k polls a day (300 feeds every 15 minutes), spread over the same time."""
    every = PER_DAY // (FEEDS * 96)
    rows = np.arange(start + (-start) % every, stop, every)
    n = rows.size
    return pa.table(
        {
            "run_id": np.full(n, "bench", object),
            "feed_id": ids(rows % FEEDS),
            "polled_at": _times(rows),
            "http_status": np.full(n, 304, np.int32),
            "outcome": np.full(n, "not_modified", object),
            "reason": np.full(n, "not_modified", object),
            "entries_seen": np.zeros(n, np.int32),
            "entries_new": np.zeros(n, np.int32),
            "duration_ms": np.full(n, 40.0),
        }
    )


def feeds_table() -> pa.Table:
    index = np.arange(FEEDS)
    feed_id = ids(index)
    return pa.table(
        {
            "feed_id": feed_id,
            "url": np.char.add("https://news.example/feed/", feed_id.astype(str)).astype(object),
            "name": np.char.mod("bench feed %d", index).astype(object),
            "outlet": np.char.mod("outlet-%d", index % 120).astype(object),
            "added_at": _times(np.zeros(FEEDS, np.int64)),
        }
    )


def end_time(n: int) -> datetime:
    return BASE_TIME + timedelta(seconds=n / PER_DAY * 86_400)
