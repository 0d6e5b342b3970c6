"""The story and event indexes as DuckDB tables (migrations 0006, 0040): looked up with the
batch's anchors and names, joined in one statement each, and updated by the batch's own write.

Anchors are found through an ART index on `story_anchors.anchor` (migration 0040), so a copy
lookup reads the rows of the batch's anchors, whatever the story window holds. The other
lookups are windowed by time and the tables are appended in about publication order, so they
read the row groups of their window (DuckDB skips the others by their min/max). A lookup's
result is bounded by the batch, not by what the database holds.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import fields
from datetime import datetime
from typing import Any

import duckdb
import pyarrow as pa

from storage import spellings
from storage.changes import log_keys

#: A not_article story keeps its copies, its raw HTML and its story id; it leaves its event
#: and its claims.
StoryCopy = tuple[str, str, int, str | None, datetime]  # text, title, unrelated, flag, seen


#: rows as dicts, or as columns (name -> values): columns of tens of thousands of anchors go
#: to Arrow ~4x faster than as many dicts
Rows = Sequence[Mapping[str, Any]] | Mapping[str, Sequence[Any]]


def _table(rows: Rows) -> pa.Table | None:
    if isinstance(rows, Mapping):
        return pa.table(dict(rows)) if any(rows.values()) else None
    return pa.Table.from_pylist(list(rows)) if rows else None


def probe_rows(
    con: duckdb.DuckDBPyConnection, rows: Rows, sql: str, *params: object
) -> list[tuple[Any, ...]]:
    """Run `sql` with `rows` visible as the table `probe`; its result (none without rows)."""
    table = _table(rows)
    if table is None:
        return []
    con.register("probe", table)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.unregister("probe")


@contextmanager
def _probing(con: duckdb.DuckDBPyConnection, rows: Rows) -> Iterator[bool]:
    """`rows` visible as the table `probe` inside the block; yields whether there are any."""
    table = _table(rows)
    if table is None:
        yield False
        return
    con.register("probe", table)
    try:
        yield True
    finally:
        con.unregister("probe")


def write_rows(con: duckdb.DuckDBPyConnection, rows: Rows, sql: str, log: str = "") -> None:
    """Run a write with `rows` as `probe`; with `log`, `sql` selects the change keys of that
    table instead, and they go to the changed-keys log (storage/changes.py)."""
    with _probing(con, rows) as any_rows:
        if any_rows and log:
            log_keys(con, log, sql)
        elif any_rows:
            con.execute(sql).fetchall()


#: a story's canonical copy and profile, with the stories as `probe`: the `MATERIALIZED` steps
#: fetch only the probes' rows through the indexes on `article_versions.article_id` (0046) and
#: `story_profiles.story_id`; a join of the probes with the tables reads every row instead
COPIES_SQL = (
    "WITH v AS MATERIALIZED (SELECT article_id, version, text FROM article_versions "
    "WHERE article_id IN (SELECT DISTINCT article_id FROM probe)), "
    "s AS MATERIALIZED (SELECT story_id, title, unrelated_titles, not_article, seen_at "
    "FROM story_profiles WHERE story_id IN (SELECT story_id FROM probe)) "
    "SELECT p.story_id, v.text, s.title, s.unrelated_titles, s.not_article, s.seen_at "
    "FROM probe p JOIN v USING (article_id, version) JOIN s ON s.story_id = p.story_id"
)

#: the copy lookup of `story_candidates`, with the probes as `probe` and the limit as `?`
CANDIDATES_SQL = (
    "WITH hits AS MATERIALIZED (SELECT anchor, story_id, seen_at FROM story_anchors "
    "WHERE anchor IN (SELECT DISTINCT anchor FROM probe)) "
    "SELECT p.key, a.story_id, count(*) AS shared FROM probe p "
    "JOIN hits a ON a.anchor = p.anchor "
    "WHERE a.seen_at BETWEEN p.lo AND p.hi GROUP BY p.key, a.story_id "
    "QUALIFY row_number() OVER (PARTITION BY p.key ORDER BY shared DESC, a.story_id) <= ?"
)


def story_candidates(
    con: duckdb.DuckDBPyConnection, probes: Rows, limit: int
) -> list[tuple[str, str, int]]:
    """(key, story_id, shared anchors) for probes {key, anchor, lo, hi}: the `limit` stories
    sharing most anchors with each key, seen between its lo and hi.

    The anchors' rows are fetched first, through the index on `anchor` (migration 0040), and
    only then joined with the probes and their windows: joined directly, or with a constant
    lower bound on `seen_at`, DuckDB scans every anchor row in the window instead."""
    return probe_rows(con, probes, CANDIDATES_SQL, limit)


def story_copies(con: duckdb.DuckDBPyConnection, story_ids: Iterable[str]) -> dict[str, StoryCopy]:
    """Each story's canonical copy (its first version: the story id names it) and flags."""
    probes = [
        {"story_id": s, "article_id": s.rsplit(".", 1)[0], "version": int(s.rsplit(".", 1)[1])}
        for s in sorted(set(story_ids))
    ]
    found = probe_rows(
        con,
        probes,
        COPIES_SQL,
    )
    return {row[0]: (row[1], row[2], row[3], row[4], row[5]) for row in found}


