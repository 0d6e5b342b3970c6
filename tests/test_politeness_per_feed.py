"""Politeness opt-outs per feed (`robots: false`, `min_delay_s: 0` in feeds.yaml), carried from
the feeds file through the database to the feed's poll and its pages' fetches; and robots.txt
checked on every redirect hop."""

import asyncio
import time
from datetime import UTC, datetime

import pytest

from extractors.feeds import FeedEntry
from extractors.outcomes import Outcome
from storage.db import connect
from storage.records import FeedRow, FeedState, load_feed_states, sync_feeds
from tests.conftest import make_settings
from tests.test_politeness import fetch_all
from wirewatch.feedlist import FeedListError, load_feeds, write_feeds
from wirewatch.fetch.politeness import FeedPoliteness
from wirewatch.ingest import cycle
from wirewatch.sample_site.server import Reply, Request, SiteServer

pytestmark = pytest.mark.integration

ROBOTS = b"User-agent: *\nDisallow: /private/\n"


class _Site:
    """robots.txt disallows /private/; /go redirects into it. Logs every path requested."""

    def __init__(self) -> None:
        self.log: list[str] = []

    def __call__(self, request: Request) -> Reply:
        self.log.append(request.path)
        if request.path == "/robots.txt":
            return Reply(200, ROBOTS)
        if request.path == "/go":
            return Reply(302, b"", {"Location": "/private/page"})
        return Reply(200, b"<html><body>hello</body></html>", {"Content-Type": "text/html"})


def test_a_feed_with_robots_false_skips_robots_txt_for_its_requests():
    site = _Site()
    with SiteServer(site) as server:
        [result] = fetch_all(server.base_url, ["/private/page"], FeedPoliteness(robots=False))
    assert result.outcome is Outcome.OK
    assert site.log == ["/private/page"]  # robots.txt was not even asked for


def test_a_feed_with_min_delay_0_is_not_spaced_by_the_global_delay():
    site = _Site()
    with SiteServer(site) as server:
        started = time.monotonic()
        results = fetch_all(
            server.base_url, ["/a", "/b", "/c"], FeedPoliteness(min_delay_s=0), min_host_delay_s=5
        )
        elapsed = time.monotonic() - started
    assert [r.outcome for r in results] == [Outcome.OK] * 3
    assert elapsed < 5  # the global 5 s between requests would make it >= 15 s


def test_a_redirect_into_a_disallowed_path_is_blocked_before_the_hop_is_requested():
    site = _Site()
    with SiteServer(site) as server:
        [result] = fetch_all(server.base_url, ["/go"])
    assert (result.outcome, result.reason) == (Outcome.BLOCKED, "robots_disallowed")
    assert "/private/page" not in site.log
    assert site.log.count("/go") == 1


def test_a_redirect_hop_is_not_checked_for_a_feed_that_opted_out():
    site = _Site()
    with SiteServer(site) as server:
        [result] = fetch_all(server.base_url, ["/go"], FeedPoliteness(robots=False))
    assert result.outcome is Outcome.OK
    assert "/private/page" in site.log


def test_the_feeds_file_keys_are_read_checked_and_written_back(tmp_path):
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text(
        "feeds:\n- url: http://a.example/rss\n  robots: false\n  min_delay_s: 0\n"
        "- url: http://b.example/rss\n"
    )
    specs = load_feeds(feeds)
    assert [(s.robots, s.min_delay_s) for s in specs] == [(False, 0.0), (None, None)]
    write_feeds(feeds, specs)
    assert load_feeds(feeds) == specs  # `false` and `0` survive a rewrite
    for bad, message in [("robots: no-thanks", "`robots`"), ("min_delay_s: -1", "`min_delay_s`")]:
        feeds.write_text(f"feeds:\n- url: http://a.example/rss\n  {bad}\n")
        with pytest.raises(FeedListError, match=message):
            load_feeds(feeds)


def test_the_opt_outs_are_stored_with_the_feed_and_reach_its_page_fetches(tmp_path):
    now = datetime.now(UTC)
    site = _Site()
    with SiteServer(site) as server:
        url = f"{server.base_url}/feed"
        with connect(tmp_path / "db.duckdb") as con:
            sync_feeds(con, [FeedRow("f1", url, "F", "f", None, now, False, 0.0)])
            [state] = load_feed_states(con, ["f1"])
        assert (state.robots, state.min_delay_s) == (False, 0.0)
        settings = make_settings(tmp_path, respect_robots=True, min_host_delay_s=5)
        entry = FeedEntry("k", f"{server.base_url}/private/page", "t", None, None)
        [done] = asyncio.run(
            cycle.fetch_and_extract([cycle.Job(state, entry, None)], settings, None)
        )
        polite = FeedState("f2", url, "G", "g", "", "")  # the settings: robots.txt honoured
        [refused] = asyncio.run(
            cycle.fetch_and_extract([cycle.Job(polite, entry, None)], settings, None)
        )
    assert done.response.outcome is Outcome.OK
    assert (refused.response.outcome, refused.response.reason) == (
        Outcome.BLOCKED,
        "robots_disallowed",
    )
