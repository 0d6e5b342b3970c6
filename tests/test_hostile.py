"""The reliability suite: hostile feeds and pages over a real loopback server, one real ingest
run. Every case has its outcome row with a reason, the run completes, and the good feed's
articles are stored."""

import asyncio

import duckdb
import pytest

from flows.ingest import ingest
from tests.hostile import BAD_PORT_LINK, FEEDS, PAGES, HostileServer, deflate_bomb, nested_gzip_bomb

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def hostile(tmp_path_factory, prefect_harness):
    """One ingest run over every case (the timeouts make a run cost seconds); tests read it."""
    tmp_path = tmp_path_factory.mktemp("hostile")
    with pytest.MonkeyPatch.context() as monkeypatch:
        yield from _run_hostile(tmp_path, monkeypatch)


def _run_hostile(tmp_path, monkeypatch):
    for name, value in {
        "ALLOW_PRIVATE_ADDRESSES": "true",
        "READ_TIMEOUT_S": "1",
        "TOTAL_TIMEOUT_S": "3",
        "RETRIES": "1",
        "RETRY_BACKOFF_S": "0.01",
        "MAX_RESPONSE_BYTES": "2000000",
        "MAX_REDIRECTS": "20",
        "PER_HOST_CONCURRENCY": "16",
        "EXTRACT_WORKERS": "0",
    }.items():
        monkeypatch.setenv(f"WIREWATCH_{name}", value)
    nested_gzip_bomb(), deflate_bomb()  # built once per session, before any timeout runs
    with HostileServer() as server:
        feeds = tmp_path / "feeds.yaml"
        feeds.write_text(server.feeds_yaml())
        db = str(tmp_path / "db.duckdb")
        totals = asyncio.run(ingest(feeds_file=str(feeds), db_path=db))
        yield server, totals, db


def _rows(db, sql):
    with duckdb.connect(db, read_only=True) as con:
        return con.execute(sql).fetchall()


def _path(server, url):
    return url.removeprefix(server.base_url)


def test_every_hostile_case_is_recorded_and_the_run_completes(hostile):
    server, totals, db = hostile
    assert totals["feeds_polled"] == len(FEEDS)
    polls = _rows(db, "SELECT f.url, outcome, reason FROM feed_polls JOIN feeds f USING (feed_id)")
    assert {_path(server, url): (o, r) for url, o, r in polls} == FEEDS
    fetches = {
        _path(server, u): (o, r)
        for u, o, r in _rows(db, "SELECT url, outcome, reason FROM fetches")
    }
    assert fetches.pop(BAD_PORT_LINK) == ("blocked", "unsupported_url")
    assert fetches == PAGES
    titles = {t for (t,) in _rows(db, "SELECT title FROM article_versions")}
    assert {"Good page", "Relative page", "Dated page", "Latin page", "Enormous sentence"} <= titles


def test_one_enormous_sentence_is_stored_with_the_claim_budgets_reason(hostile):
    _, _, db = hostile
    [(outcome, budget, size)] = _rows(
        db,
        "SELECT outcome, claims_budget, length(v.text) FROM fetches "
        "JOIN article_versions v USING (article_id) WHERE url LIKE '%/pages/enormous.html'",
    )
    assert (outcome, size > 1_000_000) == ("ok", True)
    assert "sentence_split" in budget.split(",")  # read in windows, not as one sentence
    claims = _rows(
        db,
        "SELECT metric, value FROM article_claims JOIN article_versions v USING (article_id) "
        "WHERE v.title = 'Enormous sentence'",
    )
    assert ("killed", 12) in claims  # the figure at its start was still read
    other = _rows(db, "SELECT count(*) FROM fetches WHERE claims_budget IS NOT NULL")
    assert other == [(1,)]  # ordinary pages are read whole


def test_overflowing_dates_become_null_and_xxe_reads_no_file(hostile):
    _, _, db = hostile
    dated = _rows(db, "SELECT published_source FROM article_versions WHERE title = 'Dated page'")
    assert dated in ([("none",)], [("page",)])  # the feed's impossible dates were dropped
    assert _rows(db, "SELECT count(*) FROM article_versions WHERE text LIKE '%root:%'") == [(0,)]


def test_skipped_entries_are_counted_with_their_reasons(hostile):
    _, _, db = hostile
    rows = _rows(
        db,
        "SELECT entries_seen, entries_skipped, skipped_reasons FROM feed_polls "
        "JOIN feeds USING (feed_id) WHERE url LIKE '%/skips/%'",
    )
    assert rows == [(3, 4, '{"duplicate_key": 1, "no_link": 1, "unsupported_link": 2}')]
