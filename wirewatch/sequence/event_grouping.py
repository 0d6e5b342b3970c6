"""Event assignment for a batch's new stories, against the event profiles stored in DuckDB.

Candidates are the events sharing a *rare* name with the story (names in more than
`max_name_stories` stories gather nothing), last seen within the related window; the
`max_candidates` with the most rare-name weight in common are scored. The stored state plus
an overlay of what this batch changed gives the same answer as writing one story at a time.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import duckdb

from extractors.events import (
    EVENTS_VERSION,
    MIN_RELATED,
    MIN_SIMILARITY,
    STAY_SIMILARITY,
    WINDOW_DAYS,
    Profile,
    Story,
    StorySide,
    join_event,
    norm,
    start_event,
    unit_vector,
)
from storage import grouping_index as index
from storage.records import EventRow

PRIOR_STORIES = 1000
#: A story that starts a story: its evidence, and its terms JSON and names as stored
NewStory = tuple[Story, str, tuple[str, ...]]


@dataclass(frozen=True, slots=True)
class GroupingParams:
    """Windows and bounds of the indexes (settings: story_window_days, event_window_days,
    related_window_days, max_name_stories, max_candidates)."""

    story_window_days: float = 900.0
    event_window_days: float = float(WINDOW_DAYS)
    related_window_days: float = 365.0
    max_name_stories: int = 200
    max_candidates: int = 20


@dataclass(frozen=True, slots=True)
class Assigned:
    row: EventRow
    related_event_id: str
    held: bool = False  # kept in its article's event though about something else (`_stay`)


class EventAssigner:
    def __init__(self, con: duckdb.DuckDBPyConnection, params: GroupingParams) -> None:
        self.con, self.params = con, params
        self.profiles: dict[str, Profile] = {}
        self.touched: dict[str, Profile] = {}
        self.batch_names: dict[str, set[str]] = {}
        self.stored_names: dict[str, set[str]] = {}
        self.df: Counter[str] = Counter()
        self.df_added: Counter[str] = Counter()
        self._idfs: dict[str, float] = {}  # of the current story (df moves once per story)
        self._name_idfs: dict[str, float] = {}
        self._norms: dict[str, float] = {}  # centroid norms by event, until it changes
        self.article_events: dict[str, str] = {}  # article -> event of its latest version
        self._articles: set[str] = set()  # of the batch's stories

    def load(self, stories: Sequence[tuple[str, Story]]) -> None:
        """Read what the batch's stories may need (`key`: the story id each would found): the
        story pass calls `assign` for those that found a story, in order, then `save`."""
        self._articles = {key.rsplit(".", 1)[0] for key, _ in stories}
        if stories:
            self._load([story for _, story in stories])

    def assign(self, key: str, story: Story, terms: str, names: tuple[str, ...]) -> Assigned:
        """The event of a new story (`key`), as if every earlier one were written."""
        return self._assign_one(key, story, terms, names)

    def joined_as_copy(self, article: str, event: str) -> None:
        """The article got `event` as a copy of a stored or earlier story: its later stories
        stay there."""
        self.article_events.setdefault(article, event)

    def save(self) -> None:
        if self.touched or self.df_added:
            index.save_events(self.con, self._profile_rows(), self._name_rows(), self.df_added)

    def _load(self, stories: list[Story]) -> None:
        tokens = {t for s in stories for t in s.terms} | {f"@{n}" for s in stories for n in s.names}
        self.df.update(index.df_counts(self.con, tokens))
        rare = {
            n for s in stories for n in s.names if self.df[f"@{n}"] <= self.params.max_name_stories
        }
        whens = [s.when for s in stories if s.when is not None]
        since = min(whens) - timedelta(days=self.params.related_window_days) if whens else None
        for name, event_id in index.event_candidates(self.con, rare, since):
            self.stored_names.setdefault(name, set()).add(event_id)
        self.article_events.update(index.article_events(self.con, self._articles))
        ids = {e for found in self.stored_names.values() for e in found}
        ids |= set(self.article_events.values())
        for row in index.event_profiles(self.con, ids):
            self.profiles[row[0]] = _decode(*row)
        self._idfs.clear()
        self._name_idfs.clear()
        self._norms.clear()

    def _idf(self, token: str) -> float:
        """Smoothed with PRIOR_STORIES unseen ones, so that rarity means something from the
        first stories of a new database on (five reports of one event share their names)."""
        found = self._idfs.get(token)
        if found is None:
            count = self.df.get(token, 0)
            total = self.df.get("", 0) + PRIOR_STORIES
            found = self._idfs[token] = math.log(total / count) if count else 0.0
        return found

    def _name_idf(self, name: str) -> float:
        found = self._name_idfs.get(name)
        if found is None:
            found = self._name_idfs[name] = self._idf(f"@{name}")
        return found

    def _centroid_norm(self, profile: Profile) -> float:
        found = self._norms.get(profile.event_id)
        if found is None:
            found = self._norms[profile.event_id] = norm(profile.centroid)
        return found

    def _count(self, story: Story) -> None:
        added = Counter({"": 1, **{t: 1 for t in story.terms}, **{f"@{n}": 1 for n in story.names}})
        self.df.update(added)
        self.df_added.update(added)
        self._idfs.clear()
        self._name_idfs.clear()

    def _name_df(self, name: str) -> int:
        return self.df[f"@{name}"]

    def _candidates(self, story: Story) -> list[Profile]:
        found: set[str] = set()
        for name in story.names:
            if self.df[f"@{name}"] > self.params.max_name_stories:
                continue
            found |= {e for e in self.stored_names.get(name, ()) if e not in self.touched}
            found |= self.batch_names.get(name, set())

        def weight(event_id: str) -> tuple[float, str]:
            shared = story.names & self.profiles[event_id].names.keys()
            return (-sum(self._name_idf(n) for n in shared), event_id)

        ranked = sorted((e for e in found if e in self.profiles), key=weight)
        return [self.profiles[e] for e in ranked[: self.params.max_candidates]]

    def _assign_one(self, key: str, story: Story, terms: str, names: tuple[str, ...]) -> Assigned:
        self._count(story)
        vector = unit_vector(story.terms, self._idf)
        side = StorySide.of(story, vector, self._name_idf)
        best, best_score, related, related_score = None, MIN_SIMILARITY, "", MIN_RELATED
        article = key.rsplit(".", 1)[0]
        stay = self.profiles.get(self.article_events.get(article, ""))
        if stay is not None:  # the event is the article's: a later version stays in it
            return self._stay(key, story, vector, side, stay, terms, names)
        for profile in self._candidates(story):
            days = _days_outside(story.when, profile)
            if days <= self.params.event_window_days:
                value = side.score(profile, self._name_idf, self._centroid_norm(profile))
                if value > best_score or (value == best_score and best is None):
                    best, best_score = profile, value
            elif days <= self.params.related_window_days:
                value = side.follow_up(
                    profile, self._name_idf, self._centroid_norm(profile), self._name_df
                )
                if value > related_score or (value == related_score and not related):
                    related, related_score = profile.event_id, value
        if best is not None:
            profile = join_event(best, story, vector)
        else:
            profile = start_event(key, story, vector, related)
        self._touch(profile)
        self.article_events[article] = profile.event_id
        row = EventRow(key, profile.event_id, story.when, terms, names, EVENTS_VERSION)
        return Assigned(row, profile.related_event_id)

    def _stay(
        self,
        key: str,
        story: Story,
        vector: dict[str, float],
        side: StorySide,
        event: Profile,
        terms: str,
        names: tuple[str, ...],
    ) -> Assigned:
        """A later version in its article's event. Only a text still about the event (score
        >= STAY_SIMILARITY) joins its profile; one that became something else (a rolling
        market page's next wrap) is held there without reshaping the event."""
        held = side.score(event, self._name_idf, self._centroid_norm(event)) < STAY_SIMILARITY
        if not held:
            event = join_event(event, story, vector)
            self._touch(event)
        row = EventRow(key, event.event_id, story.when, terms, names, EVENTS_VERSION)
        return Assigned(row, event.related_event_id, held)

    def _touch(self, profile: Profile) -> None:
        old = self.profiles.get(profile.event_id)
        for name in old.names if old else ():
            self.batch_names.get(name, set()).discard(profile.event_id)
        for name in profile.names:
            self.batch_names.setdefault(name, set()).add(profile.event_id)
        self.profiles[profile.event_id] = profile
        self.touched[profile.event_id] = profile
        self._norms.pop(profile.event_id, None)

    def _profile_rows(self) -> list[dict[str, Any]]:
        return [_encode(p) for _, p in sorted(self.touched.items())]

    def _name_rows(self) -> list[dict[str, Any]]:
        return [
            {"name": n, "event_id": p.event_id, "last_seen": p.last_seen}
            for _, p in sorted(self.touched.items())
            for n in sorted(p.names)
        ]


def _days_outside(when: datetime | None, profile: Profile) -> float:
    """Days from `when` to the event's span (0 inside it or without dates)."""
    if when is None or profile.first_seen is None or profile.last_seen is None:
        return 0.0
    if when < profile.first_seen:
        return (profile.first_seen - when).total_seconds() / 86400
    return max(0.0, (when - profile.last_seen).total_seconds() / 86400)


def _encode(profile: Profile) -> dict[str, Any]:
    body = {
        "centroid": dict(profile.centroid),
        "names": dict(profile.names),
        "killed": sorted(profile.killed),
        "injured": sorted(profile.injured),
        "places": dict(profile.places),
    }
    return {
        "event_id": profile.event_id,
        "first_seen": profile.first_seen,
        "last_seen": profile.last_seen,
        "n_stories": profile.n_stories,
        "profile": json.dumps(body, ensure_ascii=False, sort_keys=True),
        "related_event_id": profile.related_event_id or None,
    }


def _decode(
    event_id: str,
    first_seen: datetime | None,
    last_seen: datetime | None,
    n_stories: int,
    profile: str,
    related: str | None,
) -> Profile:
    body = json.loads(profile)
    return Profile(
        event_id,
        body["centroid"],
        body["names"],
        n_stories,
        first_seen,
        last_seen,
        frozenset(body["killed"]),
        frozenset(body["injured"]),
        related or "",
        body.get("places", {}),  # profiles stored before places had none
    )
