"""Read queries behind what a person looks at: charts, the HTML report, diffs and exports.

Views are read by column name only, so that columns added to them later change nothing here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import duckdb
import pyarrow as pa

from storage.summary import Table, query


@dataclass(frozen=True, slots=True)
class FigurePoint:
    """One figure a claimant gave, from when it was first published."""

    published_at: datetime
    claimant_key: str
    claimant: str
    claimant_kind: str
    subject: str
    value: int
    value_high: int
    qualifier: str
    figure: str


@dataclass(frozen=True, slots=True)
class Version:
    article_id: str
    url: str
    outlet: str
    version: int
    fetched_at: datetime
    title: str
    text: str


def figure_points(con: duckdb.DuckDBPyConnection, event_id: str, metric: str) -> list[FigurePoint]:
    """An event's attributed figures for one metric, oldest first (from figure_history)."""
    rows = con.execute(
        """
        SELECT first_published_at, claimant_key, claimant, claimant_kind, subject, value,
               value_high, qualifier, figure
        FROM figure_history
        WHERE event_id = ? AND metric = ? AND claimant_kind <> 'unattributed'
          AND first_published_at IS NOT NULL
        ORDER BY first_published_at, claimant_key, subject, value""",
        [event_id, metric],
    ).fetchall()
    return [FigurePoint(*row) for row in rows]


@dataclass(frozen=True, slots=True)
class TollStep:
    """One step of an event's toll line: the figure as reported then, and who said it."""

    reported_at: datetime
    subject: str
    value: int
    value_high: int
    qualifier: str
    figure: str
    said_by: str  # '' when unattributed
    claimant_kind: str
    side: str = "official"  # 'militant' when a militant group claims it (`claim_side`, 0050)


def toll_steps(con: duckdb.DuckDBPyConnection, event_id: str, metric: str) -> list[TollStep]:
    """An event's toll lines for one metric (one per subject and side: the officials' and a
    militant group's figures are two lines), oldest step first; a line follows the event's
    thread (the happening and its follow-ups, view `event_threads`)."""
    rows = con.execute(
        """
        SELECT reported_at, subject, value, value_high, qualifier, figure, said_by, claimant_kind,
               side
        FROM toll_lines WHERE thread_id = thread_of(?) AND metric = ? AND reported_at IS NOT NULL
        ORDER BY subject, side DESC, step""",
        [event_id, metric],
    ).fetchall()
    return [TollStep(*row) for row in rows]


def event_toll_line(con: duckdb.DuckDBPyConnection, event_id: str) -> Table:
    """Every step of an event's toll lines (over its thread; one line per metric, subject and
    side), with who said it and the figure before it; the killed, then the injured, first, and
    the officials' line before a militant group's."""
    return query(
        con,
        """
        SELECT metric, subject, side, step, figure, coalesce(nullif(said_by, ''), 'unattributed')
               AS said_by, claimant_kind AS kind, previous_figure AS previous,
               previous_said_by AS previously_said_by, reported_at AS reported, article_url
        FROM toll_lines WHERE thread_id = thread_of(?)
        ORDER BY metric <> 'killed', metric <> 'injured', metric, subject, side DESC, step""",
        [event_id],
    )


def busiest_event(con: duckdb.DuckDBPyConnection, metric: str) -> str | None:
    """The event with the most attributed figures for `metric` (the one worth charting)."""
    row = con.execute(
        """
        SELECT event_id FROM figure_history
        WHERE metric = ? AND claimant_kind <> 'unattributed' AND event_id IS NOT NULL
        GROUP BY event_id
        ORDER BY count(DISTINCT claimant_key) DESC, count(*) DESC, event_id LIMIT 1""",
        [metric],
    ).fetchone()
    return None if row is None else str(row[0])


def event_metrics(con: duckdb.DuckDBPyConnection, event_id: str) -> list[str]:
    """The metrics an event has attributed figures or a toll line for, most claimed first."""
    rows = con.execute(
        """
        SELECT metric FROM (
            SELECT metric, 1 AS n FROM figure_history
            WHERE event_id = ? AND claimant_kind <> 'unattributed'
            UNION ALL SELECT metric, 0 AS n FROM toll_lines WHERE thread_id = thread_of(?))
        GROUP BY metric ORDER BY sum(n) DESC, metric""",
        [event_id, event_id],
    ).fetchall()
    return [str(r[0]) for r in rows]


@dataclass(frozen=True, slots=True)
class Filters:
    """What `figures`, `report` and the web page narrow to; None is "any"."""

    since: datetime | None = None  # figures first published (events: last seen) at or after
    event_id: str | None = None
    claimant: str | None = None  # a part of the claimant's name or key, any case
    outlet: str | None = None  # a part of the outlet's name, any case
    text: str | None = None  # a part of the event's title or id, any case (the page's search)


NO_FILTERS = Filters()


def _like(value: str | None) -> str | None:
    if value is None:
        return None
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _filter_params(filters: Filters) -> dict[str, object]:
    return {
        "since": filters.since,
        "event_id": filters.event_id,
        "claimant": _like(filters.claimant),
        "outlet": _like(filters.outlet),
        "text": _like(filters.text),
    }


