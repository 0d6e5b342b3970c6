"""Politeness towards the sites we poll: robots.txt, a minimum delay between requests to one
host (or the site's Crawl-delay, whichever is longer), and jitter on retry delays.

`wirewatch.fetch.net.fetch` asks `admit()` before every request. robots.txt is fetched once per host
and cached for `robots_ttl_s`; a robots.txt that is missing (4xx) or unreachable (5xx, network
error) allows everything, so a feed's own failure is recorded with its own reason.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from protego import Protego

from wirewatch.settings import Settings

#: Fetches a URL (address policy, redirects and size caps applied): (HTTP status, body).
RobotsGetter = Callable[[str], Awaitable[tuple[int | None, bytes]]]

ROBOTS_DISALLOWED = "robots_disallowed"


@dataclass(frozen=True, slots=True)
class FeedPoliteness:
    """One feed's opt-outs from the feeds file; None keeps the global setting."""

    robots: bool | None = None  # False: this feed's requests skip robots.txt
    min_delay_s: float | None = None  # this feed's gap after its own requests to a host

    def respects_robots(self, settings: Settings) -> bool:
        return settings.respect_robots if self.robots is None else self.robots

    def delay_s(self, settings: Settings) -> float:
        return settings.min_host_delay_s if self.min_delay_s is None else self.min_delay_s


DEFAULTS = FeedPoliteness()


@dataclass(frozen=True, slots=True)
class _Rules:
    parser: Protego | None  # None: everything allowed
    expires: float


_robots: dict[str, _Rules] = {}  # origin -> rules, for this process
_next_slot: dict[str, float] = {}  # host -> monotonic time the next request may start
_pending: dict[str, asyncio.Future[_Rules]] = {}  # origin -> robots.txt request in flight


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "", "", ""))


def _exempt(url: str, settings: Settings) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return host in {h.lower() for h in settings.polite_exempt_hosts}


async def _rules(origin: str, get: RobotsGetter, settings: Settings) -> _Rules:
    """The cached rules of `origin`; feeds polled together wait for one robots.txt request."""
    cached = _robots.get(origin)
    if cached and cached.expires > time.monotonic():
        return cached
    pending = _pending.get(origin)
    if pending is None or pending.get_loop() is not asyncio.get_running_loop():
        pending = asyncio.ensure_future(_load(origin, get, settings))
        _pending[origin] = pending
    try:
        return await asyncio.shield(pending)
    finally:
        if pending.done() and _pending.get(origin) is pending:
            del _pending[origin]


async def _load(origin: str, get: RobotsGetter, settings: Settings) -> _Rules:
    await _wait_turn(urlsplit(origin).netloc.lower(), settings.min_host_delay_s)
    status, body = await get(origin + "/robots.txt")
    now = time.monotonic()
    parser = None
    if status is not None and 200 <= status < 300:
        parser = Protego.parse(body.decode("utf-8", errors="replace"))
    rules = _Rules(parser, now + settings.robots_ttl_s)
    _robots[origin] = rules
    return rules


async def _wait_turn(host: str, delay_s: float) -> None:
    """Reserve the host's next start time, then sleep until it (no lock needed: the
    reservation happens without an await in between, on one event loop)."""
    now = time.monotonic()
    start = max(now, _next_slot.get(host, now))
    _next_slot[host] = start + delay_s
    if start > now:
        await asyncio.sleep(start - now)


async def allowed(
    url: str, get: RobotsGetter, settings: Settings, feed: FeedPoliteness = DEFAULTS
) -> str:
    """robots.txt only, no waiting: '' when `url` may be fetched, else a fixed reason. Checked
    for every redirect hop too (the first request goes through `admit`)."""
    if _exempt(url, settings) or not feed.respects_robots(settings):
        return ""
    rules = await _rules(_origin(url), get, settings)
    if rules.parser is not None and not rules.parser.can_fetch(url, settings.user_agent):
        return ROBOTS_DISALLOWED
    return ""


async def admit(
    url: str, get: RobotsGetter, settings: Settings, feed: FeedPoliteness = DEFAULTS
) -> str:
    """Wait for this host's turn; return '' when `url` may be fetched, else a fixed reason."""
    if _exempt(url, settings):
        return ""
    delay = feed.delay_s(settings)
    if feed.respects_robots(settings):
        rules = await _rules(_origin(url), get, settings)
        if rules.parser is not None:
            if not rules.parser.can_fetch(url, settings.user_agent):
                return ROBOTS_DISALLOWED
            crawl_delay = rules.parser.crawl_delay(settings.user_agent)
            delay = max(delay, min(float(crawl_delay or 0), settings.max_crawl_delay_s))
    if delay > 0:  # a feed with no delay neither waits for nor holds back the host's turn
        await _wait_turn(urlsplit(url).netloc.lower(), delay)
    return ""


def jittered(delay_s: float, settings: Settings) -> float:
    """`delay_s` stretched by a random share up to `retry_jitter`, so that clients that failed
    together do not retry together."""
    return delay_s * (1.0 + random.uniform(0.0, settings.retry_jitter))


def forget() -> None:
    """Drop cached robots.txt rules and host turns (tests; a long-lived process never needs it)."""
    _robots.clear()
    _next_slot.clear()
    _pending.clear()
