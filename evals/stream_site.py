"""The gva-dev stream as outlet sites on loopback, replayed through the real ingest flow.

One RSS feed per outlet lists the outlet's articles published up to the current cycle; each
article is an HTML page (headline, date metadata, paragraphs) that trafilatura extracts. Each
cycle is one run of the ingest flow (Prefect, extraction workers, DuckDB writes).
"""

from __future__ import annotations

import asyncio
import html
import os
import time
from collections import defaultdict
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import duckdb

from wirewatch.sample_site.server import Reply, Request, SiteServer

if TYPE_CHECKING:
    from evals.stream import Doc


def page_of(doc: Doc) -> bytes:
    paragraphs = "".join(f"<p>{html.escape(p)}</p>\n" for p in doc.text.splitlines())
    title = html.escape(doc.title)
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        f'<meta property="article:published_time" content="{doc.day}T12:00:00+00:00">'
        f'</head><body><header><nav><a href="/">{html.escape(doc.outlet)}</a></nav></header>'
        f"<main><article><h1>{title}</h1>\n{paragraphs}</article></main>"
        "<footer><p>Copyright the publisher.</p></footer></body></html>"
    ).encode()


class StreamSite:
    """Serves what was published up to `visible_day`."""

    def __init__(self, docs: list[Doc]) -> None:
        self.docs = {d.doc_id: d for d in docs}
        self.by_outlet: defaultdict[str, list[Doc]] = defaultdict(list)
        for doc in docs:
            self.by_outlet[doc.outlet].append(doc)
        self.visible_day = ""
        self.base_url = ""

    def _feed(self, outlet: str) -> bytes:
        items = "".join(
            f"<item><title>{html.escape(d.title)}</title>"
            f"<link>{self.base_url}/{outlet}/{d.doc_id}.html</link><guid>{d.doc_id}</guid>"
            f"<pubDate>{format_datetime(noon(d.day))}</pubDate></item>"
            for d in self.by_outlet[outlet]
            if d.day <= self.visible_day
        )
        return (
            f'<?xml version="1.0"?><rss version="2.0"><channel><title>{outlet}</title>'
            f"<link>{self.base_url}/{outlet}/</link>{items}</channel></rss>"
        ).encode()

    def __call__(self, request: Request) -> Reply:
        outlet, _, name = request.path.strip("/").partition("/")
        if name == "feed.xml" and outlet in self.by_outlet:
            return Reply(200, self._feed(outlet), {"Content-Type": "application/rss+xml"})
        doc = self.docs.get(name.removesuffix(".html"))
        if doc is not None and doc.outlet == outlet and doc.day <= self.visible_day:
            return Reply(200, page_of(doc), {"Content-Type": "text/html; charset=utf-8"})
        return Reply(404, b"")


def noon(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(hour=12, tzinfo=UTC)


def _feeds_file(site: StreamSite, folder: Path) -> Path:
    path = folder / "feeds.yaml"
    lines = [
        f"- url: {site.base_url}/{outlet}/feed.xml\n  name: {outlet}\n  outlet: {outlet}"
        for outlet in sorted(site.by_outlet)
    ]
    path.write_text("feeds:\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def replay_pipeline(docs: list[Doc], days: list[str], db: Path) -> list[float]:
    """Run the ingest flow once per cycle, cycle k showing what was published up to days[k]."""
    os.environ["WIREWATCH_ALLOW_PRIVATE_ADDRESSES"] = "true"
    os.environ.setdefault("WIREWATCH_PER_HOST_CONCURRENCY", "16")
    # every outlet is one loopback host here: a 1 s politeness delay would take an hour
    os.environ.setdefault("WIREWATCH_POLITE_EXEMPT_HOSTS", '["127.0.0.1"]')
    from flows.ingest import ingest

    site = StreamSite(docs)
    times = []
    with SiteServer(site) as server:
        site.base_url = server.base_url
        feeds = _feeds_file(site, db.parent)
        for day in days:
            site.visible_day = day
            start = time.perf_counter()
            try:
                totals = asyncio.run(ingest(feeds_file=str(feeds), db_path=str(db)))
            except Exception as exc:  # a failed cycle stores nothing; the next one redoes it
                totals = {}
                print(f"cycle to {day} FAILED: {exc!r}")
            times.append(time.perf_counter() - start)
            print(f"cycle to {day}: {times[-1]:.1f} s, {totals.get('versions_added', 0)} versions")
    return times


def served_assignments(db: Path) -> dict[str, tuple[str | None, str | None]]:
    """doc_id -> (story_id, event_id) of its first version; (None, None) for non-articles."""
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            "SELECT a.canonical_url, s.story_id, e.event_id, s.not_article "
            "FROM version_stories s JOIN articles a USING (article_id) "
            "LEFT JOIN story_events e USING (story_id) WHERE s.version = 1"
        ).fetchall()
    found: dict[str, tuple[str | None, str | None]] = {}
    for url, story, event, flag in rows:
        doc_id = urlsplit(url).path.rsplit("/", 1)[-1].removesuffix(".html")
        found[doc_id] = (None, None) if flag else (story, event)
    return found