def df_counts(con: duckdb.DuckDBPyConnection, tokens: Iterable[str]) -> dict[str, int]:
    found = probe_rows(
        con,
        [{"token": t} for t in sorted(set(tokens) | {""})],
        "SELECT d.token, d.n FROM probe p JOIN grouping_df d USING (token)",
    )
    return {row[0]: row[1] for row in found}


def event_candidates(
    con: duckdb.DuckDBPyConnection, names: Iterable[str], since: datetime | None
) -> list[tuple[str, str]]:
    """(name, event_id) of events last seen since `since` (or undated) holding these names."""
    return probe_rows(
        con,
        [{"name": n} for n in sorted(set(names))],
        "SELECT n.name, n.event_id FROM probe p JOIN event_names n USING (name) "
        "WHERE ? IS NULL OR n.last_seen IS NULL OR n.last_seen >= ?",
        since,
        since,
    )


def event_profiles(
    con: duckdb.DuckDBPyConnection, event_ids: Iterable[str]
) -> list[tuple[str, datetime | None, datetime | None, int, str, str | None]]:
    return probe_rows(
        con,
        [{"event_id": e} for e in sorted(set(event_ids))],
        "SELECT e.event_id, e.first_seen, e.last_seen, e.n_stories, e.profile, "
        "e.related_event_id FROM probe p JOIN event_profiles e USING (event_id)",
    )


def article_events(con: duckdb.DuckDBPyConnection, article_ids: Iterable[str]) -> dict[str, str]:
    """Each article's event as its latest stored version has it (articles without one left out)."""
    rows = probe_rows(
        con,
        [{"article_id": a} for a in sorted(set(article_ids))],
        "SELECT s.article_id, arg_max(e.event_id, s.version) FROM probe p "
        "JOIN version_stories s USING (article_id) JOIN story_events e USING (story_id) "
        "GROUP BY s.article_id",
    )
    return {article: event for article, event in rows}


def story_events(con: duckdb.DuckDBPyConnection, story_ids: Iterable[str]) -> dict[str, str]:
    """Each stored story's event (stories without one left out)."""
    rows = probe_rows(
        con,
        [{"story_id": s} for s in sorted(set(story_ids))],
        "SELECT p.story_id, e.event_id FROM probe p JOIN story_events e USING (story_id)",
    )
    return {story: event for story, event in rows}


def save_stories(
    con: duckdb.DuckDBPyConnection,
    anchors: Rows,
    profiles: Sequence[Mapping[str, Any]],
) -> None:
    """New anchors {anchor, story_id, seen_at}; new or changed story profiles."""
    write_rows(con, anchors, "INSERT INTO story_anchors BY NAME SELECT * FROM probe")
    write_rows(con, profiles, "SELECT story_id FROM probe", log="story_profiles")
    write_rows(con, profiles, "INSERT OR REPLACE INTO story_profiles BY NAME SELECT * FROM probe")


