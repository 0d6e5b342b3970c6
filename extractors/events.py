"""Events: stories about one real-world happening, grouped online.

Each story is described by its content words (TF-IDF, IDF from the stories seen so far), the
names it mentions (capitalized words not opening a sentence; weighted by rarity), its date and
its casualty figures. A new story joins the best-scoring event active within WINDOW_DAYS of it
when the score reaches MIN_SIMILARITY; else it starts one (linked as related to an older event
whose rare names it shares). This module is the pure part: the scoring and the bounded event
profile. Candidates are gathered from the database (storage/grouping_index.py).
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime

EVENTS_VERSION = "events-5"
MIN_SIMILARITY = 0.22
#: A later version of an article stays in the event of its earlier one down to this score: only
#: a text clearly about something else leaves it (issue 18: one article's versions in one event).
STAY_SIMILARITY = 0.08
#: A story that starts an event links it to an older one (a follow-up weeks later: an arrest, a
#: trial, a revised toll) above this rare-name similarity, when it shares FOLLOW_NAMES names that
#: at most FOLLOW_NAME_STORIES stories beyond the older event's own carry.
MIN_RELATED = 0.5
FOLLOW_NAMES = 5
FOLLOW_NAME_STORIES = 10
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


def event_features(
    text: str, title: str = "", chrome: frozenset[int] = frozenset()
) -> EventFeatures:
    """Content words and names of the headline and the text's prose, leaving out the lines
    whose fingerprints (`line_prints`) are in `chrome`: its outlet's recurring lines."""
    lines = _prose_lines(text)
    text = "\n".join(line for line in lines if not chrome or _print(line) not in chrome)
    full = f"{title}\n{text}" if title else text
    terms = Counter(w for w in _WORD.findall(full.lower()) if w not in _STOP and len(w) > 2)
    names = set()
    for sentence in _SENTENCE.split(full):
        for word in sentence.split()[1:]:
            word = word.strip(".,;:!?\"'()[]“”‘’")
            if word[:1].isupper() and len(word) > 2 and word.lower() not in _STOP:
                names.add(word.lower())
    return EventFeatures(dict(terms), frozenset(names))


#: A line reads as prose when it ends a sentence or runs this long; the rest is a page's chrome
#: ("Get WhatsApp alerts", "Related Topics", "Advertisement", a list of topic links), which
#: recurs on every page of an outlet and would gather them all into one event.
PROSE_WORDS = 12
PROSE_CHARS = 80  # a line of a language written without spaces
_SENTENCE_END = re.compile(r"[.!?。！？][\"'”’)」』]*$")


def _prose_lines(text: str) -> Iterable[str]:
    return (
        line
        for line in text.splitlines()
        if _SENTENCE_END.search(line.rstrip())
        or len(line.split()) >= PROSE_WORDS
        or len(line) >= PROSE_CHARS
    )


def prose(text: str) -> str:
    """The lines of a text that read as prose (see PROSE_WORDS)."""
    return "\n".join(_prose_lines(text))


# --- An outlet's chrome written as sentences ("Sign up for our newsletters.", "Give it a try.")
# is told by recurrence: a prose line found verbatim on CHROME_PAGES of the outlet's last
# OUTLET_PAGES pages is chrome (see docs/decisions.md, "Stories and events"). Three, not two: a
# wire copy the outlet carries under two addresses keeps its text, and so does a paragraph an
# incident's follow-up repeats, until several pages repeat it.
OUTLET_PAGES = 50
CHROME_PAGES = 3


