"""A run killed mid-way (SIGKILL, separate process) and re-run leaves the same records as an
uninterrupted run: batches are transactions and feed validators are saved with their batch."""

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest

from flows.ingest import ingest
from storage.db import StorageError, connect
from tests.faultsite import PAGE, rss
from wirewatch.sample_site.server import Reply, Request, SiteServer

pytestmark = pytest.mark.integration

COMPARED = {
    "articles": "SELECT article_id, canonical_url, outlet FROM articles",
    "article_versions": "SELECT article_id, version, content_hash FROM article_versions",
    "entries": "SELECT feed_id, entry_key, article_id, marker, state, attempts FROM entries",
    "fetches": "SELECT feed_id, url, outcome, reason, version_added FROM fetches",
    "feeds": "SELECT feed_id, etag, last_modified FROM feeds",
}


class HoldingSite:
    """Feed A has two pages; feed B's page hangs until released, so a run stalls in batch 2."""

    def __init__(self) -> None:
        self.base_url = ""
        self.reached, self.release = threading.Event(), threading.Event()

    def __call__(self, request: Request) -> Reply:
        xml = {"Content-Type": "application/rss+xml", "ETag": f'"{request.path}"'}
        if request.headers.get("if-none-match") == xml["ETag"]:
            return Reply(304, b"", xml)
        if request.path == "/a/rss.xml":
            return Reply(200, rss(self.base_url, ["/a/1.html", "/a/2.html"]), xml)
        if request.path == "/b/rss.xml":
            return Reply(200, rss(self.base_url, ["/b/1.html"]), xml)
        if request.path == "/b/1.html":
            self.reached.set()
            self.release.wait(60)
        text = PAGE.replace(b"Good page", request.path.encode())
        return Reply(200, text, {"Content-Type": "text/html"})


def _snapshot(db):
    with duckdb.connect(db, read_only=True) as con:
        return {
            name: sorted(con.execute(sql).fetchall(), key=str) for name, sql in COMPARED.items()
        }


def _articles(db):
    try:
        with connect(Path(db), read_only=True, retries=40, wait_s=0.05) as con:
            return con.execute("SELECT count(*) FROM articles").fetchall()[0][0]
    except (StorageError, duckdb.CatalogException):
        return 0  # no file, or no schema yet


def _wait_for(predicate, timeout_s):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)  # polling a condition with a deadline
    return False


@pytest.fixture
def site(tmp_path, monkeypatch):
    for name, value in {
        "ALLOW_PRIVATE_ADDRESSES": "true",
        "FEED_BATCH_SIZE": "1",
        "EXTRACT_WORKERS": "0",
        "RETRIES": "0",
        "REVISIT_HORIZON_HOURS": "0",  # the rerun's revisits are not what this compares
    }.items():
        monkeypatch.setenv(f"WIREWATCH_{name}", value)
    app = HoldingSite()
    with SiteServer(app) as server:
        app.base_url = server.base_url
        feeds = tmp_path / "feeds.yaml"
        feeds.write_text(
            f"feeds:\n- url: {server.base_url}/a/rss.xml\n  name: a\n"
            f"- url: {server.base_url}/b/rss.xml\n  name: b\n"
        )
        yield app, str(feeds)
        app.release.set()


def test_killed_then_rerun_equals_uninterrupted(site, tmp_path, prefect_harness):
    app, feeds = site
    killed_db = str(tmp_path / "killed.duckdb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "wirewatch.cli", "run", "--feeds", feeds, "--db", killed_db],
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert app.reached.wait(120), "the run never reached batch 2"
        # Batch 2 hangs in its page fetch; batch 1 is written meanwhile. Kill after that.
        assert _wait_for(lambda: _articles(killed_db) == 2, 60), "batch 1 was never written"
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    mid_way = _snapshot(killed_db)
    assert len(mid_way["articles"]) == 2  # batch 1 landed whole, batch 2 not at all
    app.release.set()

    asyncio.run(ingest(feeds_file=feeds, db_path=killed_db))
    clean_db = str(tmp_path / "clean.duckdb")
    asyncio.run(ingest(feeds_file=feeds, db_path=clean_db))

    assert _snapshot(killed_db) == _snapshot(clean_db)
    assert len(_snapshot(clean_db)["articles"]) == 3
