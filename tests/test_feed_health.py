"""Feed health and adaptive polling: failing feeds back off exponentially and come back after
one success; busy feeds are polled more often, quiet ones less; Retry-After moves the next poll;
`feed_health` shows it all."""

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from storage.db import connect
from storage.health import ScheduleRow, feed_health
from storage.records import Batch, FeedRow, PollRow, sync_feeds, write_batch
from tests.conftest import make_settings
from wirewatch.fetch.polling import next_schedule, schedule_polls, select_due
from wirewatch.ingest import cycle
from wirewatch.sample_site.server import Reply, Request, SiteServer

T0 = datetime(2026, 2, 1, 12, tzinfo=UTC)
RSS = (
    b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
    b"<item><title>a</title><link>http://127.0.0.1/a</link><guid>a</guid></item>"
    b"</channel></rss>"
)


def _poll(outcome="ok", new=0, at=T0, retry_after=None):
    return PollRow("run", "f1", at, 200, outcome, outcome, 1, new, 1.0, "", "", retry_after)


def _minutes(row: ScheduleRow, poll: PollRow) -> float:
    return (row.next_poll_at - poll.polled_at).total_seconds() / 60


def test_busy_feeds_are_polled_more_often_and_quiet_ones_less_within_bounds(tmp_path):
    settings = make_settings(
        tmp_path, interval_minutes=10, min_poll_interval_minutes=4, max_poll_interval_minutes=20
    )
    row, busy = None, []
    for _ in range(3):
        row = next_schedule(row, _poll(new=5), settings)
        busy.append(row.interval_minutes)
    assert busy == [5, 4, 4]  # halved down to the floor
    quiet = []
    for _ in range(4):
        row = next_schedule(row, _poll("not_modified"), settings)
        quiet.append(row.interval_minutes)
    assert quiet == [6, 9, 13.5, 20]  # x1.5 up to the ceiling
    assert row.why == "quiet"


def test_retry_after_moves_the_next_poll(tmp_path):
    settings = make_settings(tmp_path, interval_minutes=1)
    poll = _poll("http_error", retry_after=3600)
    row = next_schedule(None, poll, settings)
    assert (_minutes(row, poll), row.why) == (60, "retry_after")


def test_backoff_is_capped_at_max_backoff(tmp_path):
    settings = make_settings(tmp_path, interval_minutes=15, max_backoff_minutes=1440)
    row = None
    for _ in range(10):
        row = next_schedule(row, _poll("timeout"), settings)
    assert row.consecutive_failures == 10
    assert row.next_poll_at - T0 == timedelta(days=1)


class _FlakyFeed:
    """Answers 500 until `healthy` is set; logs each request."""

    def __init__(self) -> None:
        self.healthy, self.requests = False, 0

    def __call__(self, request: Request) -> Reply:
        self.requests += 1
        if not self.healthy:
            return Reply(500, b"oops")
        return Reply(200, RSS, {"Content-Type": "application/rss+xml"})


def _poll_once(settings, feed_url):
    with connect(settings.db_path) as con:
        from storage.records import load_feed_states

        states = load_feed_states(con, ["f1"])
    polled = asyncio.run(cycle.poll_feeds(states, settings, "run"))
    with connect(settings.db_path) as con:
        write_batch(con, Batch(polls=[p.poll for p in polled]))
        (row,) = schedule_polls(con, [p.poll for p in polled], settings)
        return polled[0].poll, row, feed_health(con)[0]


@pytest.mark.integration
def test_a_feed_failing_five_times_backs_off_and_recovers_after_one_success(tmp_path):
    settings = make_settings(tmp_path, interval_minutes=1, poll_due_only=True)
    site = _FlakyFeed()
    with SiteServer(site) as server:
        url = server.base_url + "/feed.xml"
        with connect(settings.db_path) as con:
            sync_feeds(con, [FeedRow("f1", url, "Flaky", "flaky", None, T0)])
        waits = []
        for failures in range(1, 6):
            poll, row, health = _poll_once(settings, url)
            assert (poll.outcome, poll.reason) == ("http_error", "http_500")
            assert health["consecutive_failures"] == failures
            waits.append(_minutes(row, poll))
            with connect(settings.db_path) as con:  # not due again until the back-off ends
                assert select_due(con, ["f1"], settings, poll.polled_at) == []
                assert select_due(con, ["f1"], settings, row.next_poll_at) == ["f1"]
        assert waits == [2, 4, 8, 16, 32]
        assert (health["last_outcome"], health["last_reason"]) == ("http_error", "http_500")
        assert health["last_success_at"] is None
        site.healthy = True
        poll, row, health = _poll_once(settings, url)
    assert poll.outcome == "ok"
    assert health["consecutive_failures"] == 0
    assert health["last_success_at"] == poll.polled_at
    # back on its healthy interval (x1.5: entries are counted as new later, at planning)
    assert (_minutes(row, poll), row.why) == (1.5, "quiet")
    assert health["polls"] == 6 and site.requests == 6


def test_runs_that_are_not_due_only_poll_every_feed(tmp_path):
    settings = make_settings(tmp_path, poll_due_only=False)
    with connect(settings.db_path) as con:
        schedule_polls(con, [_poll("timeout", at=datetime.now(UTC))], settings)
        assert select_due(con, ["f1", "f2"], settings, datetime.now(UTC)) == ["f1", "f2"]
        due_only = make_settings(tmp_path, poll_due_only=True)
        assert select_due(con, ["f1", "f2"], due_only, datetime.now(UTC)) == ["f2"]


def test_a_503_with_retry_after_is_recorded_on_its_poll_for_the_schedule(tmp_path):
    import httpx

    from storage.records import FeedState
    from wirewatch.fetch.net import HostLimiter, build_client, fetch

    settings = make_settings(tmp_path)

    def handler(request):
        return httpx.Response(503, headers={"Retry-After": "7200"})

    async def go():
        async with build_client(settings, httpx.MockTransport(handler)) as client:
            return await fetch(client, HostLimiter(1, 1), "http://site.test/feed", settings)

    response = asyncio.run(go())
    assert (response.reason, response.retry_after_s) == ("http_503", 7200.0)
    feed = FeedState("f1", "http://site.test/feed", "F", "f", "", "")
    poll = cycle._parse("run", feed, response).poll
    row = next_schedule(None, poll, settings)
    assert (poll.retry_after_s, row.why, _minutes(row, poll)) == (7200.0, "retry_after", 120)
