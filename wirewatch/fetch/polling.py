"""Adaptive polling: when each feed is polled next, from how its last poll went.

- A failing feed backs off exponentially (cycle interval x 2^failures, capped at
  `max_backoff_minutes`); one success brings it back to its healthy interval.
- A healthy feed that brought new entries is polled more often (interval halved, down to
  `min_poll_interval_minutes`), one that brought none less often (x1.5, up to
  `max_poll_interval_minutes`).
- A 429/503's Retry-After moves the next poll at least that far.
- A feed whose last body failed to parse (`broken`) stays failing through its 304s.

Runs with `poll_due_only` (what `serve` sets) skip feeds that are not due; other runs (`wirewatch
run`, the demo, tests) poll every feed and still keep the schedule up to date.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

import duckdb

from storage.health import ScheduleRow, due_feeds, load_schedules, save_schedules
from storage.records import PollRow
from wirewatch.settings import Settings

_HEALTHY = frozenset({"ok", "not_modified"})
#: the schedule of a feed whose last body failed to parse: its 304s (the same broken body)
#: do not count as a success
BROKEN = "broken"


def _bounds(settings: Settings) -> tuple[float, float]:
    low = min(settings.min_poll_interval_minutes, settings.interval_minutes)
    return low, max(settings.max_poll_interval_minutes, low)


def next_schedule(prev: ScheduleRow | None, poll: PollRow, settings: Settings) -> ScheduleRow:
    """The feed's polling state after `poll` (pure)."""
    low, high = _bounds(settings)
    interval = prev.interval_minutes if prev else settings.interval_minutes
    still_broken = poll.outcome == "not_modified" and prev is not None and prev.why == BROKEN
    if poll.outcome in _HEALTHY and not still_broken:
        failures = 0
        busy = poll.entries_new > 0
        interval = max(low, interval / 2) if busy else min(high, interval * 1.5)
        wait, why = interval, ("busy" if busy else "quiet")
    else:
        failures = (prev.consecutive_failures if prev else 0) + 1
        wait = min(settings.max_backoff_minutes, settings.interval_minutes * 2**failures)
        why = BROKEN if poll.outcome == "parse_error" or still_broken else "backoff"
    if poll.retry_after_s is not None and poll.retry_after_s / 60 > wait:
        wait, why = poll.retry_after_s / 60, "retry_after"
    due = poll.polled_at + timedelta(minutes=wait)
    return ScheduleRow(poll.feed_id, interval, failures, due, why, poll.polled_at)


def schedule_polls(
    con: duckdb.DuckDBPyConnection, polls: Sequence[PollRow], settings: Settings
) -> list[ScheduleRow]:
    """Record when each polled feed is due next."""
    prev = load_schedules(con, [p.feed_id for p in polls])
    rows = []
    for poll in sorted(polls, key=lambda p: p.polled_at):
        row = next_schedule(prev.get(poll.feed_id), poll, settings)
        prev[poll.feed_id] = row
        rows.append(row)
    latest = list({row.feed_id: row for row in rows}.values())
    save_schedules(con, latest)
    return latest


def select_due(
    con: duckdb.DuckDBPyConnection, feed_ids: Sequence[str], settings: Settings, now: datetime
) -> list[str]:
    """The feeds to poll in a run starting `now`: all of them unless `poll_due_only`. A feed
    due before the middle of the coming interval is polled now rather than a cycle late."""
    if not settings.poll_due_only:
        return list(feed_ids)
    return due_feeds(con, feed_ids, now + timedelta(minutes=settings.interval_minutes / 2))
