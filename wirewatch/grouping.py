"""Story and event assignment for the versions a batch adds, against indexes rebuilt from the
database once per run. Used by the ingest flow's store step, inside the write transaction."""

from __future__ import annotations

import json
from datetime import datetime

import duckdb

from extractors.dedup import DEDUP_VERSION, Fingerprint, StoryIndex
from extractors.events import EVENTS_VERSION, WINDOW_DAYS, EventFeatures, EventIndex
from storage import records
from storage.records import EventRow, StoryRow, VersionRow


class Grouping:
    """Both indexes, and which stories already have an event."""

    def __init__(self) -> None:
        self.stories = StoryIndex()
        self.events = EventIndex()
        self.known_stories: set[str] = set()

    @classmethod
    def load(cls, con: duckdb.DuckDBPyConnection) -> Grouping:
        """Rebuild both indexes from storage (every signature; the events still open)."""
        grouping = cls()
        for key, story_id, n_shingles, signature in records.load_signatures(con):
            grouping.stories.add(key, story_id, Fingerprint(n_shingles, signature))
            grouping.known_stories.add(story_id)
        for _story, event_id, published, terms, names in records.load_story_features(
            con, WINDOW_DAYS
        ):
            grouping.events.add(event_id, _features(terms, names), published)
        return grouping

    def __call__(
        self, numbered: list[tuple[VersionRow, int]]
    ) -> tuple[list[StoryRow], list[EventRow]]:
        stories, events = [], []
        for page, version in numbered:
            key = f"{page.article_id}.{version}"
            fp = Fingerprint(page.n_shingles, page.signature)
            story_id = self.stories.assign(key, fp, new_story_id=key)
            stories.append(
                StoryRow(
                    page.article_id,
                    version,
                    story_id,
                    page.agency,
                    page.n_shingles,
                    page.signature,
                    DEDUP_VERSION,
                )
            )
            if story_id in self.known_stories:
                continue  # a copy of a story already placed in an event
            self.known_stories.add(story_id)
            when = _when(page, version)
            event_id = self.events.assign(_features(page.terms, list(page.names)), story_id, when)
            events.append(
                EventRow(story_id, event_id, when, page.terms, page.names, EVENTS_VERSION)
            )
        return stories, events


def _when(page: VersionRow, version: int) -> datetime | None:
    return (
        (page.updated_at or page.fetched_at)
        if version > 1
        else (page.published_at or page.fetched_at)
    )


def _features(terms: str, names: list[str]) -> EventFeatures:
    return EventFeatures(json.loads(terms), frozenset(names))


def terms_json(features: EventFeatures | None, keep: int = 200) -> str:
    """The most frequent terms, as stored (enough for similarity; bounded in size)."""
    if features is None:
        return "{}"
    top = sorted(features.terms.items(), key=lambda kv: (-kv[1], kv[0]))[:keep]
    return json.dumps(dict(top), ensure_ascii=False)
