"""The rsspool-dev stream served on loopback, one snapshot at a time.

`GET /<source>/rss.xml` answers the feed as the upstream job wrote it at the current snapshot,
its links rewritten to `<base>/<original host>/<path>`; a source absent from the snapshot answers
404. Each article page shows the latest version of its link seen at or before the snapshot (from
the link's home source) and stays up after the item leaves the feed. Feeds and pages carry an
ETag and Last-Modified, so an unchanged one answers 304.

A page is rendered the way news sites render one: the headline, a byline with the "Updated" time
of the version, the body, and share links. The chrome moves with every version (the stamp) and
with nothing else, as on a real site; it must not by itself make a version (issue 18, item 5).
The stream is read in place from ../shared (research only: never copied into the repository).
"""

from __future__ import annotations

import hashlib
import html
import importlib.util
import sys
from datetime import datetime
from email.utils import format_datetime
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import urlsplit

from wirewatch.sample_site.server import Reply, Request


def load_reader(folder: Path) -> ModuleType:
    """The stream's own reader (rsspool.py), imported from its folder."""
    spec = importlib.util.spec_from_file_location("rsspool", folder / "rsspool.py")
    if spec is None or spec.loader is None:
        raise FileNotFoundError(folder / "rsspool.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["rsspool"] = module
    spec.loader.exec_module(module)
    return module


def local_path(link: str) -> str:
    """The path a link is served under: its host and path (query kept)."""
    return "/" + link.split("://", 1)[-1]


def snapshot_time(stream: Any, k: int) -> datetime:
    return datetime.fromisoformat(stream.snapshots[k]["time"].replace("Z", "+00:00"))


def page_html(item: dict[str, Any], seen_at: datetime) -> bytes:
    title = html.escape(item["title"])
    body = item["content"] or ""
    if "<" not in body:  # a plain-text summary
        body = "".join(f"<p>{html.escape(p)}</p>" for p in body.splitlines() if p.strip())
    byline = html.escape(item.get("creator") or "Staff")
    stamp = seen_at.strftime("%B %d, %Y %I:%M %p UTC")
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        f'<meta property="article:modified_time" content="{seen_at.isoformat()}">'
        f'</head><body><header><nav><a href="/">Home</a> <a href="/world">World</a></nav>'
        f"</header><main><article><h1>{title}</h1>"
        f'<p class="byline">By {byline}</p><p class="updated">Updated {stamp}</p>'
        f"{body}"
        '<ul class="share"><li><a href="#">Share on X</a></li><li><a href="#">Share on '
        'Facebook</a></li><li><a href="#">Copy link</a></li></ul>'
        "</article></main><footer><p>Copyright the publisher.</p></footer></body></html>"
    ).encode()


class PoolSite:
    """Serves snapshot `k` of the stream; set `k` and `base_url` before each cycle."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self.k = 0
        self.base_url = ""
        stream._index_pages()
        self.links = {local_path(link): link for link in stream._pages}

    def link_map(self, link: str) -> str:
        return self.base_url + local_path(link)

    def link_of(self, url: str) -> str | None:
        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        return self.links.get(path) or self.links.get(parts.path)

    def __call__(self, request: Request) -> Reply:
        source, _, rest = request.path.strip("/").partition("/")
        if rest == "rss.xml" and source in self.stream.feeds:
            return self._feed(source, request)
        query = "&".join(f"{k}={v}" for k, v in request.query.items())
        link = self.links.get(request.path + (f"?{query}" if query else "")) or self.links.get(
            request.path
        )
        shown = self.stream.page(self.k, link) if link else None
        if shown is None:
            return Reply(404, b"")
        item, since = shown
        seen_at = snapshot_time(self.stream, since)
        return _cached(request, page_html(item, seen_at), seen_at, "text/html; charset=utf-8")

    def _feed(self, source: str, request: Request) -> Reply:
        if source not in self.stream.snapshots[self.k]["feeds"]:
            return Reply(404, b"")
        body = self.stream.feed_xml(self.k, source, link_map=self.link_map)
        return _cached(request, body, snapshot_time(self.stream, self.k), "application/rss+xml")


def _cached(request: Request, body: bytes, modified: datetime, content_type: str) -> Reply:
    etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
    headers = {"ETag": etag, "Last-Modified": format_datetime(modified, usegmt=True)}
    if request.headers.get("if-none-match") == etag:
        return Reply(304, b"", headers)
    return Reply(200, body, {**headers, "Content-Type": content_type})
