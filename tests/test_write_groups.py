"""A batch is written in groups of whole feeds: a feed's poll (and so its validators) always
lands with all its pages, whatever the group size; copy detection gets the body hashes the
workers computed. Through the flow, the group size changes nothing that is stored."""

import asyncio
from datetime import UTC, datetime

import duckdb
import pytest

from extractors.copies import article_body, shingle_hashes
from extractors.feeds import FeedEntry
from extractors.pages import Article, Page
from extractors.process import process_page
from flows.ingest import ingest
from storage.records import FeedState, PollRow
from wirewatch.ingest import cycle

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def _polled(name: str, pages: int) -> tuple[cycle.Polled, list[cycle.Job]]:
    feed = FeedState(name, f"http://example.com/{name}.xml", name, name, "", "")
    poll = PollRow("run", name, NOW, 200, "ok", "ok", pages, 0, 1.0, "", "")
    entries = tuple(
        FeedEntry(f"{name}-{k}", f"http://example.com/{name}/{k}", "t", NOW, None)
        for k in range(pages)
    )
    return cycle.Polled(feed, poll, entries), [cycle.Job(feed, e, None) for e in entries]


@pytest.mark.parametrize("size", [1, 2, 4, 100])
def test_every_feed_is_written_once_with_all_its_pages(size):
    batch = [_polled(name, n) for name, n in (("a", 3), ("b", 0), ("c", 2), ("d", 1))]
    polled = [p for p, _ in batch]
    jobs = [j for _, js in batch for j in js]

    groups = cycle.write_groups(polled, jobs, size)

    assert sorted(p.feed.feed_id for g in groups for p in g.polled) == ["a", "b", "c", "d"]
    assert sorted(j.entry.key for g in groups for j in g.jobs) == sorted(j.entry.key for j in jobs)
    for group in groups:
        feeds = {p.feed.feed_id for p in group.polled}
        assert {j.feed.feed_id for j in group.jobs} <= feeds
    assert len(groups) == {1: 3, 2: 3, 4: 2, 100: 1}[size]


def test_the_last_group_is_short_so_little_is_left_to_write_after_the_last_page():
    batch = [_polled(f"f{k:02}", 60) for k in range(12)]
    polled, jobs = [p for p, _ in batch], [j for _, js in batch for j in js]

    groups = cycle.write_groups(polled, jobs, 200)

    assert [len(g.jobs) for g in groups] == [240, 240, 180, 60]
    assert [p.feed.feed_id for p in groups[-1].polled] == ["f11"]


def test_a_small_batch_is_not_split_for_its_tail():
    batch = [_polled(name, 10) for name in "abc"]
    polled, jobs = [p for p, _ in batch], [j for _, js in batch for j in js]
    assert len(cycle.write_groups(polled, jobs, 200)) == 1


def test_an_idle_batch_is_one_group():
    polled = [_polled(name, 0)[0] for name in "abc"]
    groups = cycle.write_groups(polled, [], 200)
    assert [[p.feed.feed_id for p in g.polled] for g in groups] == [["a", "b", "c"]]


def test_the_worker_hashes_the_body_copy_detection_compares():
    text = " ".join(f"word{k}" for k in range(300))
    html = f"<html><head><title>A title</title></head><body><article><h1>A title</h1><p>{text}"
    processed = process_page(Page("http://example.com/a", "text/html", html.encode()))
    article = processed.result
    assert isinstance(article, Article)
    assert processed.body_hashes
    assert processed.body_hashes == shingle_hashes(article_body(article.text, article.title))


TABLES = {
    "articles": "SELECT article_id, canonical_url FROM articles",
    "article_versions": "SELECT article_id, version, content_hash FROM article_versions",
    "entries": "SELECT feed_id, entry_key, article_id, state FROM entries",
    "fetches": "SELECT feed_id, url, outcome, version_added FROM fetches",
    "feeds": "SELECT feed_id, etag, last_modified FROM feeds",
    "stories": "SELECT article_id, version, story_id, not_article FROM version_stories",
    "polls": "SELECT feed_id, outcome, entries_seen, entries_new FROM feed_polls",
}


@pytest.mark.integration
def test_one_feed_per_group_stores_what_one_group_stores(
    tmp_path, monkeypatch, prefect_harness, news_site
):
    monkeypatch.setenv("WIREWATCH_ALLOW_PRIVATE_ADDRESSES", "true")
    _, site = news_site
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text(site.feeds_yaml())
    stored = {}
    for size in ("1", "1000"):
        monkeypatch.setenv("WIREWATCH_PAGE_BATCH_SIZE", size)
        db = str(tmp_path / f"groups{size}.duckdb")
        totals = asyncio.run(ingest(feeds_file=str(feeds), db_path=db))
        assert totals["articles_added"] == 3
        with duckdb.connect(db, read_only=True) as con:
            stored[size] = {t: sorted(con.execute(q).fetchall()) for t, q in TABLES.items()}
    assert stored["1"] == stored["1000"]
