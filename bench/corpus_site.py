"""Serve a folder of real pages (`*.html.gz`) through loopback feeds, in its own process.

    python -m bench.corpus_site --corpus DIR --port N --copies R --feeds K

Each page is served R times under distinct URLs, listed in K RSS feeds.
"""

from __future__ import annotations

import argparse
import gzip
import signal
import threading
from pathlib import Path

from wirewatch.sample_site.server import Reply, Request, SiteServer


def load_pages(corpus: Path) -> dict[str, bytes]:
    return {
        p.name.split(".")[0]: gzip.decompress(p.read_bytes())
        for p in sorted((corpus / "html").glob("*.html.gz"))
    }


class CorpusSite:
    def __init__(self, pages: dict[str, bytes], copies: int, feeds: int, base_url: str) -> None:
        self.pages = pages
        paths = [f"/c{copy}/{page_id}.html" for copy in range(copies) for page_id in pages]
        self.feed_paths = {f"/feeds/{k}.xml": paths[k::feeds] for k in range(feeds)}
        self.base_url = base_url

    def feed(self, paths: list[str]) -> bytes:
        items = "".join(
            f"<item><title>{p}</title><link>{self.base_url}{p}</link><guid>{p}</guid></item>"
            for p in paths
        )
        return (
            f'<?xml version="1.0"?><rss version="2.0"><channel><title>corpus</title>'
            f"{items}</channel></rss>"
        ).encode()

    def __call__(self, request: Request) -> Reply:
        if request.path in self.feed_paths:
            return Reply(
                200,
                self.feed(self.feed_paths[request.path]),
                {"Content-Type": "application/rss+xml"},
            )
        page_id = request.path.rsplit("/", 1)[-1].removesuffix(".html")
        if page_id in self.pages:
            return Reply(200, self.pages[page_id], {"Content-Type": "text/html; charset=utf-8"})
        return Reply(404, b"")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--copies", type=int, default=1)
    parser.add_argument("--feeds", type=int, default=10)
    args = parser.parse_args()
    base = f"http://127.0.0.1:{args.port}"
    site = CorpusSite(load_pages(args.corpus), args.copies, args.feeds, base)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with SiteServer(site, port=args.port):
        print("ready", flush=True)
        stop.wait()


if __name__ == "__main__":
    main()
