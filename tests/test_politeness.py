"""Politeness, end to end on a loopback server: robots.txt is honoured (a disallowed page is
never requested), requests to one host are spaced by the configured minimum, retries get jitter."""

import asyncio
import itertools
import threading
import time
from pathlib import Path

import pytest

from extractors.outcomes import Outcome
from tests.conftest import make_settings
from wirewatch.fetch import politeness
from wirewatch.fetch.net import HostLimiter, build_client, fetch
from wirewatch.fetch.politeness import DEFAULTS
from wirewatch.sample_site.server import Reply, Request, SiteServer

pytestmark = pytest.mark.integration

ROBOTS = b"User-agent: *\nDisallow: /private/\n"


class _LoggingSite:
    """Answers every path; robots.txt disallows /private/. Keeps (path, monotonic time)."""

    def __init__(self, robots: bytes | None = ROBOTS) -> None:
        self.robots, self.log, self._lock = robots, [], threading.Lock()

    def __call__(self, request: Request) -> Reply:
        with self._lock:
            self.log.append((request.path, time.monotonic()))
        if request.path == "/robots.txt":
            return Reply(200, self.robots) if self.robots is not None else Reply(404)
        return Reply(200, b"<html><body>hello</body></html>", {"Content-Type": "text/html"})

    def paths(self) -> list[str]:
        return [path for path, _ in self.log]


def fetch_all(base_url: str, paths: list[str], polite=DEFAULTS, **overrides):
    """Fetch `paths` concurrently with robots.txt on (and `polite`: one feed's opt-outs)."""
    settings = make_settings(Path("/nonexistent"), respect_robots=True, **overrides)

    async def go():
        async with build_client(settings) as client:
            limiter = HostLimiter(4, 16)
            return await asyncio.gather(
                *(fetch(client, limiter, base_url + p, settings, polite=polite) for p in paths)
            )

    return asyncio.run(go())


def test_a_page_robots_txt_disallows_is_never_requested():
    site = _LoggingSite()
    with SiteServer(site) as server:
        results = fetch_all(server.base_url, ["/feed.xml", "/private/page", "/news/1"])
    by_path = {r.url.removeprefix(server.base_url): r for r in results}
    assert by_path["/private/page"].outcome is Outcome.BLOCKED
    assert by_path["/private/page"].reason == "robots_disallowed"
    assert by_path["/feed.xml"].outcome is Outcome.OK
    assert "/private/page" not in site.paths()
    assert site.paths().count("/robots.txt") == 1  # fetched once for the host, then cached


def test_requests_to_one_host_are_spaced_by_the_minimum_delay():
    site = _LoggingSite()
    with SiteServer(site) as server:
        fetch_all(server.base_url, ["/a", "/b", "/c"], min_host_delay_s=0.3)
    starts = [at for _, at in site.log]
    assert len(starts) == 4  # robots.txt and three pages
    gaps = [later - earlier for earlier, later in itertools.pairwise(starts)]
    assert min(gaps) >= 0.3 - 0.01, gaps  # 10 ms for the server thread's clock reading


def test_crawl_delay_in_robots_txt_lengthens_the_delay():
    site = _LoggingSite(b"User-agent: *\nCrawl-delay: 0.4\n")
    with SiteServer(site) as server:
        fetch_all(server.base_url, ["/a", "/b"], min_host_delay_s=0.05)
    pages = [at for path, at in site.log if path != "/robots.txt"]
    assert pages[1] - pages[0] >= 0.4 - 0.01


def test_exempt_hosts_and_a_missing_robots_txt_allow_everything():
    site = _LoggingSite(robots=None)
    with SiteServer(site) as server:
        results = fetch_all(server.base_url, ["/private/x"])
        assert results[0].outcome is Outcome.OK
        politeness.forget()
        site.robots = ROBOTS
        exempt = fetch_all(server.base_url, ["/private/y"], polite_exempt_hosts=["127.0.0.1"])
    assert exempt[0].outcome is Outcome.OK
    assert "/private/y" in site.paths()


def test_retry_delays_get_jitter_within_the_configured_share():
    settings = make_settings(Path("/nonexistent"), retry_jitter=0.5)
    delays = {politeness.jittered(1.0, settings) for _ in range(50)}
    assert all(1.0 <= d <= 1.5 for d in delays)
    assert len(delays) > 1
