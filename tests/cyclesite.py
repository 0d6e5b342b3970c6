"""A loopback site a test edits between cycles: feeds of dated items, pages whose body can
change without their feed saying so, pages that fail, ETags everywhere (304s honoured).

- `/<feed>.xml`: an RSS feed of the feed's items, newest first (guid, pubDate, title,
  description); with `broken`, a body that is not XML. Two items may share a page (`n`).
- `/<feed>/<n>`: item n's page, an article of a few paragraphs carrying its `body`; 503 while
  the item is in `failing`.
Every response carries an ETag of its body and answers 304 to a matching If-None-Match (a
`sloppy_304` feed to any).
`requests` counts the requests per path and status.
"""

from __future__ import annotations

import hashlib
import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

from wirewatch.sample_site.server import Reply, Request

T0 = datetime(2026, 2, 1, 7, 0, tzinfo=UTC)
BROKEN = b"<?xml version='1.0'?><rss><channel><item>"


@dataclass
class Item:
    n: int
    published: datetime
    title: str
    summary: str
    body: str
    guid: str = ""  # '' : "<feed>-<n>"; an aggregator may list one page under other guids


@dataclass
class Feed:
    items: list[Item] = field(default_factory=list)
    broken: bool = False
    sloppy_304: bool = False  # answers 304 to any If-None-Match (a cache that lags its origin)


def _etag(body: bytes) -> str:
    return '"' + hashlib.sha1(body).hexdigest()[:12] + '"'


def page_html(title: str, body: str) -> bytes:
    paragraph = f"<p>{body} Officials gave the figure at a briefing on the attack.</p>"
    return (
        f"<html lang='en'><head><title>{title}</title></head><body><article><h1>{title}</h1>"
        + paragraph * 6
        + "</article></body></html>"
    ).encode()


class CycleSite:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.feeds: dict[str, Feed] = {}
        self.failing: set[tuple[str, int]] = set()
        self.requests: Counter[tuple[str, int]] = Counter()
        self._lock = threading.Lock()

    def add_feed(self, name: str, count: int, start: datetime = T0) -> Feed:
        """A feed of `count` items, item k published k minutes after `start`."""
        items = [
            Item(
                k,
                start + timedelta(minutes=k),
                f"{name} story {k}",
                f"Summary of {name} story {k}.",
                f"In {name} story {k}, {k + 3} people were killed.",
            )
            for k in range(count)
        ]
        self.feeds[name] = Feed(items)
        return self.feeds[name]

    def item(self, feed: str, n: int) -> Item:
        return next(i for i in self.feeds[feed].items if i.n == n)

    def feeds_yaml(self, names: list[str] | None = None) -> str:
        lines = [
            f"- url: {self.base_url}/{name}.xml\n  name: {name}"
            for name in (names or list(self.feeds))
        ]
        return "feeds:\n" + "\n".join(lines) + "\n"

    def rss(self, name: str) -> bytes:
        items = sorted(self.feeds[name].items, key=lambda i: i.published, reverse=True)
        xml = "".join(
            f'<item><guid isPermaLink="false">{i.guid or f"{name}-{i.n}"}</guid>'
            f"<link>/{name}/{i.n}</link>"
            f"<title>{i.title}</title><description>{i.summary}</description>"
            f"<pubDate>{format_datetime(i.published, usegmt=True)}</pubDate></item>"
            for i in items
        )
        head = '<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>'
        return f"{head}{xml}</channel></rss>".encode()

    def __call__(self, request: Request) -> Reply:
        reply = self._answer(request.path)
        feed = self.feeds.get(request.path.strip("/").removesuffix(".xml"))
        if feed and feed.sloppy_304 and request.headers.get("if-none-match"):
            reply = Reply(304, b"")
        elif reply.status == 200:
            etag = _etag(reply.body)
            if request.headers.get("if-none-match") == etag:
                reply = Reply(304, b"", {"ETag": etag})
            else:
                reply = Reply(200, reply.body, {**reply.headers, "ETag": etag})
        with self._lock:
            self.requests[(request.path, reply.status)] += 1
        return reply

    def _answer(self, path: str) -> Reply:
        name, _, rest = path.strip("/").partition("/")
        if not rest and name.endswith(".xml") and name[:-4] in self.feeds:
            feed = self.feeds[name[:-4]]
            body = BROKEN if feed.broken else self.rss(name[:-4])
            return Reply(200, body, {"Content-Type": "application/rss+xml"})
        if name in self.feeds and rest.isdigit():
            if (name, int(rest)) in self.failing:
                return Reply(503, b"busy")
            item = self.item(name, int(rest))
            html = {"Content-Type": "text/html; charset=utf-8"}
            return Reply(200, page_html(item.title, item.body), html)
        return Reply(404, b"not found")

    def count(self, path: str, status: int | None = None) -> int:
        with self._lock:
            found = self.requests.items()
            return sum(n for (p, s), n in found if p == path and status in (None, s))
