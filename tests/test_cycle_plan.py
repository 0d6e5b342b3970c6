"""What one cycle fetches (wirewatch/ingest/plan.py), as pure rules: new and changed entries
newest first under a per-feed cap, feeds taking turns under a per-host cap, revisits within
their own share of a host, leftovers pending; failed pages retried with back-off a bounded
number of times; revisits that decay with an article's age."""

from datetime import UTC, datetime, timedelta

from extractors.feeds import FeedEntry
from storage.records import EntryRow, FeedState
from tests.conftest import make_settings
from wirewatch.ingest.plan import (
    Fetched,
    Job,
    Purpose,
    candidates,
    choose,
    fetched_row,
    next_revisit,
    one_fetch_per_page,
    pending_row,
    purpose,
    retry_at,
    twin_row,
)

NOW = datetime(2026, 2, 1, 12, tzinfo=UTC)
HOURS_10 = timedelta(hours=10)


def _feed(name: str, host: str = "a.example") -> FeedState:
    return FeedState(name, f"https://{host}/{name}.xml", name, name, "", "")


def _entry(feed: str, k: int, host: str = "a.example", **changes: object) -> FeedEntry:
    values: dict[str, object] = {
        "key": f"{feed}-{k}",
        "url": f"https://{host}/{feed}/{k}",
        "title": f"story {k}",
        "published_at": NOW - timedelta(hours=10) + timedelta(minutes=k),
        "updated_at": None,
        "summary": "s",
        "content_hash": "h",
    }
    values.update(changes)
    return FeedEntry(**values)  # type: ignore[arg-type]


def _stored(entry: FeedEntry, feed: str, **changes: object) -> EntryRow:
    values: dict[str, object] = {
        "feed_id": feed,
        "entry_key": entry.key,
        "url": entry.url,
        "article_id": "art-" + entry.key,
        "marker": entry.marker,
        "state": "ok",
        "attempts": 0,
        "first_seen_at": NOW - timedelta(hours=1),
        "feed_hash": entry.content_hash,
        "due_at": None,
    }
    values.update(changes)
    return EntryRow(**values)  # type: ignore[arg-type]


def test_a_feed_gives_at_most_its_cap_of_pages_newest_first_and_the_rest_wait(tmp_path):
    settings = make_settings(tmp_path, max_pages_per_feed=3, max_pages_per_host=0)
    feed = _feed("big")
    jobs = candidates(feed, [_entry("big", k) for k in range(10)], {}, NOW, settings)
    taken, left = choose(jobs, settings)
    assert [j.entry.key for j in taken] == ["big-9", "big-8", "big-7"]
    assert len(left) == 7
    pending = [pending_row(j, NOW) for j in left]
    assert {(p.state, p.due_at, p.title) for p in pending if p} == {
        ("pending", NOW, f"story {k}") for k in range(7)
    }


def test_feeds_on_one_host_take_turns_under_the_host_cap(tmp_path):
    settings = make_settings(tmp_path, max_pages_per_feed=50, max_pages_per_host=6)
    big, small = _feed("big"), _feed("small")
    jobs = candidates(big, [_entry("big", k) for k in range(40)], {}, NOW, settings)
    jobs += candidates(small, [_entry("small", k) for k in range(2)], {}, NOW, settings)
    taken, left = choose(jobs, settings)
    assert sorted(j.entry.key for j in taken if j.feed is small) == ["small-0", "small-1"]
    assert len(taken) == 6 and len(left) == 36


def test_hosts_have_their_own_caps(tmp_path):
    settings = make_settings(tmp_path, max_pages_per_host=2)
    jobs = candidates(_feed("a"), [_entry("a", k) for k in range(5)], {}, NOW, settings)
    other = _feed("b", "b.example")
    jobs += candidates(other, [_entry("b", k, "b.example") for k in range(5)], {}, NOW, settings)
    taken, _ = choose(jobs, settings)
    assert sorted(j.entry.key for j in taken) == ["a-3", "a-4", "b-3", "b-4"]


def test_revisits_take_at_most_their_share_of_a_host_and_new_entries_the_rest(tmp_path):
    settings = make_settings(tmp_path, max_pages_per_host=5, max_revisits_per_host=2)
    feed = _feed("f")
    old = [_entry("f", k) for k in range(10)]
    overdue = [NOW - timedelta(minutes=k) for k in range(10)]
    known = {e.key: _stored(e, "f", due_at=at) for e, at in zip(old, overdue, strict=True)}
    fresh = [_entry("f", 100 + k) for k in range(8)]
    jobs = candidates(feed, fresh + old, known, NOW, settings)
    taken, left = choose(jobs, settings)
    revisits = [j for j in taken if j.purpose is Purpose.REVISIT]
    assert [j.entry.key for j in revisits] == ["f-9", "f-8"]  # the most overdue
    assert sum(j.purpose is Purpose.NEW for j in taken) == 3
    assert taken[-2:] == revisits  # new pages first: a spent time budget cuts revisits
    assert len(left) == 5 + 8


def test_an_entry_whose_feed_text_changed_is_refetched_though_guid_and_date_are_the_same(
    tmp_path,
):
    settings = make_settings(tmp_path, revisit_horizon_hours=0)  # no revisits at all
    entry = _entry("f", 1)
    prior = _stored(entry, "f")
    assert purpose(entry, prior, NOW, settings) is None
    assert purpose(_entry("f", 1, content_hash="other"), prior, NOW, settings) is Purpose.UPDATE
    assert purpose(_entry("f", 1, updated_at=NOW), prior, NOW, settings) is Purpose.UPDATE
    # rows stored before the feed's text was hashed are not all refetched at once
    assert purpose(entry, _stored(entry, "f", feed_hash=""), NOW, settings) is None


