"""One measuring process of `bench.scale`: against a built database, time a cycle that stores
one new article and an idle cycle of 100 feeds that all answer 304, both as the warm daemon
runs them (Prefect and the imports already up, the flow run in this process).

    python -m bench.scale_cycle --db PATH [--lake CATALOG --lake-data FOLDER]

Prints one JSON line: cycle_s, idle_cycle_s, peak_rss_mb (this process, VmHWM), versions_added.
With `--lake` the measured cycles run in lake mode (the warm-up on a scratch file does not), and
the line adds lake_commits (snapshots the 1-article cycle made), idle_lake_commits, and
visible_lag_s: from the new version's fetch to a lake reader polling every 50 ms seeing it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

from storage.lake import LakeTarget
from wirewatch.sample_site.server import Reply, Request, SiteServer
from wirewatch.service.offline import apply_offline_defaults

IDLE_FEEDS = 100
_ARTICLE = (
    "<html><head><title>Blast near the border</title>"
    '<meta property="article:published_time" content="{published}"></head><body><article>'
    "<h1>Blast near the border</h1><p>Officials said on Tuesday that 7 soldiers were killed "
    "and 12 people were injured when a bomb exploded near a checkpoint close to the border.</p>"
    "<p>The provincial government said a search was under way and that the area had been "
    "sealed off. A spokesman for the militants claimed responsibility in a statement.</p>"
    "<p>Witnesses described a loud explosion followed by gunfire that lasted for an hour.</p>"
    "</article></body></html>"
)


def _feed(base: str, links: list[str]) -> bytes:
    items = "".join(
        f"<item><title>{link}</title><link>{base}{link}</link><guid>{link}</guid></item>"
        for link in links
    )
    channel = f"<channel><title>b</title>{items}</channel>"
    return f'<?xml version="1.0"?><rss version="2.0">{channel}</rss>'.encode()


class _Site:
    def __init__(self, published: str, tag: str) -> None:
        self.base, self.published, self.page = "", published, f"/page/new-{tag}.html"

    def __call__(self, request: Request) -> Reply:
        if request.path.startswith("/idle/"):
            if request.headers.get("if-none-match") == '"idle"':
                return Reply(304, b"", {"ETag": '"idle"'})
            return Reply(
                200, _feed(self.base, []), {"Content-Type": "application/rss+xml", "ETag": '"idle"'}
            )
        if request.path == "/new.xml":
            return Reply(200, _feed(self.base, [self.page]), {"Content-Type": "text/xml"})
        if request.path == self.page:
            page = _ARTICLE.replace("{published}", self.published)
            return Reply(200, page.encode(), {"Content-Type": "text/html; charset=utf-8"})
        return Reply(404, b"")


def _feeds_file(folder: Path, name: str, urls: list[str]) -> str:
    path = folder / name
    path.write_text("feeds:\n" + "".join(f"- url: {u}\n  name: {u}\n" for u in urls))
    return str(path)


class _LakeWatch:
    """A lake reader in a thread: lake snapshots so far, and when the first version fetched
    since `since` became visible to it (polled every 50 ms, a fresh snapshot each query)."""

    def __init__(self, lake: LakeTarget | None) -> None:
        self.lake, self.seen_at, self._stop = lake, 0.0, threading.Event()

    def snapshots(self) -> int:
        if self.lake is None:
            return 0
        from storage.lake import open_lake

        with open_lake(self.lake) as con:
            row = con.execute("SELECT count(*) FROM ducklake_snapshots('lake')").fetchone()
        return int(row[0]) if row else 0

    @contextmanager
    def watching(self, since: datetime) -> Iterator[None]:
        if self.lake is None:
            yield
            return
        thread = threading.Thread(target=self._poll, args=(since,), daemon=True)
        thread.start()
        try:
            yield
        finally:
            deadline = time.monotonic() + 30
            while not self.seen_at and time.monotonic() < deadline:
                self._stop.wait(0.02)
            self._stop.set()
            thread.join()

    def _poll(self, since: datetime) -> None:
        from storage.lake import open_lake

        assert self.lake is not None
        with open_lake(self.lake) as con:
            while not self._stop.is_set():
                row = con.execute(
                    "SELECT count(*) FROM article_versions WHERE fetched_at >= ?", [since]
                ).fetchone()
                if row and row[0]:
                    self.seen_at = time.time()
                    return
                self._stop.wait(0.05)


def _lake_env(lake: LakeTarget | None) -> None:
    """Lake mode for the flows run from now on (the settings are read at each run)."""
    if lake is not None:
        os.environ["WIREWATCH_LAKE"] = lake.catalog
        os.environ["WIREWATCH_LAKE_DATA_PATH"] = str(lake.data_path)


def _fetched_at(db: str, since: datetime) -> float:
    from storage.db import connect

    with connect(Path(db), read_only=True) as con:
        row = con.execute(
            "SELECT min(fetched_at) FROM article_versions WHERE fetched_at >= ?", [since]
        ).fetchone()
    return row[0].timestamp() if row and row[0] else float("nan")


async def _measure(
    db: str, base: str, folder: Path, lake: LakeTarget | None
) -> dict[str, float | None]:
    from flows.ingest import ingest

    idle = _feeds_file(folder, "idle.yaml", [f"{base}/idle/{k}.xml" for k in range(IDLE_FEEDS)])
    new = _feeds_file(folder, "new.yaml", [f"{base}/new.xml"])
    scratch = str(folder / "warm.duckdb")
    await ingest(feeds_file=idle, db_path=scratch)  # Prefect, imports up; validators stored
    started = time.perf_counter()
    await ingest(feeds_file=idle, db_path=scratch)
    idle_empty_s = time.perf_counter() - started  # the warm daemon's idle cost, no history
    _lake_env(lake)
    watch = _LakeWatch(lake)
    before, since = watch.snapshots(), datetime.now().astimezone()
    with watch.watching(since):
        started = time.perf_counter()
        totals = await ingest(feeds_file=new, db_path=db)
        cycle_s = time.perf_counter() - started
    after = watch.snapshots()
    await ingest(feeds_file=idle, db_path=db)  # the feeds' validators are stored
    idle_before = watch.snapshots()
    started = time.perf_counter()
    idle_totals = await ingest(feeds_file=idle, db_path=db)
    idle_s = time.perf_counter() - started
    assert idle_totals.get("polls_not_modified") == IDLE_FEEDS, idle_totals
    figures: dict[str, float | None] = {
        "cycle_s": round(cycle_s, 3),
        "idle_cycle_s": round(idle_s, 3),
        "versions_added": totals.get("versions_added", 0),
        "idle_cycle_empty_db_s": round(idle_empty_s, 3),
    }
    if lake is not None:
        figures["lake_commits"] = after - before
        figures["idle_lake_commits"] = watch.snapshots() - idle_before
        lag = watch.seen_at - _fetched_at(db, since) if watch.seen_at else None
        figures["visible_lag_s"] = None if lag is None else round(lag, 3)
    return figures


def _stream_end(db: str) -> str:
    """A minute after the newest stored version: the new article is published at the stream's
    head, where the grouping windows put it among the newest stories."""
    from storage.db import connect

    with connect(Path(db), read_only=True) as con:
        newest = con.execute("SELECT max(fetched_at) FROM article_versions").fetchall()[0][0]
    return (newest + timedelta(minutes=1)).isoformat()


def _peak_rss_mb() -> float:
    """This process's high-water RSS (VmHWM). Not ru_maxrss: Linux carries that across exec
    from the parent, whose RSS after building a large database would be counted here."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    raise RuntimeError("no VmHWM in /proc/self/status")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--tag", default="a", help="names the new article's page")
    parser.add_argument("--lake", default="", help="DuckLake catalog: measure in lake mode")
    parser.add_argument("--lake-data", type=Path, default=None, help="the lake's data folder")
    args = parser.parse_args()
    lake = None
    if args.lake:
        lake = LakeTarget(args.lake, args.lake_data or Path(args.db).parent / "lake")
    apply_offline_defaults()
    os.environ.update(
        {
            "WIREWATCH_ALLOW_PRIVATE_ADDRESSES": "true",
            "WIREWATCH_RESPECT_ROBOTS": "false",
            "WIREWATCH_MIN_HOST_DELAY_S": "0",
            "WIREWATCH_KEEP_WARM": "true",
            "WIREWATCH_LOG_LEVEL": "WARNING",
            "PREFECT_LOGGING_LEVEL": "WARNING",
        }
    )
    site = _Site(_stream_end(args.db), args.tag)
    with SiteServer(site) as server, tempfile.TemporaryDirectory() as tmp:
        site.base = server.base_url
        figures = asyncio.run(_measure(args.db, server.base_url, Path(tmp), lake))
    figures["peak_rss_mb"] = _peak_rss_mb()
    print(json.dumps(figures), flush=True)


if __name__ == "__main__":
    main()
