"""Story and event assignment for the versions a batch adds, inside the batch's write
transaction, against indexes that live in the database (storage/grouping_index.py).

Determinism: a batch's new versions are taken in a canonical order (time, article, version),
and each assignment is a function of the stored state plus the versions before it in that
order. What the batch changes is kept in an overlay that mirrors what the tables would hold
had each version been written alone, so the result does not depend on how versions were split
into batches or runs, and a re-run after a kill repeats the same order.

A story gets its event as it is founded, before the next version is placed, so a version
knows the event of every story it may copy. The event is the article's: once an article has an
event, a later version is a copy only of a story of that event (or of a page that is no
article); otherwise it founds its own story, which stays in the article's event
(`event_grouping.EventAssigner`). So no article's versions span two events.

A founded story's event features leave out its outlet's chrome: the prose lines recurring on
the outlet's last pages (`chrome.OutletChrome`), also taken in that order.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

import duckdb

from extractors.copies import (
    MIN_CONTAINMENT,
    anchors,
    article_body,
    containment,
    headline_in_body,
    recurring_wall,
    shingle_hashes,
    titles_related,
    too_short,
)
from extractors.dedup import DEDUP_VERSION
from extractors.events import (
    Story,
    casualties,
    event_features,
    event_places,
    line_prints,
    terms_json,
)
from extractors.pages import hash_text
from storage import grouping_index as index
from storage import summaries
from storage.records import StoryRow, VersionRow
from wirewatch.sequence.chrome import OutletChrome
from wirewatch.sequence.event_grouping import Assigned, EventAssigner, GroupingParams, NewStory
from wirewatch.settings import Settings


@dataclass(slots=True)
class _Copy:
    """A story's canonical copy as the index knows it (or will, once the batch is written)."""

    hashes: frozenset[int]
    title: str
    unrelated_titles: int
    not_article: str | None
    seen_at: datetime
    changed: bool = False


@dataclass(frozen=True, slots=True)
class _Page:
    row: VersionRow
    version: int
    when: datetime
    body: str  # the text compared with other copies (extractors.copies.article_body)
    hashes: frozenset[int]
    key: str  # "<article_id>.<version>", the story id it founds
    short: bool  # too short to be an article (extractors.copies.too_short)
    anchors: list[int]  # extractors.copies.anchors of the hashes


@dataclass(slots=True)
class _StoryPass:
    chrome: OutletChrome  # the outlets' recurring lines, as stories are founded
    copies: dict[str, _Copy] = field(default_factory=dict)
    batch_anchors: dict[int, list[str]] = field(default_factory=dict)
    rows: list[StoryRow] = field(default_factory=list)
    flags: dict[str, str] = field(default_factory=dict)
    new_anchors: dict[str, list[Any]] = field(  # columns of story_anchors rows
        default_factory=lambda: {"anchor": [], "story_id": [], "seen_at": []}
    )
    stories: dict[str, NewStory] = field(default_factory=dict)  # by the story id each founds
    events: list[Assigned] = field(default_factory=list)  # of the stories founded, in order
    story_events: dict[str, str] = field(default_factory=dict)  # stored and founded stories


#: body shingle hashes as the extraction workers computed them, by (content hash, title): for
#: the batch's pages and for stored copies written earlier in the run
BodyHashes = Mapping[tuple[str, str], frozenset[int]]