def test_due_stored_entries_are_offered_even_when_the_feed_lists_nothing(tmp_path):
    settings = make_settings(tmp_path)
    gone = _entry("f", 1)
    failed = _stored(gone, "f", state="failed", attempts=1, article_id=None, due_at=NOW)
    jobs = candidates(_feed("f"), [], {gone.key: failed}, NOW, settings)
    assert [(j.entry.key, j.purpose) for j in jobs] == [("f-1", Purpose.RETRY)]


def test_a_failed_page_is_retried_next_cycle_then_with_back_off_then_given_up(tmp_path):
    settings = make_settings(tmp_path, max_fetch_attempts=4, page_retry_backoff_minutes=15)
    waits = [retry_at(n, NOW, settings) for n in (1, 2, 3, 4)]
    assert waits == [NOW, NOW + timedelta(minutes=15), NOW + timedelta(minutes=45), None]


def test_a_failed_fetch_keeps_what_the_feed_said_and_counts_the_attempt(tmp_path):
    settings = make_settings(tmp_path)
    entry = _entry("f", 1, title="Paywalled", summary="What the feed said.")
    failed = Fetched(NOW, False, None, reason="http_503")
    row = fetched_row(Job(_feed("f"), entry, None), failed, settings)
    assert (row.state, row.attempts, row.last_reason, row.due_at) == ("failed", 1, "http_503", NOW)
    assert (row.title, row.summary, row.published_at) == (
        "Paywalled",
        "What the feed said.",
        entry.published_at,
    )


def test_a_failed_revisit_keeps_the_stored_article(tmp_path):
    settings = make_settings(tmp_path)
    entry = _entry("f", 1)
    prior = _stored(entry, "f", due_at=NOW)
    job = Job(_feed("f"), entry, prior, Purpose.REVISIT)
    row = fetched_row(job, Fetched(NOW, False, None, reason="read_timeout"), settings)
    assert (row.state, row.article_id, row.attempts) == ("ok", prior.article_id, 0)


def test_revisits_decay_with_age_and_stop_at_the_horizon(tmp_path):
    settings = make_settings(
        tmp_path, revisit_every_cycle_hours=6, revisit_hourly_hours=48, revisit_horizon_hours=168
    )
    first = NOW
    after = {
        hours: next_revisit(first, first + timedelta(hours=hours), settings)
        for hours in (1, 10, 100, 200)
    }
    assert after[1] == first + timedelta(hours=1)  # due again at the next cycle
    assert after[10] == first + timedelta(hours=11)  # hourly
    assert after[100] == first + timedelta(hours=124)  # daily
    assert after[200] is None  # past the horizon


def test_an_entry_listed_again_after_another_took_its_page_is_an_update_unless_both_are_listed(
    tmp_path,
):
    settings = make_settings(tmp_path, revisit_horizon_hours=0)  # no revisits at all
    feed, a, b = _feed("f"), _entry("f", 1), _entry("f", 1, key="f-1b")  # one page, two guids
    known = {
        a.key: _stored(a, "f", last_fetched_at=NOW - timedelta(hours=2)),
        b.key: _stored(b, "f", last_fetched_at=NOW - timedelta(hours=1)),  # fetched last
    }

    def offered(listed: list[FeedEntry]) -> list[tuple[str, Purpose]]:
        return [(j.entry.key, j.purpose) for j in candidates(feed, listed, known, NOW, settings)]

    assert offered([a]) == [("f-1", Purpose.UPDATE)]  # A, B, then A again
    assert offered([b]) == []
    assert offered([a, b]) == []  # both listed: no flip, no fetch every cycle


def test_a_page_is_revisited_once_a_cycle_whatever_the_entries_listing_it(tmp_path):
    settings = make_settings(tmp_path)
    feed, a, b = _feed("f"), _entry("f", 1), _entry("f", 1, key="f-1b")
    fresh = _entry("f", 2)
    known = {
        a.key: _stored(a, "f", due_at=NOW - timedelta(minutes=2)),
        b.key: _stored(b, "f", due_at=NOW - timedelta(minutes=1), first_seen_at=NOW - HOURS_10),
        fresh.key: _stored(fresh, "f", due_at=NOW),
    }
    jobs, _ = choose(candidates(feed, [a, b, fresh], known, NOW, settings), settings)
    kept, twins = one_fetch_per_page(jobs)
    assert [j.entry.key for j in kept] == ["f-1", "f-2"]  # the most overdue of the page's two
    assert [j.entry.key for j in twins] == ["f-1b"]
    moved = twin_row(twins[0], NOW, settings)
    assert moved.due_at == NOW + timedelta(hours=1)  # 10 h old: hourly, as if fetched now
    assert moved.state == "ok" and moved.article_id == "art-f-1b"


def test_an_unlisted_entrys_revisit_is_covered_by_the_entry_its_page_is_listed_under(tmp_path):
    settings = make_settings(tmp_path)
    feed, a, b = _feed("f"), _entry("f", 1), _entry("f", 1, key="f-1b")  # one page, two guids
    known = {a.key: _stored(a, "f", due_at=NOW), b.key: _stored(b, "f", due_at=NOW)}
    jobs = candidates(feed, [b], known, NOW, settings)  # the feed lists the page as B
    assert [(j.entry.key, j.covered) for j in jobs] == [("f-1b", False), ("f-1", True)]
    kept, twins = one_fetch_per_page(jobs)
    assert [j.entry.key for j in kept] == ["f-1b"] and [j.entry.key for j in twins] == ["f-1"]