def _print(line: str) -> int:
    """A line's fingerprint: 64 bits of its words, whatever the spacing."""
    digest = hashlib.blake2b(" ".join(line.split()).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def line_prints(text: str) -> frozenset[int]:
    """The fingerprints of a text's prose lines, as `event_features(chrome=...)` takes them."""
    return frozenset(_print(line) for line in _prose_lines(text))


_PLACE = re.compile(r"\b(?:[Ii]n|[Nn]ear|[Oo]utside|[Aa]t) ((?:[A-Z][\w'’-]+)(?: [A-Z][\w'’-]+)?)")
_NOT_PLACES = frozenset(
    """
january february march april may june july august september october november december monday
tuesday wednesday thursday friday saturday sunday the this that his her their its least
""".split()
)
#: Where a story happened is told in its headline and lede.
LEDE_CHARS = 400


def event_places(text: str, title: str = "") -> frozenset[str]:
    """Capitalized names after "in", "near", "outside", "at" in the headline and lede:
    "in Kyiv", "near Kryvyi Rih" (possessives folded: "Kyiv's" is Kyiv)."""
    found = set()
    for match in _PLACE.finditer(f"{title}\n{text[:LEDE_CHARS]}"):
        place = re.split(r"['’]s\b", match.group(1).lower())[0]
        if place.split()[0] not in _NOT_PLACES:
            found.add(place)
    return frozenset(found)


def terms_json(features: EventFeatures | None, keep: int = 200) -> str:
    """The most frequent terms, as stored (enough for similarity; bounded in size)."""
    if features is None:
        return "{}"
    top = sorted(features.terms.items(), key=lambda kv: (-kv[1], kv[0]))[:keep]
    return json.dumps(dict(top), ensure_ascii=False)


# --- The bounded event representation (see docs/decisions.md, "Grouping in a stream") ---

#: Terms kept in an event's centroid, names kept in its profile: bounded, whatever joins it.
CENTROID_TERMS = 150
PROFILE_NAMES = 40
#: Share of the score from content words; the rest from rare names shared.
TERM_WEIGHT = 0.5
#: Same casualty figures ("5 shot, 1 killed") are evidence a reader would use.
FIGURE_BONUS = 0.1
#: Places where a story happened weigh like names (issue 18): a shared place adds this much, two
#: stories about different places (Kyiv, Kryvyi Rih) lose it, whatever country or names they share.
PLACE_WEIGHT = 0.1
PROFILE_PLACES = 12
#: Content words must agree this much: names alone (an outlet's chrome, a country, officials'
#: names) do not gather unrelated stories into one snowballing event.
MIN_TERM_SIMILARITY = 0.06
#: Dates weigh like places (issue 18): a story about another place, a day or more from when
#: the event began, is another happening of the kind (a strike on Kyiv, then one on Kryvyi Rih
#: the next day) and does not join it, however much else they share.
SEPARATE_DAYS = 1.0
#: Days between a story and an event's last story beyond which it only links as related.
CLOSE_DAYS = 3
FAR_PENALTY = 0.1


@dataclass(frozen=True, slots=True)
class Story:
    """What event grouping reads from a story's first copy."""

    terms: Mapping[str, int]
    names: frozenset[str]
    when: datetime | None = None
    killed: int | None = None
    injured: int | None = None
    places: frozenset[str] = frozenset()  # where it happened (event_places)


@dataclass(frozen=True, slots=True)
class Profile:
    """An event as stored: a capped centroid, a capped name profile, its figures and span."""

    event_id: str
    centroid: Mapping[str, float]  # sum of the stories' unit vectors, top CENTROID_TERMS
    names: Mapping[str, int]  # name -> stories that mention it, top PROFILE_NAMES
    n_stories: int
    first_seen: datetime | None
    last_seen: datetime | None
    killed: frozenset[int] = frozenset()
    injured: frozenset[int] = frozenset()
    related_event_id: str = ""
    places: Mapping[str, int] = field(default_factory=dict)  # place -> stories, top PROFILE_PLACES


Idf = Callable[[str], float]


def unit_vector(terms: Mapping[str, int], idf: Idf) -> dict[str, float]:
    weights = {w: (1 + math.log(n)) * idf(w) for w, n in terms.items()}
    norm = math.sqrt(sum(x * x for x in weights.values())) or 1.0
    return {w: x / norm for w, x in weights.items() if x > 0}


def norm(weights: Mapping[str, float]) -> float:
    return math.sqrt(sum(x * x for x in weights.values()))


def _cosine_normed(
    a: Mapping[str, float], norm_a: float, b: Mapping[str, float], norm_b: float
) -> float:
    """The cosine with both norms given. The dot product skips the words `b` lacks: their
    terms are 0.0, which leaves a float sum as it was, so the value is the same to the bit."""
    dot = sum([x * b[w] for w, x in a.items() if w in b])
    return dot / (norm_a * norm_b) if norm_a and norm_b else 0.0


def name_similarity(story: Story, profile: Profile, idf: Idf) -> float:
    """Cosine of rarity-weighted names: both sides normalized, so a huge profile earns nothing."""
    return StorySide.of(story, {}, idf).name_similarity(profile, idf)


def _days_apart(story: Story, profile: Profile) -> float:
    if story.when is None or profile.last_seen is None or profile.first_seen is None:
        return 0.0
    if profile.first_seen <= story.when <= profile.last_seen:
        return 0.0
    edge = profile.last_seen if story.when > profile.last_seen else profile.first_seen
    return abs((story.when - edge).total_seconds()) / 86400


def _days_from_start(story: Story, profile: Profile) -> float:
    """Days between a story and when the event began (0 without dates)."""
    if story.when is None or profile.first_seen is None:
        return 0.0
    return abs((story.when - profile.first_seen).total_seconds()) / 86400


@dataclass(frozen=True, slots=True)
class StorySide:
    """What every score of one story against candidate events shares, computed once: its
    vector's norm and its rarity-weighted names (the same values `score` computes each time)."""

    story: Story
    vector: Mapping[str, float]
    vector_norm: float
    names: Mapping[str, float]
    names_norm: float

    @classmethod
    def of(cls, story: Story, vector: Mapping[str, float], idf: Idf) -> StorySide:
        names = {n: idf(n) for n in story.names}
        return cls(story, vector, norm(vector), names, norm(names))

    def name_similarity(self, profile: Profile, idf: Idf) -> float:
        theirs = {n: idf(n) * c / profile.n_stories for n, c in profile.names.items()}
        return _cosine_normed(self.names, self.names_norm, theirs, norm(theirs))

    def follow_up(
        self, profile: Profile, idf: Idf, centroid_norm: float, df: Callable[[str], int]
    ) -> float:
        """How surely the story follows up an older event (0 when it cannot): the rare-name
        similarity, when the content words agree, the places do not conflict and at least
        FOLLOW_NAMES names are shared that few stories beyond the event's own carry (a victim's
        or a suspect's name, not an outlet's chrome or a city)."""
        terms = _cosine_normed(self.vector, self.vector_norm, profile.centroid, centroid_norm)
        if terms < MIN_TERM_SIMILARITY or _places_agree(self.story, profile) < 0:
            return 0.0
        rare = profile.n_stories + FOLLOW_NAME_STORIES
        shared = self.story.names & profile.names.keys()
        if sum(1 for n in shared if df(n) <= rare) < FOLLOW_NAMES:
            return 0.0
        return self.name_similarity(profile, idf)

    def score(self, profile: Profile, idf: Idf, centroid_norm: float | None = None) -> float:
        """`score(story, vector, profile, idf)`; `centroid_norm`: the profile's, if known."""
        if centroid_norm is None:
            centroid_norm = norm(profile.centroid)
        story = self.story
        terms = _cosine_normed(self.vector, self.vector_norm, profile.centroid, centroid_norm)
        if terms < MIN_TERM_SIMILARITY:
            return 0.0
        places = _places_agree(story, profile)
        if places < 0 and _days_from_start(story, profile) >= SEPARATE_DAYS:
            return 0.0
        value = TERM_WEIGHT * terms + (1 - TERM_WEIGHT) * self.name_similarity(profile, idf)
        value += PLACE_WEIGHT * places
        if story.killed is not None and story.killed in profile.killed:
            value += FIGURE_BONUS / 2
        if story.injured is not None and story.injured in profile.injured:
            value += FIGURE_BONUS / 2
        if _days_apart(story, profile) > CLOSE_DAYS:
            value -= FAR_PENALTY
        return value


def _places_agree(story: Story, profile: Profile) -> int:
    """1: a place in common; -1: each names only places the other never mentions (a town
    inside a named province is mentioned by its reports, so it is no conflict); 0: unknown."""
    if not story.places or not profile.places:
        return 0
    if story.places & profile.places.keys():
        return 1
    theirs = any(w in story.names for p in profile.places for w in p.split())
    ours = any(w in profile.names for p in story.places for w in p.split())
    return 0 if theirs or ours else -1


def score(story: Story, vector: Mapping[str, float], profile: Profile, idf: Idf) -> float:
    return StorySide.of(story, vector, idf).score(profile, idf)


def _top(weights: Mapping[str, float], keep: int) -> dict[str, float]:
    return dict(sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))[:keep])


