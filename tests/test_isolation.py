"""The isolation boundary: an exception while handling one feed or one page becomes an
`internal_error` row named after the exception; every other feed and page goes on."""

import asyncio

import pytest

from storage.records import FeedState
from tests.faultsite import PAGE, rss
from wirewatch.ingest import cycle
from wirewatch.sample_site.server import Reply, SiteServer


@pytest.fixture
def site():
    holder = []

    def app(request):
        if request.path.endswith(".xml"):
            return Reply(200, rss(holder[0], [request.path.replace(".xml", ".html")]))
        return Reply(200, PAGE, {"Content-Type": "text/html"})

    with SiteServer(app) as server:
        holder.append(server.base_url)
        yield server.base_url


def _feed(base, name):
    return FeedState(name, f"{base}/{name}.xml", name, name, "", "")


def test_a_feed_that_breaks_the_parser_is_an_internal_error_and_the_others_go_on(
    site, settings, monkeypatch
):
    real = cycle.parse_feed

    def fragile(body, url, content_type):
        if "bad" in url:
            raise RecursionError("deep")
        return real(body, url, content_type)

    monkeypatch.setattr(cycle, "parse_feed", fragile)
    polled = asyncio.run(cycle.poll_feeds([_feed(site, "bad"), _feed(site, "good")], settings, "r"))
    outcomes = {p.feed.name: (p.poll.outcome, p.poll.reason) for p in polled}
    assert outcomes == {"bad": ("internal_error", "RecursionError"), "good": ("ok", "ok")}


def test_a_page_that_breaks_extraction_is_an_internal_error_and_the_others_go_on(
    site, settings, monkeypatch
):
    real = cycle.process_page

    def fragile(page, *args):
        if "bad" in page.url:
            raise MemoryError
        return real(page, *args)

    monkeypatch.setattr(cycle, "process_page", fragile)
    polled = asyncio.run(cycle.poll_feeds([_feed(site, "bad"), _feed(site, "good")], settings, "r"))
    _, jobs = cycle.plan_fetches(polled, {}, settings)
    done = asyncio.run(cycle.fetch_and_extract(jobs, settings, None))
    batch = cycle.assemble_batch(polled, done, "r")
    rows = {f.url.rsplit("/", 1)[1]: (f.outcome, f.reason) for f in batch.fetches}
    assert rows == {"bad.html": ("internal_error", "MemoryError"), "good.html": ("ok", "ok")}
    assert len(batch.pages) == 1


def test_an_empty_feeds_file_is_an_empty_run(tmp_path, prefect_harness):
    from flows.ingest import ingest

    feeds = tmp_path / "feeds.yaml"
    feeds.write_text("")
    totals = asyncio.run(ingest(feeds_file=str(feeds), db_path=str(tmp_path / "db.duckdb")))
    assert totals == {}


def test_pages_whose_extraction_worker_died_are_internal_errors(site, settings):
    import os
    import signal

    from wirewatch.extract.workers import WorkerPool

    polled = asyncio.run(cycle.poll_feeds([_feed(site, "a"), _feed(site, "b")], settings, "r"))
    _, jobs = cycle.plan_fetches(polled, {}, settings)
    with WorkerPool(1) as pool:
        os.kill(pool.pids[0], signal.SIGKILL)
        done = asyncio.run(cycle.fetch_and_extract(jobs, settings, pool))
    batch = cycle.assemble_batch(polled, done, "r")
    rows = [(f.outcome, f.reason) for f in batch.fetches]
    assert rows == [("internal_error", "BrokenProcessPool")] * 2
    assert not batch.pages
