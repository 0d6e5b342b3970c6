"""Events: stories about one real-world happening, grouped online.

Each story is described by its content words (TF-IDF, IDF from the stories seen so far) and
the names it mentions (capitalized words not opening a sentence). A new story joins the event
whose centroid it is most similar to, above MIN_SIMILARITY, among events active within
WINDOW_DAYS of it; else it starts an event. Similarity = (1 - NAME_WEIGHT) * cosine
+ NAME_WEIGHT * overlap of names (share of the smaller name set).
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

EVENTS_VERSION = "events-1"
MIN_SIMILARITY = 0.2
NAME_WEIGHT = 0.4
WINDOW_DAYS = 14
_WORD = re.compile(r"[a-z][a-z'’-]+")
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n")
_STOP = frozenset(
    """
a about after again against all also an and any are as at be been before being between both
but by can could did do does during each few for from further had has have having he her
here hers him his how i if in into is it its itself just more most no nor not now of off on
once only or other our out over own said same says she should so some such than that the
their them then there these they this those through to too under until up very was we were
what when where which while who whom why will with would you your one two three new also
year years told
""".split()
)


@dataclass(frozen=True, slots=True)
class EventFeatures:
    terms: dict[str, int]  # content word -> count
    names: frozenset[str]  # lower-cased capitalized words


def event_features(text: str, title: str = "") -> EventFeatures:
    full = f"{title}\n{text}" if title else text
    terms = Counter(w for w in _WORD.findall(full.lower()) if w not in _STOP and len(w) > 2)
    names = set()
    for sentence in _SENTENCE.split(full):
        for word in sentence.split()[1:]:
            word = word.strip(".,;:!?\"'()[]“”‘’")
            if word[:1].isupper() and len(word) > 2 and word.lower() not in _STOP:
                names.add(word.lower())
    return EventFeatures(dict(terms), frozenset(names))


@dataclass(slots=True)
class _Event:
    event_id: str
    centroid: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float))
    norm: float = 0.0  # length of the centroid (a sum of unit vectors)
    names: set[str] = field(default_factory=set)
    last_seen: datetime | None = None


class EventIndex:
    def __init__(self) -> None:
        self._df: Counter[str] = Counter()
        self._docs = 0
        self._events: dict[str, _Event] = {}
        self._by_name: defaultdict[str, set[str]] = defaultdict(set)

    def _vector(self, counts: dict[str, int]) -> dict[str, float]:
        """Unit TF-IDF vector, with the document frequencies known now."""
        weights = {
            w: (1 + math.log(n)) * math.log((self._docs + 1) / self._df[w])
            for w, n in counts.items()
            if self._df[w]
        }
        norm = math.sqrt(sum(x * x for x in weights.values())) or 1.0
        return {w: x / norm for w, x in weights.items()}

    def _similarity(self, vector: dict[str, float], names: frozenset[str], event: _Event) -> float:
        dot = sum(x * event.centroid.get(w, 0.0) for w, x in vector.items())
        cosine = dot / event.norm if event.norm else 0.0
        overlap = len(names & event.names) / max(1, min(len(names), len(event.names)))
        return (1 - NAME_WEIGHT) * cosine + NAME_WEIGHT * overlap

    def _candidates(self, features: EventFeatures, when: datetime | None) -> list[_Event]:
        ids = set().union(*(self._by_name[n] for n in features.names)) if features.names else set()
        found = [self._events[i] for i in ids]
        if when is None:
            return found
        window = timedelta(days=WINDOW_DAYS)
        return [e for e in found if e.last_seen is None or abs(when - e.last_seen) <= window]

    def assign(
        self, features: EventFeatures, new_event_id: str, when: datetime | None = None
    ) -> str:
        """The event this story joins (or `new_event_id`), remembering the story in it."""
        self._docs += 1
        self._df.update(features.terms.keys())
        vector = self._vector(features.terms)
        best, best_score = None, MIN_SIMILARITY
        for event in self._candidates(features, when):
            score = self._similarity(vector, features.names, event)
            if score >= best_score:
                best, best_score = event, score
        event = best or self._events.setdefault(new_event_id, _Event(new_event_id))
        self._join(event, vector, features, when)
        return event.event_id

    def add(self, event_id: str, features: EventFeatures, when: datetime | None = None) -> None:
        """Put a story already assigned to `event_id` back in (when rebuilding from storage)."""
        self._docs += 1
        self._df.update(features.terms.keys())
        event = self._events.setdefault(event_id, _Event(event_id))
        self._join(event, self._vector(features.terms), features, when)

    def _join(
        self,
        event: _Event,
        vector: dict[str, float],
        features: EventFeatures,
        when: datetime | None,
    ) -> None:
        for word, weight in vector.items():
            event.centroid[word] += weight
        event.norm = math.sqrt(sum(x * x for x in event.centroid.values()))
        event.names |= features.names
        for name in features.names:
            self._by_name[name].add(event.event_id)
        if when and (event.last_seen is None or when > event.last_seen):
            event.last_seen = when
