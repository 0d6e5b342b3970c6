"""Feed polling state (`feed_schedule`) and the reads behind adaptive polling and `feeds list`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

import duckdb
import pyarrow as pa

from storage.db import transaction
from storage.records import _with_staged


@dataclass(frozen=True, slots=True)
class ScheduleRow:
    feed_id: str
    interval_minutes: float
    consecutive_failures: int
    next_poll_at: datetime
    why: str  # busy | quiet | steady | backoff | retry_after | broken (a body failed to parse)
    updated_at: datetime


def load_schedules(
    con: duckdb.DuckDBPyConnection, feed_ids: Sequence[str]
) -> dict[str, ScheduleRow]:
    rows = con.execute(
        "SELECT feed_id, interval_minutes, consecutive_failures, next_poll_at, why, updated_at "
        "FROM feed_schedule WHERE feed_id IN (SELECT unnest(?))",
        [list(feed_ids)],
    ).fetchall()
    return {row[0]: ScheduleRow(*row) for row in rows}


def save_schedules(con: duckdb.DuckDBPyConnection, rows: Sequence[ScheduleRow]) -> int:
    """Replace the feeds' polling state, in one statement."""
    table = pa.Table.from_pylist([asdict(row) for row in rows])
    with transaction(con):
        return _with_staged(
            con,
            table,
            "INSERT OR REPLACE INTO feed_schedule BY NAME SELECT * FROM staged",
            log=("feed_schedule", "SELECT feed_id FROM staged"),
        )


def due_feeds(
    con: duckdb.DuckDBPyConnection, feed_ids: Sequence[str], before: datetime
) -> list[str]:
    """The feeds (in the given order) never scheduled or due before `before`."""
    rows = con.execute(
        "SELECT feed_id FROM feed_schedule WHERE feed_id IN (SELECT unnest(?)) "
        "AND next_poll_at > ?",
        [list(feed_ids), before],
    ).fetchall()
    later = {row[0] for row in rows}
    return [feed_id for feed_id in feed_ids if feed_id not in later]


def feed_health(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Rows of the `feed_health` view, as dicts."""
    return _dicts(con.execute("SELECT * FROM feed_health"))


def _dicts(result: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    names = [d[0] for d in result.description]
    return [dict(zip(names, row, strict=True)) for row in result.fetchall()]


def run_polls(con: duckdb.DuckDBPyConnection, run_id: str) -> list[dict[str, Any]]:
    """One row per feed polled in the run: feed, url, outcome, reason, entries_new, duration_ms."""
    return _dicts(
        con.execute(
            "SELECT f.name AS feed, f.url, p.outcome, p.reason, p.entries_new, "
            "round(p.duration_ms) AS duration_ms FROM feed_polls p JOIN feeds f USING (feed_id) "
            "WHERE p.run_id = ? ORDER BY f.name, f.feed_id",
            [run_id],
        )
    )


def figure_changes(con: duckdb.DuckDBPyConnection, since: datetime) -> list[dict[str, Any]]:
    """Every new step of a toll line (`toll_line_from`, migrations 0030, 0050, 0051): a figure for
    an event's (metric, subject, side) that differs from the line's step before it, whoever of
    the side said each one ("killed civilians 3 -> 5, said by authorities, before: Vitali
    Klitschko"); a militant group's figure after the officials' is no step (another side). A
    step is new when no version fetched before `since` had given its value, also when several
    arrive together (versions saying 3, 5 and 7 in one run give 3 -> 5 and 5 -> 7), so a run
    that stores nothing new finds nothing and re-runs never repeat a change. Only the events
    given claims since `since` are read, and of them only the versions fetched since their
    first day.

    Each row keeps the keys notifications read: `claimant` (who said the new value, '' when
    unattributed), `previous_claimant`, `previous_value`, `value`, `figure`, `previous_figure`,
    `url` (the article that first gave the value) and `side` ('official' or 'militant')."""
    touched, start = _touched_events(con, since)
    if not touched:
        return []
    return _dicts(
        con.execute(
            """
            SELECT event_id, said_by AS claimant, claimant_kind, metric, subject,
                   previous_value, value, figure, previous_figure,
                   previous_said_by AS previous_claimant, article_url AS url,
                   value_first_fetched_at AS first_seen_at, reported_at, side
            FROM toll_line_from(?::TIMESTAMPTZ, ?::VARCHAR[])
            WHERE event_id IN (SELECT unnest(?::VARCHAR[]))
              AND previous_value IS NOT NULL AND value_first_fetched_at >= ?
            ORDER BY value_first_fetched_at, event_id, metric, subject, side, step""",
            [start, _threads_events(con, touched), touched, since],
        )
    )


def _threads_events(con: duckdb.DuckDBPyConnection, events: list[str]) -> list[str]:
    """Every event of the threads of `events` (a toll line is a thread's, migration 0042)."""
    rows = con.execute(
        "WITH given AS (SELECT unnest(?::VARCHAR[]) AS e), "
        "roots AS (SELECT DISTINCT thread_of(e) AS r FROM given) "
        "SELECT e FROM given UNION SELECT r FROM roots "
        "UNION SELECT event_id FROM event_threads WHERE thread_id IN (SELECT r FROM roots) "
        "ORDER BY 1",
        [events],
    ).fetchall()
    return [row[0] for row in rows]


def _touched_events(
    con: duckdb.DuckDBPyConnection, since: datetime
) -> tuple[list[str], datetime | None]:
    """The events given claims since `since`, and a day before the first of them or of the
    happenings they follow up (`thread_of`) began: a version is fetched after it is
    published, so the claims of their toll lines were all fetched since then."""
    touched = [
        row[0]
        for row in con.execute(
            "SELECT DISTINCT event_id FROM claims_since(?::TIMESTAMPTZ) "
            "WHERE event_id IS NOT NULL ORDER BY 1",
            [since],
        ).fetchall()
    ]
    if not touched:
        return [], None
    start = con.execute(
        "SELECT min(first_seen) - INTERVAL 1 DAY FROM event_summaries WHERE event_id IN ("
        "  SELECT e FROM (SELECT unnest(?::VARCHAR[]) AS e) UNION ALL "
        "  SELECT thread_of(e) FROM (SELECT unnest(?::VARCHAR[]) AS e))",
        [touched, touched],
    ).fetchall()[0][0]
    return touched, start


def is_first_cycle(con: duckdb.DuckDBPyConnection, since: datetime) -> bool:
    """True when nothing was fetched before `since`: the run is the database's backfill."""
    row = con.execute(
        "SELECT NOT EXISTS (SELECT 1 FROM article_versions WHERE fetched_at < ?)", [since]
    ).fetchall()
    return bool(row[0][0])
