"""`wirewatch feeds list|add|remove`: edit the feeds file, show each feed's health.

`add` accepts a page URL too: when the URL does not answer with a feed, the feed it links to
(trafilatura's feed discovery on the page we fetched ourselves) is added instead. It names the
feed by the feed's own title (unless `--name`) and appends it to the file's text, so the
file's comments stay. `remove` only edits the feeds file: what was stored from the feed stays
in the database.
"""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import urlsplit

from extractors.feeds import FeedParseError, parse_feed
from extractors.outcomes import Outcome
from wirewatch.feedlist import (
    FeedListError,
    FeedSpec,
    add_to_feeds_text,
    feed_spec,
    load_feeds,
    write_feeds,
)
from wirewatch.fetch.net import HostLimiter, Response, build_client, fetch
from wirewatch.settings import Settings


async def _get(url: str, settings: Settings) -> Response:
    async with build_client(settings) as client:
        return await fetch(client, HostLimiter(1, 1), url, settings)


def fetch_once(url: str, settings: Settings) -> Response:
    """One GET of `url` with the ingest's fetcher and address policy."""
    return asyncio.run(_get(url, settings))


def _feed_title(url: str, settings: Settings) -> tuple[Response, str | None]:
    """The response for `url`, and its feed's title when it is a feed (None: not a feed)."""
    response = asyncio.run(_get(url, settings))
    if response.outcome is not Outcome.OK:
        raise FeedListError(f"{url}: {response.reason}")
    try:
        return response, parse_feed(response.body, response.final_url, response.content_type).title
    except FeedParseError:
        return response, None  # a page, not a feed


def discover_feed(url: str, settings: Settings) -> tuple[str, str]:
    """(`url`, its title) when it serves a feed, else the first feed its page links to."""
    from trafilatura.feeds import FeedParameters, determine_feed

    response, title = _feed_title(url, settings)
    if title is not None:
        return url, title
    html = response.body.decode("utf-8", errors="replace")
    domain = urlsplit(response.final_url).netloc
    found = determine_feed(html, FeedParameters(response.final_url, domain, response.final_url))
    if not found:
        raise FeedListError(f"{url}: neither a feed nor a page that links to one")
    return str(found[0]), _feed_title(str(found[0]), settings)[1] or ""


def add_feed(
    settings: Settings, url: str, name: str | None = None, discover: bool = True
) -> FeedSpec | None:
    """Add a feed to the feeds file, named `name` or by its title; None when it was there
    already. The file's other lines and comments stay as they were."""
    path = settings.feeds_file
    if path.suffix.lower() == ".opml":
        raise FeedListError(f"{path}: an OPML feeds file is edited by hand, not by `feeds add`")
    feeds = load_feeds(path) if path.exists() else []
    feed_url, title = discover_feed(url, settings) if discover else (url, "")
    if any(spec.url == feed_url for spec in feeds):
        return None
    spec = feed_spec(feed_url, name or title.strip() or None)
    text = path.read_text(encoding="utf-8") if path.exists() else "feeds:\n"
    added = add_to_feeds_text(text, spec)
    if added is None or not _lists(added, [*feeds, spec]):
        write_feeds(path, [*feeds, spec])  # a layout it cannot extend: rewrite the list
    else:
        path.write_text(added, encoding="utf-8")
    return spec


def _lists(text: str, expected: list[FeedSpec]) -> bool:
    """Whether the feeds text lists exactly `expected`'s URLs (the appended text is checked
    before it replaces the file)."""
    import yaml

    try:
        items = (yaml.safe_load(text) or {}).get("feeds") or []
    except (yaml.YAMLError, AttributeError):
        return False
    return [str(item.get("url", "")) for item in items if isinstance(item, dict)] == [
        spec.url for spec in expected
    ]


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