_EVENT_FILTER = r"""
    ($event_id IS NULL OR e.event_id = $event_id)
    AND ($text IS NULL OR e.title ILIKE $text ESCAPE '\' OR e.event_id ILIKE $text ESCAPE '\')
    AND ($since IS NULL OR e.last_seen >= $since)
    AND ($claimant IS NULL OR EXISTS (
        SELECT 1 FROM figure_history f WHERE f.event_id = e.event_id
          AND (f.claimant ILIKE $claimant ESCAPE '\'
               OR f.claimant_key ILIKE $claimant ESCAPE '\')))
    AND ($outlet IS NULL OR EXISTS (
        SELECT 1 FROM latest_versions l WHERE l.event_id = e.event_id
          AND l.outlet ILIKE $outlet ESCAPE '\'))"""


def events(
    con: duckdb.DuckDBPyConnection,
    filters: Filters = NO_FILTERS,
    limit: int | None = None,
    offset: int = 0,
) -> Table:
    """The events that match `filters`, newest first (by their last article)."""
    params = {**_filter_params(filters), "limit": limit, "offset": offset}
    return query(
        con,
        "SELECT e.event_id, e.title, e.first_seen, e.last_seen, e.n_stories, e.n_articles "
        f"FROM events e WHERE {_EVENT_FILTER} "
        "ORDER BY e.last_seen DESC NULLS LAST, e.first_seen DESC, e.event_id "
        "LIMIT coalesce($limit, 9223372036854775807) OFFSET $offset",
        params,
    )


def count_events(con: duckdb.DuckDBPyConnection, filters: Filters = NO_FILTERS) -> int:
    row = con.execute(
        f"SELECT count(*) FROM events e WHERE {_EVENT_FILTER}", _filter_params(filters)
    ).fetchone()
    return int(row[0]) if row else 0


#: `figures`' columns for programs: numbers as numbers, times with their zone.
FIGURE_COLUMNS = (
    "value", "value_high", "qualifier", "figure", "metric", "subject", "claimant",
    "claimant_kind", "claimant_key", "event_id", "outlet", "url", "published_at",
    "first_seen_at", "last_seen_at", "n_sources", "previous_value",
)  # fmt: skip


def figure_rows(
    con: duckdb.DuckDBPyConnection,
    filters: Filters = NO_FILTERS,
    metric: str | None = None,
    include_unattributed: bool = False,
) -> Table:
    """figure_history with the outlet of the article that first gave each figure."""
    params = _filter_params(filters)
    del params["text"]
    params.update(metric=metric, all=include_unattributed)
    return query(
        con,
        r"""
        SELECT f.value, f.value_high, f.qualifier, f.figure, f.metric, f.subject, f.claimant,
               f.claimant_kind, f.claimant_key, f.event_id, a.outlet, f.article_url AS url,
               f.first_published_at AS published_at, f.first_seen_at, f.last_seen_at,
               f.n_sources, f.previous_value
        FROM figure_history f
        LEFT JOIN (SELECT canonical_url, any_value(outlet) AS outlet FROM articles GROUP BY 1) a
               ON a.canonical_url = f.article_url
        WHERE ($metric IS NULL OR f.metric = $metric)
          AND ($all OR f.claimant_kind <> 'unattributed')
          AND ($event_id IS NULL OR f.event_id = $event_id)
          AND ($since IS NULL OR f.first_published_at >= $since)
          AND ($claimant IS NULL OR f.claimant ILIKE $claimant ESCAPE '\'
               OR f.claimant_key ILIKE $claimant ESCAPE '\')
          AND ($outlet IS NULL OR a.outlet ILIKE $outlet ESCAPE '\')
        ORDER BY f.first_published_at, f.claimant_kind, f.claimant, f.metric, f.subject,
                 f.value, f.value_high, f.qualifier, f.claimant_key, f.event_id""",
        params,
    )


def people_columns(figures: Table) -> Table:
    """`figure_rows` as a person reads it: when, who, what, and where it was first said."""
    shown = ("published_at", "claimant_kind", "claimant", "metric", "subject", "figure",
             "previous_value", "n_sources", "outlet")  # fmt: skip
    names = {"published_at": "published", "claimant_kind": "kind", "previous_value": "previous",
             "n_sources": "sources"}  # fmt: skip
    keep = [figures.columns.index(c) for c in shown]
    return Table(
        [names.get(c, c) for c in shown], [tuple(row[i] for i in keep) for row in figures.rows]
    )


def feed_health_table(con: duckdb.DuckDBPyConnection) -> Table:
    """Every feed with its last outcome and reason, the failing ones first."""
    return query(
        con,
        """
        SELECT feed, url, last_outcome AS outcome, last_reason AS reason,
               consecutive_failures AS failures, last_polled_at, last_success_at, polls,
               next_poll_at
        FROM feed_health
        ORDER BY consecutive_failures DESC, last_outcome IN ('ok', 'not_modified'), feed""",
    )