def _figures(seen: frozenset[int], value: int | None) -> frozenset[int]:
    return seen if value is None else frozenset(sorted(seen | {value})[:8])


def start_event(event_id: str, story: Story, vector: Mapping[str, float], related: str) -> Profile:
    empty = Profile(event_id, {}, {}, 0, story.when, story.when, related_event_id=related)
    return join_event(empty, story, vector)


def join_event(profile: Profile, story: Story, vector: Mapping[str, float]) -> Profile:
    centroid = dict(profile.centroid)
    for word, weight in vector.items():
        centroid[word] = centroid.get(word, 0.0) + weight
    names = dict(profile.names)
    for name in story.names:
        names[name] = names.get(name, 0) + 1
    places = dict(profile.places)
    for place in story.places:
        places[place] = places.get(place, 0) + 1
    stamps = [t for t in (profile.first_seen, profile.last_seen, story.when) if t is not None]
    return replace(
        profile,
        centroid=_top(centroid, CENTROID_TERMS),
        names={n: int(c) for n, c in _top(names, PROFILE_NAMES).items()},
        places={p: int(c) for p, c in _top(places, PROFILE_PLACES).items()},
        n_stories=profile.n_stories + 1,
        first_seen=min(stamps, default=None),
        last_seen=max(stamps, default=None),
        killed=_figures(profile.killed, story.killed),
        injured=_figures(profile.injured, story.injured),
    )


def casualties(figures: Iterable[tuple[str, int]]) -> tuple[int | None, int | None]:
    """(killed, injured) from a story's claims: the largest figure of each, as a headline gives."""
    killed = [value for metric, value in figures if metric == "killed"]
    injured = [value for metric, value in figures if metric == "injured"]
    return (max(killed) if killed else None, max(injured) if injured else None)
