"""The sample news site as an `App`: outlets' feeds and pages at the current replay step,
conditional GET where the outlet supports it, and a control endpoint to change the step.

    GET  /                      index of feeds
    GET  /<outlet>/rss.xml      RSS 2.0 (or /<outlet>/atom.xml for Atom outlets)
    GET  /<outlet>/news/<slug>.html
    GET  /_control/step         the current step
    POST /_control/step?n=3     move the replay to step 3
"""

from __future__ import annotations

import hashlib
import threading
from datetime import datetime
from email.utils import parsedate_to_datetime

import yaml

from wirewatch.sample_site import newsroom, render
from wirewatch.sample_site.server import Reply, Request

_HTML = {"Content-Type": "text/html; charset=utf-8"}


class NewsSite:
    """The replayed story; thread-safe, since the server answers from many threads."""

    def __init__(self, base_url: str, step: int = 1) -> None:
        self.base_url = base_url
        self._lock = threading.Lock()
        self._step = step
        self.outlets = {o.slug: o for o in newsroom.OUTLETS}

    @property
    def step(self) -> int:
        with self._lock:
            return self._step

    def set_step(self, step: int) -> None:
        if not 1 <= step <= newsroom.LAST_STEP:
            raise ValueError(f"step must be 1..{newsroom.LAST_STEP}")
        with self._lock:
            self._step = step

    def feeds_yaml(self) -> str:
        items = [
            {
                "url": self.base_url + render.feed_path(o),
                "name": o.name,
                "outlet": o.slug,
                **({"agency": o.agency} if o.agency else {}),
            }
            for o in self.outlets.values()
        ]
        return yaml.safe_dump({"feeds": items}, sort_keys=False)

    def __call__(self, request: Request) -> Reply:
        if request.path == "/_control/step":
            return self._control(request)
        stories = newsroom.published_at(self.step)
        for outlet in self.outlets.values():
            mine = [s for s in stories if s.outlet == outlet.slug]
            if request.path == render.feed_path(outlet):
                return self._feed(request, outlet, mine)
            for story in mine:
                if request.path == render.story_path(story):
                    related = [s for s in stories if s is not story][:4]
                    return Reply(
                        200, render.article_page(story, outlet, self.base_url, related), dict(_HTML)
                    )
        if request.path == "/":
            return Reply(200, self.feeds_yaml().encode(), {"Content-Type": "text/plain"})
        return Reply(404, b"<html><body><h1>Not found</h1></body></html>", dict(_HTML))

    def _control(self, request: Request) -> Reply:
        if request.method == "POST":
            try:
                self.set_step(int(request.query.get("n", "")))
            except ValueError as exc:
                return Reply(400, str(exc).encode())
        return Reply(200, f"{self.step}\n".encode(), {"Content-Type": "text/plain"})

    def _feed(
        self, request: Request, outlet: newsroom.Outlet, items: list[newsroom.Story]
    ) -> Reply:
        body = render.feed_document(outlet, self.base_url, items)
        mime = "application/atom+xml" if outlet.feed_format == "atom" else "application/rss+xml"
        headers = {"Content-Type": f"{mime}; charset=utf-8"}
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        newest = max((s.updated or s.published for s in items), default=None)
        if outlet.conditional in ("etag", "both"):
            headers["ETag"] = etag
            if request.headers.get("if-none-match") == etag:
                return Reply(304, b"", headers)
        if outlet.conditional in ("last_modified", "both") and newest:
            headers["Last-Modified"] = render.http_date(newest)
            since = _parse_http_date(request.headers.get("if-modified-since", ""))
            if since and "ETag" not in headers and since >= newest:
                return Reply(304, b"", headers)
        return Reply(200, body, headers)


def _parse_http_date(value: str) -> datetime | None:
    try:
        return parsedate_to_datetime(value) if value else None
    except (TypeError, ValueError):
        return None
