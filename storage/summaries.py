"""`story_summaries` and `event_summaries` (migration 0015): what the `stories` and `events`
views show, kept up to date by each batch's write instead of aggregated from the whole history
at every read.

A batch's new versions are merged into the rows of the stories and events they touch (one
upsert each, found by primary key), so the cost follows the batch. Counting an article once
per story and event needs its earlier versions' stories, looked up for the versions after the
first only. A story found to be no article leaves the summaries; the events it belonged to are
recomputed from the stored versions (`event_summary_rows()`, the migration's definition).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import duckdb

from storage import spellings
from storage.changes import log_table
from storage.db import transaction
from storage.grouping_index import probe_rows, write_rows


@dataclass(frozen=True, slots=True)
class NewCopy:
    """A version the batch adds to a story, when it is an article."""

    story_id: str
    article_id: str
    version: int
    at: datetime  # published, else fetched
    chars: int  # length of the text
    url: str
    outlet: str
    agency: str
    title: str

    @property
    def key(self) -> str:
        return f"{self.article_id}.{self.version}"


@dataclass(frozen=True, slots=True)
class NewStory:
    """A story the batch founds, with the event it was assigned to."""

    story_id: str
    event_id: str
    related_event_id: str | None


def merge_batch(
    con: duckdb.DuckDBPyConnection,
    copies: Sequence[NewCopy],
    stories: Sequence[NewStory],
    flagged: Iterable[str],
) -> None:
    """Merge the batch's article versions and new stories into the summaries; drop the
    `flagged` stories (no article) and recompute their events. Runs after the batch's
    version_stories and story_events rows are written, inside its transaction."""
    gone = set(flagged)
    copies = [c for c in copies if c.story_id not in gone]
    stories = [s for s in stories if s.story_id not in gone]
    earlier = _earlier_versions(con, [c for c in copies if c.version > 1])
    event_of = _events_of(con, {c.story_id for c in copies} | {s for _, _, s in earlier})
    new_story, new_in_event = _first_counts(copies, earlier, event_of)
    _upsert_stories(con, copies, event_of, new_story)
    _upsert_events(con, copies, stories, event_of, new_in_event)
    _drop_stories(con, gone)


def _earlier_versions(
    con: duckdb.DuckDBPyConnection, later: Sequence[NewCopy]
) -> list[tuple[str, int, str]]:
    """(article_id, version, story_id) of the article versions of these articles (stored or in
    the batch) that count as articles."""
    return probe_rows(
        con,
        [{"article_id": a} for a in sorted({c.article_id for c in later})],
        "SELECT s.article_id, s.version, s.story_id FROM version_stories s "
        "SEMI JOIN probe p USING (article_id) WHERE s.not_article IS NULL",
    )


def _events_of(con: duckdb.DuckDBPyConnection, story_ids: Iterable[str]) -> dict[str, str]:
    found = probe_rows(
        con,
        [{"story_id": s} for s in sorted(set(story_ids))],
        "SELECT e.story_id, e.event_id FROM story_events e SEMI JOIN probe p USING (story_id)",
    )
    return {row[0]: row[1] for row in found}


def _first_counts(
    copies: Sequence[NewCopy],
    earlier: Sequence[tuple[str, int, str]],
    event_of: Mapping[str, str],
) -> tuple[set[str], set[str]]:
    """Keys of the copies that are their article's first version in their story, and in
    their story's event (an article counts once in each)."""
    before: dict[str, list[tuple[int, str]]] = {}
    for article_id, version, story_id in earlier:
        before.setdefault(article_id, []).append((version, story_id))
    first_in_story, first_in_event = set(), set()
    for copy in copies:
        prior = [s for v, s in before.get(copy.article_id, ()) if v < copy.version]
        if copy.story_id not in prior:
            first_in_story.add(copy.key)
        event = event_of.get(copy.story_id)
        if event is not None and event not in {event_of.get(s) for s in prior}:
            first_in_event.add(copy.key)
    return first_in_story, first_in_event


