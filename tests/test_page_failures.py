"""Nothing lost when a page fails (issue 17 item 5): the entry keeps what the feed said (title,
summary, date: queryable); a WARNING per feed counts its failed pages by reason and the cycle's
INFO line counts them; a failed page is retried on later cycles with back-off, a bounded number
of times, whatever the feed answers; a feed whose last body failed to parse stays failing in
`feed_health` through its 304s. Over real loopback HTTP and the real flow, each cycle run as of
a chosen time."""

import logging
from datetime import timedelta

import pytest

from tests.cycleruns import cycle_site
from tests.cyclesite import T0
from wirewatch.ingest import notify

pytestmark = pytest.mark.integration


def test_an_unfetchable_page_keeps_what_the_feed_said_and_is_counted_as_failed(
    tmp_path, monkeypatch, prefect_harness, caplog
):
    with cycle_site(tmp_path, monkeypatch, REVISIT_HORIZON_HOURS=0) as cycles:
        cycles.site.add_feed("wire", 3)
        cycles.site.failing |= {("wire", 0), ("wire", 1)}
        cycles.feeds.write_text(cycles.site.feeds_yaml())

        with caplog.at_level(logging.WARNING):
            totals = cycles.run(T0 + timedelta(hours=1))

        kept = cycles.rows(
            "SELECT entry_key, state, title, summary, published_at, last_reason FROM entries "
            "ORDER BY entry_key"
        )
        assert [(k, s, t, s2, r) for k, s, t, s2, _, r in kept] == [
            ("wire-0", "failed", "wire story 0", "Summary of wire story 0.", "http_503"),
            ("wire-1", "failed", "wire story 1", "Summary of wire story 1.", "http_503"),
            ("wire-2", "ok", "wire story 2", "Summary of wire story 2.", ""),
        ]
        assert kept[0][4] == T0
        assert (totals["fetches"], totals["fetches_failed"]) == (3, 2)
        warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
        assert "feed wire: 2 page fetches failed (http_503=2)" in warnings
        assert cycles.health("wire")["pages_retrying"] == 2


def test_the_cycle_line_counts_failed_pending_and_revisited_pages():
    totals = {"fetches": 9, "fetches_failed": 2, "pages_pending": 40, "revisits": 3}
    line = notify.cycle_line(notify.RunReport([], [], {**totals, "revisits_changed": 1}, 1.0))
    assert "9 pages fetched (2 failed, 40 pending, 3 revisits, 1 changed)" in line


def test_a_failed_page_is_retried_with_back_off_while_its_feed_answers_304(
    tmp_path, monkeypatch, prefect_harness
):
    env = {"REVISIT_HORIZON_HOURS": 0, "MAX_FETCH_ATTEMPTS": 3, "PAGE_RETRY_BACKOFF_MINUTES": 30}
    with cycle_site(tmp_path, monkeypatch, **env) as cycles:
        cycles.site.add_feed("wire", 1)
        cycles.site.failing.add(("wire", 0))
        cycles.feeds.write_text(cycles.site.feeds_yaml())
        page = "/wire/0"

        for minutes in (0, 5, 10, 40, 200):  # 1st; retried next cycle; waits 30 min; 3rd; none
            cycles.run(T0 + timedelta(hours=1, minutes=minutes))

        assert cycles.site.count("/wire.xml", 304) == 4  # the feed said nothing new
        assert cycles.site.count(page) == 3  # max_fetch_attempts
        row = cycles.rows("SELECT state, attempts, due_at FROM entries")
        assert row == [("failed", 3, None)]
        assert cycles.health("wire")["pages_given_up"] == 1


def test_a_failed_page_that_recovers_is_stored(tmp_path, monkeypatch, prefect_harness):
    with cycle_site(tmp_path, monkeypatch, REVISIT_HORIZON_HOURS=0) as cycles:
        cycles.site.add_feed("wire", 1)
        cycles.site.failing.add(("wire", 0))
        cycles.feeds.write_text(cycles.site.feeds_yaml())
        cycles.run(T0 + timedelta(hours=1))
        cycles.site.failing.clear()

        cycles.run(T0 + timedelta(hours=1, minutes=5))

        assert cycles.rows("SELECT state, attempts FROM entries") == [("ok", 0)]
        assert cycles.rows("SELECT count(*) FROM article_versions") == [(1,)]
        assert cycles.rows("SELECT purpose FROM fetches ORDER BY fetched_at") == [
            ("new",),
            ("retry",),
        ]


@pytest.mark.parametrize("sloppy_304", [False, True])
def test_a_feed_whose_body_failed_to_parse_stays_failing_through_its_304s(
    tmp_path, monkeypatch, prefect_harness, sloppy_304
):
    with cycle_site(tmp_path, monkeypatch, REVISIT_HORIZON_HOURS=0) as cycles:
        feed = cycles.site.add_feed("wire", 1)
        cycles.feeds.write_text(cycles.site.feeds_yaml())
        cycles.run(T0 + timedelta(hours=1))
        feed.broken = True
        cycles.run(T0 + timedelta(hours=1, minutes=10))
        feed.sloppy_304 = sloppy_304  # else the broken body's ETag, never stored, gets a 200

        for minutes in (20, 30):
            cycles.run(T0 + timedelta(hours=1, minutes=minutes))

        outcomes = cycles.rows("SELECT outcome FROM feed_polls ORDER BY polled_at")
        later = "not_modified" if sloppy_304 else "parse_error"
        assert outcomes == [("ok",), ("parse_error",), (later,), (later,)]
        health = cycles.health("wire")
        assert (health["consecutive_failures"], health["schedule"]) == (3, "broken")
