"""`wirewatch sample-site`: serve the replayed story until interrupted."""

from __future__ import annotations

import signal
import threading
from pathlib import Path

from wirewatch.sample_site.app import NewsSite
from wirewatch.sample_site.server import SiteServer


def serve_sample_site(port: int, step: int, write_feeds: str | None) -> int:
    site = NewsSite(f"http://127.0.0.1:{port}", step)
    if write_feeds:
        Path(write_feeds).write_text(site.feeds_yaml(), encoding="utf-8")
        print(f"wrote {write_feeds}")
        return 0
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    with SiteServer(site, port=port):
        print(
            f"sample site on http://127.0.0.1:{port}/ at step {step} "
            f"(POST /_control/step?n=N to change); Ctrl-C stops it",
            flush=True,
        )
        stop.wait()
    return 0
