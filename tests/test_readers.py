"""Readers never break the writer: a cycle that finds the DuckDB file held by a reader keeps
its work and writes it once the reader is done; past `db_write_wait_s` the batch is left to the
next cycle, which stores it. Nothing fails."""

import asyncio
import subprocess
import sys
import textwrap
import threading
import time

import duckdb
import pytest

from flows.ingest import ingest
from tests.faultsite import PAGE, rss
from wirewatch.sample_site.server import Reply, Request, SiteServer

pytestmark = pytest.mark.integration


class GatedSite:
    """One feed, one page; the page waits until `gate` opens (a reader starts meanwhile)."""

    def __init__(self) -> None:
        self.base_url, self.reached, self.gate = "", threading.Event(), threading.Event()

    def __call__(self, request: Request) -> Reply:
        if request.path == "/rss.xml":
            return Reply(200, rss(self.base_url, ["/page.html"]), {"Content-Type": "text/xml"})
        if request.path != "/page.html":  # /robots.txt: none here, so everything is allowed
            return Reply(404, b"", {"Content-Type": "text/plain"})
        self.reached.set()
        self.gate.wait(60)
        return Reply(200, PAGE, {"Content-Type": "text/html"})


@pytest.fixture
def gated(tmp_path, monkeypatch, prefect_harness):
    for name, value in {"ALLOW_PRIVATE_ADDRESSES": "true", "EXTRACT_WORKERS": "0"}.items():
        monkeypatch.setenv(f"WIREWATCH_{name}", value)
    app = GatedSite()
    with SiteServer(app) as server:
        app.base_url = server.base_url
        feeds = tmp_path / "feeds.yaml"
        feeds.write_text(f"feeds:\n- url: {server.base_url}/rss.xml\n  name: g\n")
        db = tmp_path / "db.duckdb"
        duckdb.connect(str(db)).close()  # the file exists, so a reader can open it
        yield app, str(feeds), str(db)
        app.gate.set()


def _reader(db: str, seconds: float) -> subprocess.Popen[str]:
    """A separate process that reads the file for `seconds`, query after query."""
    code = textwrap.dedent(f"""
        import time
        from pathlib import Path
        from storage.db import connect
        with connect(Path({db!r}), read_only=True) as con:
            print("reading", flush=True)
            end = time.monotonic() + {seconds}
            while time.monotonic() < end:
                con.execute("SELECT count(*) FROM range(2000000)").fetchall()
    """)
    return subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)


def _during_reader(app, feeds, db, seconds):
    """Run a cycle; once it is fetching, a reader takes the file for `seconds`."""

    def start_reader():
        app.reached.wait(60)
        reader = _reader(db, seconds)
        assert reader.stdout.readline().strip() == "reading"
        holder.append(reader)
        app.gate.set()

    holder: list[subprocess.Popen[str]] = []
    starter = threading.Thread(target=start_reader)
    starter.start()
    started = time.monotonic()
    totals = asyncio.run(ingest(feeds_file=feeds, db_path=db))
    starter.join()
    assert holder[0].wait(seconds + 30) == 0
    return totals, time.monotonic() - started


def _articles(db):
    with duckdb.connect(db, read_only=True) as con:
        return con.execute("SELECT count(*) FROM articles").fetchone()[0]


@pytest.mark.slow
def test_a_sixty_second_reader_during_a_cycle_delays_the_write_and_loses_nothing(gated):
    app, feeds, db = gated
    totals, elapsed = _during_reader(app, feeds, db, 60)
    assert elapsed >= 55  # the write waited for the reader
    assert totals["articles_added"] == 1
    assert "batches_deferred" not in totals
    assert _articles(db) == 1


def test_past_the_write_wait_the_batch_is_deferred_and_the_next_cycle_stores_it(gated, monkeypatch):
    app, feeds, db = gated
    monkeypatch.setenv("WIREWATCH_DB_WRITE_WAIT_S", "0")
    monkeypatch.setenv("WIREWATCH_DB_LOCK_RETRIES", "2")
    monkeypatch.setenv("WIREWATCH_DB_LOCK_WAIT_S", "0.05")
    totals, _ = _during_reader(app, feeds, db, 4)
    assert totals["batches_deferred"] == 1
    assert asyncio.run(ingest(feeds_file=feeds, db_path=db))["articles_added"] == 1
    assert _articles(db) == 1