def save_events(
    con: duckdb.DuckDBPyConnection,
    profiles: Sequence[Mapping[str, Any]],
    names: Sequence[Mapping[str, Any]],
    df: Mapping[str, int],
) -> None:
    """Touched event profiles (replacing their name rows) and the batch's frequency counts."""
    counts = [{"token": t, "n": n} for t, n in sorted(df.items())]
    write_rows(con, profiles, "SELECT event_id FROM probe", log="event_profiles")
    write_rows(con, profiles, "SELECT event_id FROM probe", log="event_names")
    write_rows(con, names, "SELECT event_id FROM probe", log="event_names")
    write_rows(con, counts, "SELECT token FROM probe", log="grouping_df")
    write_rows(con, profiles, "INSERT OR REPLACE INTO event_profiles BY NAME SELECT * FROM probe")
    write_rows(
        con, profiles, "DELETE FROM event_names n USING probe p WHERE n.event_id = p.event_id"
    )
    write_rows(con, names, "INSERT INTO event_names BY NAME SELECT * FROM probe")
    write_rows(
        con,
        counts,
        "INSERT INTO grouping_df SELECT token, n FROM probe "
        "ON CONFLICT (token) DO UPDATE SET n = grouping_df.n + excluded.n",
    )


def flag_not_article(con: duckdb.DuckDBPyConnection, flags: Mapping[str, str]) -> None:
    """Mark every copy of these stories (story_id -> reason) as no article: out of stories,
    events and claims, kept with their raw HTML."""
    rows = [{"story_id": s, "reason": r} for s, r in sorted(flags.items())]
    copies = "SELECT article_id, version FROM version_stories SEMI JOIN probe USING (story_id)"
    for table in ("version_stories", "article_claims"):
        write_rows(con, rows, copies, log=table)
    for table in ("story_profiles", "story_events"):
        write_rows(con, rows, "SELECT story_id FROM probe", log=table)
    write_rows(
        con,
        rows,
        "UPDATE version_stories SET not_article = p.reason FROM probe p "
        "WHERE version_stories.story_id = p.story_id",
    )
    write_rows(
        con,
        rows,
        "UPDATE story_profiles SET not_article = p.reason FROM probe p "
        "WHERE story_profiles.story_id = p.story_id",
    )
    write_rows(con, rows, "DELETE FROM story_events e USING probe p WHERE e.story_id = p.story_id")
    with _probing(con, rows) as any_rows:
        if any_rows:  # the spellings of the claims deleted below stop counting (0055)
            spellings.count_out(
                con,
                "SELECT c.claimant_key, c.claimant FROM article_claims c "
                "JOIN version_stories s USING (article_id, version) "
                "SEMI JOIN probe p ON p.story_id = s.story_id",
            )
    write_rows(
        con,
        rows,
        "DELETE FROM article_claims c USING version_stories s, probe p "
        "WHERE s.story_id = p.story_id AND c.article_id = s.article_id AND c.version = s.version",
    )


def _shallow(row: Any) -> dict[str, Any]:
    """A dataclass row as a dict of its fields (no deep copy, as `asdict` makes)."""
    return {f.name: getattr(row, f.name) for f in fields(row)}


def save_assignments(
    con: duckdb.DuckDBPyConnection, stories: Sequence[Any], events: Sequence[Any]
) -> None:
    """The batch's StoryRows and EventRows (storage.records), one statement each."""
    copies, assigned = [_shallow(s) for s in stories], [_shallow(e) for e in events]
    write_rows(con, copies, "SELECT article_id, version FROM probe", log="version_stories")
    write_rows(con, assigned, "SELECT story_id FROM probe", log="story_events")
    write_rows(con, copies, "INSERT INTO version_stories BY NAME SELECT * FROM probe")
    write_rows(con, assigned, "INSERT INTO story_events BY NAME SELECT * FROM probe")
