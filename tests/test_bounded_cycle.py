"""A bounded cycle (issue 17 item 4): a feed that lists more entries than a cycle may fetch
gives its newest pages now and the rest wait as pending entries, fetched by later cycles
whatever the feed answers; the other feeds' pages are stored in the same cycle; a time budget
stops page fetches from starting late. Over real loopback HTTP and the real flow."""

import time
from datetime import timedelta

import duckdb
import pytest

from storage.summary import summary
from tests.cycleruns import cycle_site
from tests.cyclesite import T0

pytestmark = pytest.mark.integration


def _fetched(cycles, feed):
    return cycles.rows(
        "SELECT count(*) FROM fetches JOIN feeds USING (feed_id) WHERE name = ? "
        "AND purpose = 'new'",
        [feed],
    )[0][0]


def test_a_long_feed_waits_its_turn_and_the_other_feeds_pages_are_stored_now(
    tmp_path, monkeypatch, prefect_harness
):
    env = {"MAX_PAGES_PER_FEED": 5, "MAX_PAGES_PER_HOST": 8, "REVISIT_HORIZON_HOURS": 0}
    with cycle_site(tmp_path, monkeypatch, **env) as cycles:
        cycles.site.add_feed("long", 20)
        cycles.site.add_feed("short", 3)
        cycles.feeds.write_text(cycles.site.feeds_yaml())

        totals = cycles.run(T0 + timedelta(hours=1))

        assert _fetched(cycles, "short") == 3  # every page of the other feed, this cycle
        newest = cycles.rows(
            "SELECT entry_key FROM fetches JOIN feeds USING (feed_id) WHERE name = 'long' "
            "ORDER BY entry_key"
        )
        assert [k for (k,) in newest] == [f"long-{n}" for n in range(15, 20)]
        assert cycles.health("long")["pages_pending"] == 15
        assert totals["pages_pending"] == 15
        pending = cycles.rows("SELECT title, summary FROM entries WHERE entry_key = 'long-0'")
        assert pending == [("long story 0", "Summary of long story 0.")]
        with duckdb.connect(str(cycles.db), read_only=True) as con:
            (pages,) = summary(con, ["pages"]).values()
        assert [row[:2] for row in pages.rows] == [("long", 15)]  # `wirewatch summary`

        cycles.run(T0 + timedelta(hours=2))  # the feed answers 304: its pending pages go on
        cycles.run(T0 + timedelta(hours=3))

        assert cycles.rows(
            "SELECT outcome FROM feed_polls JOIN feeds USING (feed_id) WHERE name = 'long' "
            "ORDER BY polled_at"
        ) == [("ok",), ("not_modified",), ("not_modified",)]
        assert _fetched(cycles, "long") == 15
        assert cycles.health("long")["pages_pending"] == 5


def test_no_page_fetch_starts_after_the_cycle_budget_and_the_late_pages_wait(
    tmp_path, monkeypatch, prefect_harness
):
    env = {"MIN_HOST_DELAY_S": "0.4", "CYCLE_BUDGET_S": "1", "REVISIT_HORIZON_HOURS": 0}
    with cycle_site(tmp_path, monkeypatch, **env) as cycles:
        cycles.site.add_feed("slowhost", 12)
        cycles.feeds.write_text(cycles.site.feeds_yaml())

        totals = cycles.run()

        fetched = _fetched(cycles, "slowhost")
        assert 1 <= fetched <= 8  # ~1 s of 0.4 s turns, plus the turns already reserved
        assert cycles.health("slowhost")["pages_pending"] == 12 - fetched
        assert totals["pages_pending"] == 12 - fetched
        assert totals["fetches"] == fetched  # a page not fetched has no fetch row


@pytest.mark.slow
@pytest.mark.timeout(900)  # two cycles of minutes each, on a loaded machine
def test_a_feed_of_100000_entries_under_default_politeness_ends_its_cycle_within_minutes(
    tmp_path, monkeypatch, prefect_harness
):
    # The default politeness: robots.txt honoured, 1 s between requests to a host (the test
    # settings' 0 is lifted). Only the body cap is raised, for a 13 MB feed.
    monkeypatch.delenv("WIREWATCH_MIN_HOST_DELAY_S", raising=False)
    env = {"RESPECT_ROBOTS": "true", "MAX_RESPONSE_BYTES": 50_000_000}
    with cycle_site(tmp_path, monkeypatch, **env) as cycles:
        monkeypatch.delenv("WIREWATCH_MIN_HOST_DELAY_S", raising=False)
        cycles.site.add_feed("huge", 100_000)
        for name in ("a", "b", "c"):
            cycles.site.add_feed(name, 4)
        cycles.feeds.write_text(cycles.site.feeds_yaml())

        started = time.monotonic()
        cycles.run()
        elapsed = time.monotonic() - started
        print(f"100k feed: first cycle {elapsed:.0f} s")

        assert elapsed < 300
        for name in ("a", "b", "c"):
            assert _fetched(cycles, name) == 4
            assert cycles.rows(
                "SELECT count(*) FROM articles JOIN feeds USING (feed_id) WHERE name = ?",
                [name],
            ) == [(4,)]
        first = _fetched(cycles, "huge")
        assert first == 50  # max_pages_per_feed
        assert cycles.health("huge")["pages_pending"] == 100_000 - first

        second_started = time.monotonic()
        cycles.run()  # the feed answers 304; the next 50 pending pages are fetched
        second = time.monotonic() - second_started
        assert cycles.health("huge")["pages_pending"] == 100_000 - 2 * first
        print(f"100k feed: second cycle {second:.0f} s")
