"""A cycle run "as of" a given time (`WIREWATCH_NOW`, the flow's `now`): every time it records
is on that clock, which starts there and runs at real speed (replays of a stream, tests)."""

import asyncio
from datetime import UTC, datetime, timedelta

from storage.records import FeedState
from tests.conftest import make_settings
from wirewatch.ingest import cycle
from wirewatch.ingest.clock import cycle_clock
from wirewatch.sample_site import render
from wirewatch.settings import Settings

AS_OF = datetime(2026, 2, 1, 7, 0, tzinfo=UTC)


def test_the_setting_reads_an_iso_time_and_takes_utc_when_no_offset_is_given(monkeypatch):
    monkeypatch.setenv("WIREWATCH_NOW", "2026-02-01T07:00:00")
    assert Settings().now == AS_OF
    monkeypatch.setenv("WIREWATCH_NOW", "2026-02-01T09:00:00+02:00")
    assert Settings().now == AS_OF


def test_unset_the_cycle_runs_on_the_machine_clock(tmp_path):
    clock = cycle_clock(make_settings(tmp_path))
    assert abs(clock.now() - datetime.now(UTC)) < timedelta(seconds=5)


def test_polls_and_fetches_of_a_cycle_as_of_a_time_are_recorded_at_that_time(tmp_path, news_site):
    _, site = news_site
    settings = make_settings(tmp_path, now=AS_OF)
    clock = cycle_clock(settings)
    outlet = next(iter(site.outlets.values()))
    url = site.base_url + render.feed_path(outlet)
    state = FeedState("f1", url, outlet.name, outlet.slug, "", "")
    polled = asyncio.run(cycle.poll_feeds([state], settings, "run", clock))
    _, jobs = cycle.plan_fetches(polled, {}, settings)
    done = asyncio.run(cycle.fetch_and_extract(jobs[:2], settings, None, clock))
    batch = cycle.assemble_batch(polled, done, "run")
    times = [p.polled_at for p in batch.polls] + [f.fetched_at for f in batch.fetches]
    times += [e.first_seen_at for e in batch.entries]
    assert done and len(times) == 1 + 2 * len(done)
    assert all(AS_OF <= t < AS_OF + timedelta(seconds=30) for t in times)
