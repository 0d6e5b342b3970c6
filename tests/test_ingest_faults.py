"""End to end over real loopback HTTP: every failure becomes a row with a reason, and the
run completes. Runs the real Prefect flow under a test harness."""

import asyncio

import duckdb
import pytest

from flows.ingest import ingest
from tests.faultsite import FEEDS, PAGES, FaultSite
from wirewatch.sample_site.server import Reply, Request, SiteServer

pytestmark = pytest.mark.integration


@pytest.fixture
def fault_env(tmp_path, monkeypatch, prefect_harness):
    for name, value in {
        "ALLOW_PRIVATE_ADDRESSES": "true",
        "READ_TIMEOUT_S": "0.5",
        "TOTAL_TIMEOUT_S": "2",
        "RETRIES": "0",
        "MAX_RESPONSE_BYTES": "200000",
        "EXTRACT_WORKERS": "0",
    }.items():
        monkeypatch.setenv(f"WIREWATCH_{name}", value)
    holder: list[FaultSite] = []

    def app(request: Request) -> Reply:
        return holder[0](request)

    with SiteServer(app) as server:
        holder.append(FaultSite(server.base_url, slow_s=1.5))
        feeds = tmp_path / "feeds.yaml"
        feeds.write_text(holder[0].feeds_yaml())
        yield str(feeds), str(tmp_path / "db.duckdb")


def _outcomes(db, sql):
    with duckdb.connect(db, read_only=True) as con:
        return {row[0]: (row[1], row[2]) for row in con.execute(sql).fetchall()}


def test_every_fault_yields_its_outcome_row_and_the_run_completes(fault_env):
    feeds, db = fault_env
    totals = asyncio.run(ingest(feeds_file=feeds, db_path=db))
    assert totals["feeds_polled"] == len(FEEDS)
    polls = _outcomes(
        db, "SELECT f.url, p.outcome, p.reason FROM feed_polls p JOIN feeds f USING (feed_id)"
    )
    fetches = _outcomes(db, "SELECT url, outcome, reason FROM fetches")
    assert {url.split(":", 2)[2].split("/", 1)[1]: v for url, v in polls.items()} == {
        path.lstrip("/"): expected for path, expected in FEEDS.items()
    }
    assert {url.split(":", 2)[2].split("/", 1)[1]: v for url, v in fetches.items()} == {
        path.lstrip("/"): expected for path, expected in PAGES.items()
    }
    with duckdb.connect(db, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM article_versions").fetchall() == [(1,)]


def test_a_second_run_is_conditional_and_duplicates_nothing(fault_env):
    feeds, db = fault_env
    asyncio.run(ingest(feeds_file=feeds, db_path=db))
    asyncio.run(ingest(feeds_file=feeds, db_path=db))
    with duckdb.connect(db, read_only=True) as con:
        etag = con.execute(
            "SELECT outcome FROM feed_polls JOIN feeds USING (feed_id) "
            "WHERE url LIKE '%/etag/%' ORDER BY polled_at"
        ).fetchall()
        versions = con.execute("SELECT count(*) FROM article_versions").fetchall()
        good = con.execute(
            "SELECT purpose, count(*) FROM fetches WHERE url LIKE '%good.html' GROUP BY 1"
        ).fetchall()
        retried = con.execute(
            "SELECT count(*) FROM fetches WHERE url LIKE '%missing.html'"
        ).fetchall()
    assert etag == [("ok",), ("not_modified",)]
    assert versions == [(1,)]
    # once from /ok, once from /etag's first poll; then both young entries are due for a
    # revisit and the page is fetched once for both, which finds it unchanged: no new version
    assert dict(good) == {"new": 2, "revisit": 1}
    assert retried == [(2,)]  # failed pages are retried (up to max_fetch_attempts)


def test_a_page_listed_in_two_batches_feeds_is_revisited_once_a_cycle(fault_env, monkeypatch):
    monkeypatch.setenv("WIREWATCH_FEED_BATCH_SIZE", "1")  # each feed its own batch
    feeds, db = fault_env
    asyncio.run(ingest(feeds_file=feeds, db_path=db))
    asyncio.run(ingest(feeds_file=feeds, db_path=db))
    with duckdb.connect(db, read_only=True) as con:
        good = con.execute(
            "SELECT purpose, count(*) FROM fetches WHERE url LIKE '%good.html' GROUP BY 1"
        ).fetchall()
    # /ok and /etag list the page, in two batches: each new entry is fetched for its row, but
    # the second cycle revisits the page once, not once per batch
    assert dict(good) == {"new": 2, "revisit": 1}