_STORY_UPSERT = """
INSERT INTO story_summaries BY NAME
SELECT story_id, any_value(event_id) AS event_id,
       arg_min(article_id, (stamp, -chars, article_id)) AS canonical_article_id,
       arg_min(url, (stamp, -chars, article_id)) AS canonical_url,
       min(stamp) AS canonical_at,
       arg_min(chars, (stamp, -chars, article_id)) AS canonical_chars,
       arg_min(agency, (stamp, article_id)) FILTER (WHERE agency <> '') AS agency,
       min(stamp) FILTER (WHERE agency <> '') AS agency_at,
       arg_min(article_id, (stamp, article_id)) FILTER (WHERE agency <> '') AS agency_article_id,
       min(stamp) AS first_seen,
       count(DISTINCT article_id) FILTER (WHERE is_first) AS n_copies,
       list_sort(list_distinct(list(outlet))) AS outlets
FROM probe GROUP BY story_id
ON CONFLICT (story_id) DO UPDATE SET
    event_id = coalesce(story_summaries.event_id, excluded.event_id),
    canonical_article_id = CASE WHEN {canonical_earlier}
        THEN excluded.canonical_article_id ELSE story_summaries.canonical_article_id END,
    canonical_url = CASE WHEN {canonical_earlier}
        THEN excluded.canonical_url ELSE story_summaries.canonical_url END,
    canonical_chars = CASE WHEN {canonical_earlier}
        THEN excluded.canonical_chars ELSE story_summaries.canonical_chars END,
    canonical_at = least(story_summaries.canonical_at, excluded.canonical_at),
    agency = CASE WHEN {agency_earlier} THEN excluded.agency ELSE story_summaries.agency END,
    agency_article_id = CASE WHEN {agency_earlier}
        THEN excluded.agency_article_id ELSE story_summaries.agency_article_id END,
    agency_at = CASE WHEN {agency_earlier}
        THEN excluded.agency_at ELSE story_summaries.agency_at END,
    first_seen = least(story_summaries.first_seen, excluded.first_seen),
    n_copies = story_summaries.n_copies + excluded.n_copies,
    outlets = list_sort(list_distinct(list_concat(story_summaries.outlets, excluded.outlets)))
""".format(
    canonical_earlier="(excluded.canonical_at, -excluded.canonical_chars, "
    "excluded.canonical_article_id) < (story_summaries.canonical_at, "
    "-story_summaries.canonical_chars, story_summaries.canonical_article_id)",
    agency_earlier="excluded.agency IS NOT NULL AND (story_summaries.agency IS NULL OR "
    "(excluded.agency_at, excluded.agency_article_id) < "
    "(story_summaries.agency_at, story_summaries.agency_article_id))",
)


def _upsert_stories(
    con: duckdb.DuckDBPyConnection,
    copies: Sequence[NewCopy],
    event_of: Mapping[str, str],
    first_in_story: set[str],
) -> None:
    rows = [
        {
            "story_id": c.story_id,
            "event_id": event_of.get(c.story_id),
            "article_id": c.article_id,
            "stamp": c.at,
            "chars": c.chars,
            "url": c.url,
            "outlet": c.outlet,
            "agency": c.agency,
            "is_first": c.key in first_in_story,
        }
        for c in copies
    ]
    write_rows(con, rows, "SELECT story_id FROM probe", log="story_summaries")
    probe_rows(con, rows, _STORY_UPSERT)


