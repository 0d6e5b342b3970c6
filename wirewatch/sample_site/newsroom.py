"""What each sample outlet publishes at each replay step, built from the five seed articles.

Step 1 (day 1 morning): the IBNS wire copy, republished with small edits by two other outlets.
Step 2 (day 1 evening): seeds 001 and 002.  Step 3 (day 2): seed 003, and The Frontier Times
updates its copy with new figures.  Step 4 (day 3): seed 004, an aggregator's summary.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from importlib import resources

LAST_STEP = 4


@dataclass(frozen=True, slots=True)
class Outlet:
    slug: str
    name: str
    feed_format: str  # rss | atom
    conditional: str  # etag | last_modified | both | none
    agency: str | None = None


@dataclass(frozen=True, slots=True)
class Story:
    outlet: str
    slug: str
    title: str
    author: str
    published: datetime
    paragraphs: tuple[str, ...]
    step: int
    updated: datetime | None = None


OUTLETS = (
    Outlet("indiablooms", "India Blooms News Service", "rss", "etag", agency="IBNS"),
    Outlet("frontier-times", "The Frontier Times", "atom", "last_modified"),
    Outlet("daily-courier", "Daily Courier", "rss", "none"),
    Outlet("southasia-monitor", "South Asia Monitor", "atom", "etag"),
    Outlet("news-digest", "News Digest", "rss", "both"),
)


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 2, day, hour, minute, tzinfo=UTC)


@cache
def _seed(number: int) -> list[str]:
    folder = resources.files("wirewatch.sample_site") / "data" / "seeds"
    name = next(p.name for p in folder.iterdir() if p.name.startswith(f"{number:03d}_"))
    text = (folder / name).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip()]


def _between(lines: list[str], first: str, stop: str | None = None) -> list[str]:
    start = next(i for i, line in enumerate(lines) if line.startswith(first))
    end = next((i for i, line in enumerate(lines) if stop and line.startswith(stop)), len(lines))
    return lines[start:end]


def _ibns_body() -> list[str]:
    lines = _seed(0)
    return _between(lines, "| @indiablooms |", "Support Our Journalism")


def _frontier_copy(updated: bool) -> list[str]:
    """A republication: new dateline credit, a few word edits, the last three paragraphs cut."""
    body = [
        p.replace("media reports said", "according to reports").replace(
            "coordinated attacks", "co-ordinated attacks"
        )
        for p in _ibns_body()[1:-3]
    ]
    body[0] = "Quetta, Feb 1 (IBNS): " + body[0]
    if updated:
        body.insert(
            0,
            "Update, Feb 2: The BLA has since claimed that more than 200 Pakistani "
            "security personnel were killed over 40 hours of fighting, while officials "
            "said at least 33 people died, including 15 security personnel.",
        )
    return body


def _courier_copy() -> list[str]:
    """A republication: paragraphs merged in pairs, a credit line added at the end."""
    body = _ibns_body()[1:-2]
    merged = [" ".join(body[i : i + 2]) for i in range(0, len(body), 2)]
    return [*merged, "(With inputs from IBNS)"]


@cache
def stories() -> tuple[Story, ...]:
    s1, s2, s3, s4 = _seed(1), _seed(2), _seed(3), _seed(4)
    frontier_title = "Balochistan: BLA says over 80 Pakistani troops killed in coordinated raids"
    return (
        Story(
            "indiablooms",
            "bla-claims-over-80-pakistani-security-personnel-killed",
            _seed(0)[_seed(0).index(_ibns_body()[0]) - 1],
            "IBNS Correspondent",
            _at(1, 7, 20),
            tuple(_ibns_body()),
            1,
        ),
        Story(
            "frontier-times",
            "bla-says-over-80-troops-killed",
            frontier_title,
            "Staff Reporter",
            _at(1, 8, 5),
            tuple(_frontier_copy(False)),
            1,
        ),
        Story(
            "frontier-times",
            "bla-says-over-80-troops-killed",
            "Balochistan: BLA now claims over 200 troops killed; officials say 33 dead",
            "Staff Reporter",
            _at(1, 8, 5),
            tuple(_frontier_copy(True)),
            3,
            updated=_at(2, 9),
        ),
        Story(
            "daily-courier",
            "baloch-militants-claim-80-soldiers-killed",
            "Baloch militants claim over 80 soldiers killed in wave of attacks",
            "Courier News Desk",
            _at(1, 9, 30),
            tuple(_courier_copy()),
            1,
        ),
        Story(
            "southasia-monitor",
            "bla-operation-herof-phase-ii-claims",
            "BLA claims 84 Pakistani security personnel killed in ‘Operation Herof Phase II’",
            "Monitor Desk",
            _at(1, 14),
            tuple(s1),
            2,
        ),
        Story(
            "daily-courier",
            "baloch-rebels-kill-over-80-pak-security-officials",
            s2[0].removeprefix("date 2026-02-01").strip(),
            "Courier News Desk",
            _at(1, 15, 30),
            tuple(s2[1:]),
            2,
        ),
        Story(
            "southasia-monitor",
            "bla-claims-over-200-troops-officials-33-dead",
            s3[0],
            "Monitor Desk",
            _at(2, 6),
            tuple(s3[1:]),
            3,
        ),
        Story(
            "news-digest",
            "balochistan-jan-30-31-assault-summary",
            s4[0],
            "Digest Editors",
            _at(3, 12),
            tuple(s4[1:]),
            4,
        ),
    )


def published_at(step: int) -> list[Story]:
    """The newest version of every story published by `step`."""
    latest: dict[tuple[str, str], Story] = {}
    for story in stories():
        if story.step <= step:
            latest[(story.outlet, story.slug)] = story
    return sorted(latest.values(), key=lambda s: s.updated or s.published, reverse=True)


TICKER = (
    "Monsoon session: parliament to take up data protection amendments",
    "Markets close higher as IT stocks rally for a third day",
    "Cricket: hosts sweep the series with a day to spare",
    "Heatwave warning issued for five northern states",
    "Central bank holds rates, signals caution on food prices",
    "Metro line extension opens to commuters next month",
)
