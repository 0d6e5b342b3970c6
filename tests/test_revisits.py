"""Revisits (issue 18 item 1): a stored article is fetched again on a schedule that decays with
its age, with a conditional GET (an unchanged page costs a 304), so a body-only update that
its feed never announces is still stored; an item whose feed text changed is fetched at once;
`feed_health` counts revisits done and changed. Over real loopback HTTP and the real flow."""

from dataclasses import replace
from datetime import timedelta

import pytest

from tests.cycleruns import cycle_site
from tests.cyclesite import T0

pytestmark = pytest.mark.integration


def test_an_unchanged_page_costs_a_304_and_a_body_only_update_is_a_new_version(
    tmp_path, monkeypatch, prefect_harness
):
    with cycle_site(tmp_path, monkeypatch) as cycles:
        cycles.site.add_feed("wire", 2)
        cycles.feeds.write_text(cycles.site.feeds_yaml())
        cycles.run()
        cycles.run()  # both young articles revisited: 304s

        assert cycles.site.count("/wire/0", 304) == 1
        assert cycles.site.count("/wire/1", 304) == 1
        assert cycles.rows("SELECT count(*) FROM article_versions") == [(2,)]

        # the body changes; the feed says nothing (same guid, date, title and summary)
        cycles.site.item("wire", 0).body = "In wire story 0, 9 people were killed."
        totals = cycles.run()

        assert (totals["revisits"], totals["revisits_changed"]) == (2, 1)
        versions = cycles.rows(
            "SELECT version FROM article_versions v JOIN articles a USING (article_id) "
            "WHERE a.canonical_url LIKE '%/wire/0' ORDER BY version"
        )
        assert versions == [(1,), (2,)]
        health = cycles.health("wire")
        assert (health["revisits_24h"], health["revisits_changed_24h"]) == (4, 1)
        assert cycles.site.count("/wire.xml", 304) == 2  # the feed itself never changed


def test_an_item_whose_feed_text_changed_is_fetched_at_once_with_the_same_guid_and_date(
    tmp_path, monkeypatch, prefect_harness
):
    with cycle_site(tmp_path, monkeypatch, REVISIT_HORIZON_HOURS=0) as cycles:  # no revisits
        cycles.site.add_feed("wire", 2)
        cycles.feeds.write_text(cycles.site.feeds_yaml())
        cycles.run(T0 + timedelta(hours=1))
        item = cycles.site.item("wire", 0)
        item.summary = "Summary of wire story 0, now with 9 killed."
        item.body = "In wire story 0, 9 people were killed."

        cycles.run(T0 + timedelta(hours=1, minutes=15))

        fetched = cycles.rows("SELECT entry_key, purpose FROM fetches ORDER BY fetched_at")
        assert fetched[2:] == [("wire-0", "update")]
        assert cycles.rows("SELECT count(*) FROM article_versions") == [(3,)]
        assert cycles.rows("SELECT summary FROM entries WHERE entry_key = 'wire-0'") == [
            ("Summary of wire story 0, now with 9 killed.",)
        ]