_EVENT_UPSERT = """
INSERT INTO event_summaries BY NAME
SELECT event_id,
       arg_min(title, (stamp, key)) FILTER (WHERE key IS NOT NULL) AS title,
       min(stamp) AS title_at,
       arg_min(key, (stamp, key)) FILTER (WHERE key IS NOT NULL) AS title_key,
       min(stamp) AS first_seen, max(stamp) AS last_seen,
       count(*) FILTER (WHERE new_story) AS n_stories,
       count(DISTINCT article_id) FILTER (WHERE is_first) AS n_articles,
       any_value(related_event_id) AS related_event_id
FROM probe GROUP BY event_id
ON CONFLICT (event_id) DO UPDATE SET
    title = CASE WHEN {title_earlier} THEN excluded.title ELSE event_summaries.title END,
    title_key = CASE WHEN {title_earlier}
        THEN excluded.title_key ELSE event_summaries.title_key END,
    title_at = least(event_summaries.title_at, excluded.title_at),
    first_seen = least(event_summaries.first_seen, excluded.first_seen),
    last_seen = greatest(event_summaries.last_seen, excluded.last_seen),
    n_stories = event_summaries.n_stories + excluded.n_stories,
    n_articles = event_summaries.n_articles + excluded.n_articles,
    related_event_id = coalesce(event_summaries.related_event_id, excluded.related_event_id)
""".format(
    title_earlier="excluded.title_key IS NOT NULL AND (event_summaries.title_key IS NULL OR "
    "(excluded.title_at, excluded.title_key) < "
    "(event_summaries.title_at, event_summaries.title_key))"
)


def _upsert_events(
    con: duckdb.DuckDBPyConnection,
    copies: Sequence[NewCopy],
    stories: Sequence[NewStory],
    event_of: Mapping[str, str],
    first_in_event: set[str],
) -> None:
    founded = {s.story_id: s for s in stories}
    rows: list[dict[str, Any]] = [
        {
            "event_id": event_of[c.story_id],
            "stamp": c.at,
            "key": c.key,
            "title": c.title,
            "article_id": c.article_id,
            "is_first": c.key in first_in_event,
            "new_story": False,
            "related_event_id": None,
        }
        for c in copies
        if c.story_id in event_of
    ]
    rows += [
        {
            "event_id": s.event_id,
            "stamp": None,
            "key": None,
            "title": None,
            "article_id": None,
            "is_first": False,
            "new_story": True,
            "related_event_id": s.related_event_id,
        }
        for s in founded.values()
    ]
    write_rows(con, rows, "SELECT event_id FROM probe", log="event_summaries")
    probe_rows(con, rows, _EVENT_UPSERT)


def _drop_stories(con: duckdb.DuckDBPyConnection, story_ids: set[str]) -> None:
    """Stories found to be no article leave; their events are recomputed from what is stored."""
    dropped = [{"story_id": s} for s in sorted(story_ids)]
    write_rows(con, dropped, "SELECT story_id FROM probe", log="story_summaries")
    events = probe_rows(
        con,
        dropped,
        "DELETE FROM story_summaries s USING probe p WHERE s.story_id = p.story_id "
        "RETURNING s.event_id",
    )
    refresh_events(con, {row[0] for row in events if row[0] is not None})


def refresh_events(con: duckdb.DuckDBPyConnection, event_ids: Iterable[str]) -> None:
    """Recompute these events' summaries from the stored versions (an event left without
    stories has none)."""
    rows = [{"event_id": e} for e in sorted(set(event_ids))]
    write_rows(con, rows, "SELECT event_id FROM probe", log="event_summaries")
    probe_rows(
        con, rows, "DELETE FROM event_summaries e USING probe p WHERE e.event_id = p.event_id"
    )
    probe_rows(
        con,
        rows,
        "INSERT INTO event_summaries BY NAME SELECT * FROM event_summary_rows() "
        "WHERE event_id IN (SELECT event_id FROM probe)",
    )


def rebuild(con: duckdb.DuckDBPyConnection) -> None:
    """Recompute every summary from the stored versions and claims (after a bulk load)."""
    with transaction(con):
        log_table(con, "story_summaries")
        log_table(con, "event_summaries")
        con.execute("DELETE FROM story_summaries")
        con.execute("DELETE FROM event_summaries")
        con.execute("INSERT INTO story_summaries BY NAME SELECT * FROM story_summary_rows()")
        con.execute("INSERT INTO event_summaries BY NAME SELECT * FROM event_summary_rows()")
        spellings.recount(con)
