"""`wirewatch feeds list|add|remove`: edit the feeds file, show each feed's health.

`add` accepts a page URL too: when the URL does not answer with a feed, the feed it links to
(trafilatura's feed discovery on the page we fetched ourselves) is added instead. `remove` only
edits the feeds file: what was stored from the feed stays in the database.
"""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import urlsplit

from extractors.feeds import FeedParseError, parse_feed
from extractors.outcomes import Outcome
from wirewatch.feedlist import FeedListError, FeedSpec, feed_spec, load_feeds, write_feeds
from wirewatch.fetch.net import HostLimiter, Response, build_client, fetch
from wirewatch.settings import Settings


async def _get(url: str, settings: Settings) -> Response:
    async with build_client(settings) as client:
        return await fetch(client, HostLimiter(1, 1), url, settings)


def discover_feed(url: str, settings: Settings) -> str:
    """`url` itself when it serves a feed, else the first feed its page links to."""
    from trafilatura.feeds import FeedParameters, determine_feed

    response = asyncio.run(_get(url, settings))
    if response.outcome is not Outcome.OK:
        raise FeedListError(f"{url}: {response.reason}")
    try:
        parse_feed(response.body, response.final_url, response.content_type)
        return url
    except FeedParseError:
        pass  # a page, not a feed: look for the feed it links to
    html = response.body.decode("utf-8", errors="replace")
    domain = urlsplit(response.final_url).netloc
    found = determine_feed(html, FeedParameters(response.final_url, domain, response.final_url))
    if not found:
        raise FeedListError(f"{url}: neither a feed nor a page that links to one")
    return str(found[0])


def add_feed(
    settings: Settings, url: str, name: str | None = None, discover: bool = True
) -> FeedSpec | None:
    """Add a feed to the feeds file; None when it was there already."""
    feeds = load_feeds(settings.feeds_file) if settings.feeds_file.exists() else []
    feed_url = discover_feed(url, settings) if discover else url
    if any(spec.url == feed_url for spec in feeds):
        return None
    spec = feed_spec(feed_url, name)
    write_feeds(settings.feeds_file, [*feeds, spec])
    return spec


def remove_feed(settings: Settings, url: str) -> bool:
    """Remove a feed from the feeds file; False when it was not there."""
    feeds = load_feeds(settings.feeds_file)
    kept = [spec for spec in feeds if spec.url != url]
    if len(kept) == len(feeds):
        return False
    write_feeds(settings.feeds_file, kept)
    return True


_COLUMNS = (
    "consecutive_failures",
    "last_outcome",
    "last_success_at",
    "share_304",
    "entries_per_day",
    "next_poll_at",
    "pages_pending",
    "revisits_24h",
)


def list_feeds(settings: Settings) -> list[dict[str, Any]]:
    """The feeds file's feeds with their health columns (empty until a run polled them)."""
    from storage.health import feed_health
    from wirewatch.settings import open_db

    health: dict[str, dict[str, Any]] = {}
    if settings.db_path.exists():
        with open_db(settings, read_only=True) as con:
            health = {row["url"]: row for row in feed_health(con)}
    rows = []
    for spec in load_feeds(settings.feeds_file):
        known = health.get(spec.url, {})
        rows.append({"feed": spec.name, "url": spec.url, **{c: known.get(c) for c in _COLUMNS}})
    return rows
