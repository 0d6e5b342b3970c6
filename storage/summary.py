"""Read-side queries for the CLI: the run summary, and arbitrary read-only SQL."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import duckdb


@dataclass(frozen=True, slots=True)
class Table:
    columns: list[str]
    rows: list[tuple[Any, ...]]

    def column(self, name: str) -> list[Any]:
        """The values of one column, in row order."""
        i = self.columns.index(name)
        return [row[i] for row in self.rows]


def query(
    con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | dict[str, Any] | None = None
) -> Table:
    relation = con.execute(sql, params or [])
    columns = [d[0] for d in relation.description or []]
    return Table(columns, relation.fetchall())


OUTLETS = """
SELECT f.outlet,
       count(DISTINCT f.feed_id) AS feeds,
       (SELECT count(*) FROM feed_polls p JOIN feeds g USING (feed_id) WHERE g.outlet = f.outlet)
           AS polls,
       (SELECT count(*) FROM articles a WHERE a.outlet = f.outlet) AS articles,
       (SELECT count(*) FROM article_versions v JOIN articles a USING (article_id)
         WHERE a.outlet = f.outlet) AS versions,
       (SELECT count(*) FROM fetches x JOIN feeds g USING (feed_id)
         WHERE g.outlet = f.outlet AND x.outcome <> 'ok') AS fetch_errors
FROM feeds f GROUP BY f.outlet ORDER BY f.outlet
"""

POLL_OUTCOMES = """
SELECT outcome, reason, count(*) AS polls FROM feed_polls GROUP BY ALL ORDER BY polls DESC, outcome
"""

ERRORS = """
SELECT 'poll' AS kind, outcome, reason, count(*) AS n FROM poll_errors GROUP BY ALL
UNION ALL
SELECT 'fetch', outcome, reason, count(*) FROM fetch_errors GROUP BY ALL
ORDER BY n DESC
"""

VERSIONED = """
SELECT outlet, title, count(*) OVER (PARTITION BY article_id) AS versions, version, published_at,
       fetched_at
FROM article_versions JOIN articles USING (article_id)
QUALIFY versions > 1 ORDER BY article_id, version
"""

TOTALS = """
SELECT (SELECT count(*) FROM feeds) AS feeds, (SELECT count(*) FROM feed_polls) AS polls,
       (SELECT count(*) FROM articles) AS articles,
       (SELECT count(*) FROM article_versions) AS versions,
       (SELECT count(*) FROM fetches) AS fetches,
       (SELECT count(*) FROM stories) AS stories, (SELECT count(*) FROM events) AS events,
       (SELECT count(*) FROM poll_errors) + (SELECT count(*) FROM fetch_errors) AS errors
"""


PAGES = """
SELECT feed, pages_pending, pages_retrying, pages_given_up, fetches_failed_24h, revisits_due,
       revisits_24h, revisits_changed_24h
FROM feed_health
WHERE pages_pending + pages_retrying + pages_given_up + fetches_failed_24h + revisits_due
      + revisits_24h > 0
"""


STORIES = """
SELECT story_id, agency, n_copies, outlets, strftime(first_seen, '%Y-%m-%d %H:%M') AS first_seen
FROM stories ORDER BY first_seen, story_id
"""

EVENTS = """
SELECT event_id, title, n_stories, n_articles, strftime(first_seen, '%Y-%m-%d') AS first_seen,
       strftime(last_seen, '%Y-%m-%d') AS last_seen
FROM events ORDER BY first_seen, event_id
"""


# Sections of `wirewatch summary`: short name -> (title, query).
SECTIONS: dict[str, tuple[str, str]] = {
    "totals": ("totals", TOTALS),
    "outlets": ("outlets", OUTLETS),
    "polls": ("poll outcomes", POLL_OUTCOMES),
    "errors": ("errors (with reasons)", ERRORS),
    "pages": ("pages waiting (pending, retrying, given up) and revisits, per feed", PAGES),
    "versioned": ("articles with more than one version", VERSIONED),
    "stories": ("stories (wire copies collapsed; n_copies = outlets' articles)", STORIES),
    "events": ("events (stories about one happening)", EVENTS),
}


def summary(con: duckdb.DuckDBPyConnection, sections: list[str] | None = None) -> dict[str, Table]:
    """The named sections (default: all), keyed by their titles."""
    chosen = sections or list(SECTIONS)
    return {SECTIONS[name][0]: query(con, SECTIONS[name][1]) for name in chosen}


def counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Row counts of the record tables (used to show what a run added)."""
    table = query(con, TOTALS)
    return dict(zip(table.columns, table.rows[0], strict=True))


def figure_timeline(
    con: duckdb.DuckDBPyConnection,
    event_id: str | None = None,
    metric: str | None = None,
    include_unattributed: bool = False,
) -> Table:
    """figure_history as a reader wants it: who claimed what, when, from how many stories."""
    where, params = ["TRUE"], []
    if event_id:
        where.append("event_id = ?")
        params.append(event_id)
    if metric:
        where.append("metric = ?")
        params.append(metric)
    if not include_unattributed:
        where.append("claimant_kind <> 'unattributed'")
    return query(
        con,
        f"""
        SELECT strftime(first_published_at, '%Y-%m-%d %H:%M') AS published,
               claimant_kind AS kind, claimant, metric, subject, figure,
               previous_value AS previous, n_sources AS sources
        FROM figure_history WHERE {" AND ".join(where)}
        ORDER BY first_published_at, claimant_kind, claimant, metric, subject, value""",
        params,
    )


def disputes(con: duckdb.DuckDBPyConnection) -> Table:
    return query(
        con,
        "SELECT metric, subject, militant_group, government, media, ngo "
        "FROM figure_disputes ORDER BY metric, subject",
    )