class Grouping:
    """Called by storage.records.write_batch with the batch's numbered versions. `hashes`:
    the body hashes already computed by the workers (the rest are computed here)."""

    def __init__(self, params: GroupingParams | None = None, hashes: BodyHashes | None = None):
        self.params = params or GroupingParams()
        self.hashes: BodyHashes = hashes or {}

    def with_hashes(self, hashes: BodyHashes) -> Grouping:
        return Grouping(self.params, hashes)

    def __call__(
        self, con: duckdb.DuckDBPyConnection, numbered: list[tuple[VersionRow, int]]
    ) -> None:
        pages = sorted(
            (_page(row, version, self.hashes) for row, version in numbered),
            key=lambda p: (p.when, p.row.article_id, p.version),
        )
        assigner = EventAssigner(con, self.params)
        stories = self._stories(con, pages, assigner)
        assigner.save()
        stories.chrome.save()
        events = stories.events
        index.save_assignments(con, stories.rows, [e.row for e in events])
        index.save_stories(con, stories.new_anchors, _profile_rows(stories.copies))
        index.flag_not_article(con, stories.flags)
        summaries.merge_batch(
            con,
            _new_copies(pages, stories.rows),
            [
                summaries.NewStory(e.row.story_id, e.row.event_id, e.related_event_id or None)
                for e in events
            ],
            stories.flags,
        )

    def _stories(
        self, con: duckdb.DuckDBPyConnection, pages: list[_Page], assigner: EventAssigner
    ) -> _StoryPass:
        window = timedelta(days=self.params.story_window_days)
        probes: dict[str, list[Any]] = {"key": [], "anchor": [], "lo": [], "hi": []}
        for p in pages:
            if not p.short:
                n = len(p.anchors)
                probes["key"] += [p.key] * n
                probes["anchor"] += p.anchors
                probes["lo"] += [p.when - window] * n
                probes["hi"] += [p.when + window] * n
        found: dict[str, Counter[str]] = {}
        for key, story_id, shared in index.story_candidates(
            con, probes, self.params.max_candidates
        ):
            found.setdefault(key, Counter())[story_id] = shared
        stored = index.story_copies(con, {s for c in found.values() for s in c})
        chrome = OutletChrome(con)
        chrome.load({p.row.outlet for p in pages if not p.short and p.row.outlet})
        work = _StoryPass(chrome=chrome)
        work.stories = {p.key: _story(p) for p in pages if not p.short}
        assigner.load([(key, story) for key, (story, _, _) in work.stories.items()])
        work.story_events.update(index.story_events(con, stored))
        for story_id, (text, title, unrelated, flag, seen_at) in stored.items():
            hashes = _body_hashes(text, title, hash_text(text), self.hashes)
            work.copies[story_id] = _Copy(hashes, title, unrelated, flag, seen_at)
        for page in pages:
            self._place(page, found.get(page.key, Counter()), work, window, assigner)
        return work

    def _place(
        self,
        page: _Page,
        found: Counter[str],
        work: _StoryPass,
        window: timedelta,
        assigner: EventAssigner,
    ) -> None:
        if page.short:
            work.rows.append(_story_row(page, page.key, "too_short"))
            work.flags[page.key] = "too_short"
            return
        page_anchors = page.anchors
        candidates = Counter(found)
        for anchor in page_anchors:
            for story_id in work.batch_anchors.get(anchor, ()):
                if abs(work.copies[story_id].seen_at - page.when) <= window:
                    candidates[story_id] += 1
        ranked = sorted(candidates.items(), key=lambda kv: (-kv[1], kv[0]))
        best, best_score = None, MIN_CONTAINMENT
        for story_id, _shared in ranked[: self.params.max_candidates]:
            copy = work.copies.get(story_id)
            mine = copy is not None and _may_copy(page, story_id, copy, work, assigner)
            score = containment(page.hashes, copy.hashes) if copy and mine else 0.0
            if score >= best_score and (best is None or score > best_score):
                best, best_score = story_id, score
        if best is None:
            self._found_story(page, page_anchors, work, assigner)
            return
        copy = work.copies[best]
        if not _same_story_headline(page, copy):
            copy.unrelated_titles += 1
            copy.changed = True
            if recurring_wall(len(copy.hashes), copy.unrelated_titles) and not copy.not_article:
                copy.not_article = "recurring_text"
                work.flags[best] = "recurring_text"
        work.rows.append(_story_row(page, best, copy.not_article))
        event = work.story_events.get(best)
        if copy.not_article is None and event is not None:
            assigner.joined_as_copy(page.row.article_id, event)

    def _found_story(
        self, page: _Page, page_anchors: list[int], work: _StoryPass, assigner: EventAssigner
    ) -> None:
        """A new story and its event. A story held in its article's event though about
        something else is not indexed: a later page with its text is not drawn into that
        event as its copy (it finds the text's other stories, or founds its own)."""
        work.copies[page.key] = _Copy(page.hashes, page.row.title, 0, None, page.when, True)
        work.rows.append(_story_row(page, page.key, None))
        assigned = assigner.assign(page.key, *_without_chrome(page, work))
        work.events.append(assigned)
        work.story_events[page.key] = assigned.row.event_id
        if assigned.held:
            return
        for anchor in page_anchors:
            work.batch_anchors.setdefault(anchor, []).append(page.key)
        work.new_anchors["anchor"] += page_anchors
        work.new_anchors["story_id"] += [page.key] * len(page_anchors)
        work.new_anchors["seen_at"] += [page.when] * len(page_anchors)