def recent_errors(con: duckdb.DuckDBPyConnection, limit: int = 200) -> Table:
    """The newest poll and fetch errors, with their reasons."""
    return query(
        con,
        """
        SELECT * FROM (
            SELECT polled_at AS time, 'poll' AS kind, feed, url, http_status, outcome, reason
            FROM poll_errors
            UNION ALL
            SELECT fetched_at, 'page', feed, url, http_status, outcome, reason FROM fetch_errors)
        ORDER BY time DESC LIMIT ?""",
        [limit],
    )


def event_thread(con: duckdb.DuckDBPyConnection, event_id: str) -> Table:
    """The other events of an event's thread (the happening and its follow-ups weeks later,
    view `event_threads`), oldest first: their toll lines are one line."""
    return query(
        con,
        """
        WITH thread AS (SELECT thread_of(?) AS id)
        SELECT event_id, title, first_seen
        FROM event_summaries, thread
        WHERE event_id <> ?
          AND (event_id = thread.id
               OR event_id IN (SELECT event_id FROM event_threads WHERE thread_id = thread.id))
        ORDER BY first_seen, event_id""",
        [event_id, event_id],
    )


def event_copies(con: duckdb.DuckDBPyConnection, event_id: str) -> Table:
    """Every article (copy) in an event's stories, with its story, credited agency and versions."""
    return query(
        con,
        """
        SELECT s.story_id, l.outlet, l.title, l.canonical_url AS url, l.article_id,
               nullif(l.agency, '') AS agency, l.version AS versions,
               coalesce(l.published_at, l.fetched_at) AS published
        FROM latest_versions l JOIN stories s USING (story_id)
        WHERE l.event_id = ?
        ORDER BY s.first_seen, s.story_id, published, l.outlet""",
        [event_id],
    )


# figure_disputes' side-by-side columns, one per kind of claimant, in the order shown.
CLAIMANT_KINDS = ("militant_group", "government", "media", "ngo", "other", "unattributed")


def event_disputes(con: duckdb.DuckDBPyConnection, event_id: str) -> Table:
    """figure_disputes for one event: metric, subject, and the kinds of claimant that spoke."""
    table = query(con, "SELECT * FROM figure_disputes WHERE event_id = ?", [event_id])
    index = {c: i for i, c in enumerate(table.columns)}
    spoke = [k for k in CLAIMANT_KINDS if k in index and any(r[index[k]] for r in table.rows)]
    keep = [index["metric"], index["subject"], *(index[k] for k in spoke)]
    return Table([table.columns[i] for i in keep], [tuple(r[i] for i in keep) for r in table.rows])


def event_timeline(con: duckdb.DuckDBPyConnection, event_id: str) -> Table:
    return query(
        con,
        """
        SELECT f.first_published_at AS published, f.claimant_kind AS kind, f.claimant,
               f.metric, f.subject, f.figure, f.previous_value AS previous,
               f.n_sources AS sources, f.article_url, a.article_id, a.versions, a.outlet
        FROM figure_history f
        LEFT JOIN (SELECT a.canonical_url, any_value(a.article_id) AS article_id,
                          any_value(a.outlet) AS outlet, max(v.version) AS versions
                   FROM articles a JOIN article_versions v USING (article_id) GROUP BY 1) a
               ON a.canonical_url = f.article_url
        WHERE f.event_id = ? AND f.claimant_kind <> 'unattributed'
        ORDER BY f.first_published_at, f.claimant_kind, f.claimant, f.metric, f.subject,
                 f.value""",
        [event_id],
    )


def updated_articles(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Ids of the articles that have more than one version."""
    rows = con.execute(
        "SELECT article_id FROM article_versions GROUP BY article_id HAVING max(version) > 1 "
        "ORDER BY article_id"
    ).fetchall()
    return [str(r[0]) for r in rows]


def article_versions(con: duckdb.DuckDBPyConnection, article_id_or_url: str) -> list[Version]:
    """Every version of one article, found by its id or its canonical URL, oldest first."""
    rows = con.execute(
        """
        SELECT v.article_id, a.canonical_url, a.outlet, v.version, v.fetched_at, v.title, v.text
        FROM article_versions v JOIN articles a USING (article_id)
        WHERE v.article_id = ? OR a.canonical_url = ?
        ORDER BY v.version""",
        [article_id_or_url, article_id_or_url],
    ).fetchall()
    return [Version(*row) for row in rows]


def relation_names(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """(name, 'table' | 'view') of everything a user can query, tables first."""
    rows = con.execute(
        """
        SELECT table_name, CASE table_type WHEN 'VIEW' THEN 'view' ELSE 'table' END
        FROM information_schema.tables
        WHERE table_schema = 'main' AND table_catalog = current_database()
        ORDER BY table_type, table_name"""
    ).fetchall()
    return [(str(name), str(kind)) for name, kind in rows]


def relation_reader(
    con: duckdb.DuckDBPyConnection, name: str, rows_per_batch: int = 50_000
) -> pa.RecordBatchReader:
    """All rows of one table or view as a stream of Arrow batches (never loaded at once)."""
    quoted = '"' + name.replace('"', '""') + '"'
    reader: pa.RecordBatchReader = con.sql(f"SELECT * FROM {quoted}").to_arrow_reader(
        rows_per_batch
    )
    return reader
