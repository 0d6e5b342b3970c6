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
    """The metrics an event has attributed figures for, most claimed first."""
    rows = con.execute(
        """
        SELECT metric FROM figure_history
        WHERE event_id = ? AND claimant_kind <> 'unattributed'
        GROUP BY metric ORDER BY count(*) DESC, metric""",
        [event_id],
    ).fetchall()
    return [str(r[0]) for r in rows]


def events(con: duckdb.DuckDBPyConnection) -> Table:
    return query(
        con,
        "SELECT event_id, title, first_seen, last_seen, n_stories, n_articles FROM events "
        "ORDER BY n_articles DESC, first_seen, event_id",
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
        SELECT first_published_at AS published, claimant_kind AS kind, claimant, metric,
               subject, figure, previous_value AS previous, n_sources AS sources, article_url
        FROM figure_history WHERE event_id = ? AND claimant_kind <> 'unattributed'
        ORDER BY first_published_at, claimant_kind, claimant, metric, subject, value""",
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