def _may_copy(
    page: _Page, story_id: str, copy: _Copy, work: _StoryPass, assigner: EventAssigner
) -> bool:
    """Whether the page may be a copy of the story: always for an article without an event yet,
    or a story that is no article or the article's own; else only a story of its event."""
    event = assigner.article_events.get(page.row.article_id)
    if event is None or copy.not_article or story_id.startswith(f"{page.row.article_id}."):
        return True
    return work.story_events.get(story_id) == event


def _without_chrome(page: _Page, work: _StoryPass) -> NewStory:
    """The story's evidence less its outlet's chrome (recomputed from the text only when the
    page carries some); the page then joins its outlet's window when it is a first version."""
    story, terms, names = work.stories[page.key]
    if not page.row.outlet:
        return story, terms, names
    lines = line_prints(page.row.text)
    chrome = work.chrome.of(page.row.outlet, lines)
    if page.version == 1:
        work.chrome.add(page.row.outlet, page.row.article_id, lines)
    if not chrome:
        return story, terms, names
    features = event_features(page.row.text, page.row.title, chrome)
    terms = terms_json(features)
    names = tuple(sorted(features.names))
    return replace(story, terms=json.loads(terms), names=frozenset(names)), terms, names


def grouping_params(settings: Settings) -> GroupingParams:
    return GroupingParams(
        story_window_days=settings.story_window_days,
        event_window_days=settings.event_window_days,
        related_window_days=settings.related_window_days,
        max_name_stories=settings.max_name_stories,
        max_candidates=settings.max_candidates,
    )


def when_of(page: VersionRow, version: int) -> datetime:
    """A version's time: publication for a first version, the update stamp for later ones."""
    if version > 1:
        return page.updated_at or page.fetched_at
    return page.published_at or page.fetched_at


def _same_story_headline(page: _Page, copy: _Copy) -> bool:
    """A copy under an edited headline, not a wall found again under another article's."""
    return titles_related(page.row.title, copy.title) or headline_in_body(page.row.title, page.body)


def _page(row: VersionRow, version: int, known: BodyHashes) -> _Page:
    body = article_body(row.text, row.title)
    hashes = _body_hashes(row.text, row.title, row.content_hash, known)
    key = f"{row.article_id}.{version}"
    short = too_short(body)
    return _Page(row, version, when_of(row, version), body, hashes, key, short, anchors(hashes))


def _body_hashes(text: str, title: str, content_hash: str, known: BodyHashes) -> frozenset[int]:
    found = known.get((content_hash, title))
    return shingle_hashes(article_body(text, title)) if found is None else found


def _story_row(page: _Page, story_id: str, not_article: str | None) -> StoryRow:
    row = page.row
    return StoryRow(
        row.article_id,
        page.version,
        story_id,
        row.agency,
        row.n_shingles,
        row.signature,
        DEDUP_VERSION,
        not_article,
    )


def _new_copies(pages: list[_Page], rows: list[StoryRow]) -> list[summaries.NewCopy]:
    """The batch's versions that are articles, as the story and event summaries count them."""
    by_key = {p.key: p.row for p in pages}
    copies = []
    for story in rows:
        if story.not_article is None:
            row = by_key[f"{story.article_id}.{story.version}"]
            at = row.published_at or row.fetched_at
            copies.append(
                summaries.NewCopy(
                    story.story_id,
                    row.article_id,
                    story.version,
                    at,
                    len(row.text),
                    row.canonical_url,
                    row.outlet,
                    row.agency,
                    row.title,
                )
            )
    return copies


def _story(page: _Page) -> NewStory:
    killed, injured = casualties((c.metric, c.value) for c in page.row.claims)
    terms = json.loads(page.row.terms)
    places = event_places(page.row.text, page.row.title)
    story = Story(terms, frozenset(page.row.names), page.when, killed, injured, places)
    return story, page.row.terms, page.row.names


def _profile_rows(copies: dict[str, _Copy]) -> list[dict[str, Any]]:
    return [
        {
            "story_id": story_id,
            "title": copy.title,
            "seen_at": copy.seen_at,
            "unrelated_titles": copy.unrelated_titles,
            "not_article": copy.not_article,
        }
        for story_id, copy in sorted(copies.items())
        if copy.changed
    ]