def test_revisits_come_every_cycle_then_hourly_then_daily_and_stop_at_the_horizon(
    tmp_path, monkeypatch, prefect_harness
):
    env = {"REVISIT_EVERY_CYCLE_HOURS": 1, "REVISIT_HOURLY_HOURS": 3, "REVISIT_HORIZON_HOURS": 5}
    with cycle_site(tmp_path, monkeypatch, **env) as cycles:
        cycles.site.add_feed("wire", 1, start=T0)
        cycles.feeds.write_text(cycles.site.feeds_yaml())
        # cycles a quarter hour clear of the schedule's steps (first seen at 1 h plus the
        # seconds a cycle takes)
        hours = [1, 1.5, 1.75, 2.25, 2.75, 3.25, 3.75, 4.25, 4.75, 28.5]

        for hour in hours:
            cycles.run(T0 + timedelta(hours=hour))

        fetched = cycles.rows("SELECT fetched_at, purpose FROM fetches ORDER BY fetched_at")
        at = [(t - T0) // timedelta(minutes=15) / 4 for t, _ in fetched]  # in quarter hours
        # first seen at 1 h: every cycle until 1 h old, then hourly until 3 h, then daily,
        # which at 28.25 h is past the 5 h horizon
        assert at == [1, 1.5, 1.75, 2.25, 3.25, 4.25]
        assert [p for _, p in fetched] == ["new"] + ["revisit"] * 5


# an aggregator lists one page under several guids, and flips between them as the story moves
def test_a_page_listed_again_under_the_guid_it_had_before_another_is_fetched_at_once(
    tmp_path, monkeypatch, prefect_harness
):
    with cycle_site(tmp_path, monkeypatch, REVISIT_HORIZON_HOURS=0) as cycles:  # no revisits
        cycles.site.add_feed("pool", 1)
        cycles.feeds.write_text(cycles.site.feeds_yaml())
        item = cycles.site.item("pool", 0)
        cycles.run(T0 + timedelta(hours=1))  # listed as A
        item.guid = "pool-0-b"
        cycles.run(T0 + timedelta(hours=1, minutes=15))  # as B: a new entry, fetched
        item.guid, item.body = "", "In pool story 0, 9 people were killed."

        cycles.run(T0 + timedelta(hours=1, minutes=30))  # as A again, its feed text unchanged
        cycles.run(T0 + timedelta(hours=1, minutes=45))  # still A: nothing to fetch

        fetched = cycles.rows("SELECT entry_key, purpose FROM fetches ORDER BY fetched_at")
        assert fetched == [("pool-0", "new"), ("pool-0-b", "new"), ("pool-0", "update")]
        assert cycles.rows("SELECT count(*) FROM article_versions") == [(2,)]


def test_a_page_listed_under_two_guids_is_fetched_once_a_cycle(
    tmp_path, monkeypatch, prefect_harness
):
    with cycle_site(tmp_path, monkeypatch) as cycles:  # young articles: revisited every cycle
        feed = cycles.site.add_feed("pool", 1)
        cycles.feeds.write_text(cycles.site.feeds_yaml())
        cycles.run(T0 + timedelta(hours=1))
        first = feed.items[0]
        feed.items.append(replace(first, guid="pool-0-b"))  # the same page under a second guid

        cycles.run(T0 + timedelta(hours=1, minutes=15))  # B is new; A's revisit is B's fetch
        cycles.run(T0 + timedelta(hours=1, minutes=30))  # A and B due: one revisit
        cycles.run(T0 + timedelta(hours=1, minutes=45))

        assert cycles.site.count("/pool/0") == 4  # one request a cycle
        fetched = cycles.rows("SELECT entry_key, purpose FROM fetches ORDER BY fetched_at")
        assert [p for _, p in fetched] == ["new", "new", "revisit", "revisit"]
        due = cycles.rows("SELECT count(*) FROM entries WHERE due_at IS NOT NULL")
        assert due == [(2,)]  # both entries stay on the schedule


def test_the_entry_a_page_was_last_fetched_under_is_the_one_its_feed_listed_last(
    tmp_path, monkeypatch, prefect_harness
):
    with cycle_site(tmp_path, monkeypatch, REVISIT_EVERY_CYCLE_HOURS=0) as cycles:  # hourly
        cycles.site.add_feed("pool", 1)
        cycles.feeds.write_text(cycles.site.feeds_yaml())
        item = cycles.site.item("pool", 0)
        cycles.run(T0 + timedelta(hours=1))  # listed as A
        item.guid = "pool-0-b"
        cycles.run(T0 + timedelta(hours=1, minutes=15))  # as B: new, fetched
        # A's revisit falls due while the feed lists the page as B: B's page now, not fetched
        cycles.run(T0 + timedelta(hours=2, minutes=5))
        item.guid, item.body = "", "In pool story 0, 9 people were killed."

        cycles.run(T0 + timedelta(hours=2, minutes=10))  # as A again: fetched at once

        fetched = cycles.rows("SELECT entry_key, purpose FROM fetches ORDER BY fetched_at")
        assert fetched == [("pool-0", "new"), ("pool-0-b", "new"), ("pool-0", "update")]
        assert cycles.rows("SELECT count(*) FROM article_versions") == [(2,)]
