"""Stories (wire copies), wire credits, non-article pages and events, on texts from the sample
site's seeds, grouped through the real write path (storage.records.write_batch + Grouping)."""

import json
import random
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import duckdb
import pytest

from evals.replay import Item, group_items, write_batches
from extractors.copies import containment, shingle_hashes
from extractors.events import OUTLET_PAGES
from extractors.wire import detect_agency
from wirewatch.sample_site import newsroom
from wirewatch.sequence import chrome

STORIES = newsroom.stories()
#: an outlet's page chrome written as sentences, on every one of its pages
CHROME = (
    "Add CNA as a trusted source to help Google better understand and surface our content in "
    "search results.\nContent is loading...\nRead a summary of this article on FAST.\n"
    "Get bite-sized news via a new cards interface. Give it a try.\nGet the CNA app. Stay "
    "updated with notifications from Singapore and Asia on Mediacorp's news channel.\n"
    "Sign up for our newsletters and get the CNA Morning Brief and Asia Evening Brief."
)
#: short reports of unrelated happenings, one outlet's pages
BRIEFS = [
    "Copper prices fell on Monday as warehouse stocks in Shanghai rose for a third week, "
    "metal traders said, with demand from cable makers slowing.",
    "A ferry ran aground off Batam early on Tuesday and all 41 passengers were taken ashore by "
    "coast guard boats, the harbour master said.",
    "The central bank of Thailand held its policy rate at 2.5 percent, citing sticky food "
    "inflation and a weaker baht against the dollar.",
    "Striker Marcos Leal scored twice as Sevilla beat Valencia 3-1 to climb to fourth in the "
    "league table after a run of five wins.",
    "Heavy rain flooded low-lying roads in Penang and schools in three districts were shut as "
    "the weather agency warned of more storms.",
    "Shares of the chipmaker Arvantis jumped 12 percent after it raised its annual revenue "
    "forecast on strong orders from data centres.",
    "A fire gutted a row of timber shophouses in Yangon overnight and firefighters took four "
    "hours to bring the blaze under control, residents said.",
    "The marathon runner Amina Said set a course record in Nagoya, finishing in two hours and "
    "eighteen minutes in cool, calm conditions.",
]
WALL = (
    "Just one more thing. We have sent you a verification email. Please check your email and "
    "click on the link to activate your profile. If you do not receive the verification "
    "message within a few minutes of signing up, please check your spam folder. Thank you for "
    "registering with us and for reading our local coverage."
)


def _text(story):
    return "\n".join(story.paragraphs)


def _item(story, when=None, key=None):
    return Item(key or story.slug, _text(story), story.title, when or story.published)


def test_a_republished_copy_with_edits_is_the_same_story():
    found = group_items([_item(STORIES[i]) for i in (0, 1, 3)])
    assert len({story for story, _ in found.values()}) == 1


def test_a_trimmed_copy_is_caught_by_containment_not_symmetric_similarity():
    full = _text(STORIES[0])
    trimmed = "\n".join(STORIES[0].paragraphs[:7])  # about a third of the text
    assert containment(shingle_hashes(full), shingle_hashes(trimmed)) > 0.9
    found = group_items(
        [Item("full", full, STORIES[0].title), Item("trimmed", trimmed, STORIES[0].title)]
    )
    assert found["trimmed"][0] == found["full"][0]


def test_a_short_brief_inside_a_long_article_is_the_same_story():
    full = _text(STORIES[0])
    brief = "\n".join(STORIES[0].paragraphs[:2])
    assert len(shingle_hashes(brief)) < len(shingle_hashes(full)) / 4
    found = group_items([Item("full", full, "Attack"), Item("brief", brief, "Attack")])
    assert found["brief"][0] == found["full"][0]


def test_different_write_ups_of_one_event_are_different_stories():
    chosen = [s for s in STORIES if s.outlet in ("indiablooms", "southasia-monitor", "news-digest")]
    found = group_items([_item(s) for s in chosen])
    assert len({story for story, _ in found.values()}) == 4  # seeds 000, 001, 003, 004


def test_a_text_recurring_under_unrelated_headlines_is_no_article(tmp_path: Path):
    titles = ("Man shot on Elm Street", "Fire destroys barn in Greene", "Council votes on budget")
    items = [Item(f"wall{i}", WALL, title) for i, title in enumerate(titles)]
    db = tmp_path / "walls.duckdb"
    write_batches([items[:1], items[1:]], db)
    with duckdb.connect(str(db), read_only=True) as con:
        flags = con.execute("SELECT DISTINCT not_article FROM version_stories").fetchall()
        assert flags == [("recurring_text",)]
        assert con.execute("SELECT count(*) FROM stories").fetchall() == [(0,)]
        assert con.execute("SELECT count(*) FROM story_events").fetchall() == [(0,)]
        assert con.execute("SELECT count(*) FROM not_articles").fetchall() == [(3,)]
        assert con.execute("SELECT count(*) FROM article_versions").fetchall() == [(3,)]


def test_a_page_too_short_to_be_an_article_is_flagged_and_gets_no_claims(tmp_path: Path):
    db = tmp_path / "short.duckdb"
    write_batches([[Item("short", "Police said 3 people were killed.", "Three killed")]], db)
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT not_article FROM version_stories").fetchall() == [("too_short",)]
        assert con.execute("SELECT count(*) FROM article_claims").fetchall() == [(0,)]


@pytest.mark.parametrize(
    ("text", "agency"),
    [
        ("| @indiablooms | Feb 01, 2026, at 12:50 pm\nThe BLA said ...", "IBNS"),
        ("QUETTA, Pakistan (AP) — Militants attacked ...", "AP"),
        ("The story.\nWith IANS inputs", "IANS"),
        ("The story.\n(With inputs from PTI)", "PTI"),
        ("Quetta, Feb 1 (IBNS): The Baloch Liberation Army ...", "IBNS"),
        ("KABUL (Reuters) - Two soldiers ...", "Reuters"),
        ("Reuters reported that three people died.", ""),  # a source cited, not a credit
        ("No credit at all.", ""),
    ],
)
def test_wire_credits_are_recognized(text, agency):
    assert detect_agency(text) == agency


def test_all_five_seed_reports_form_one_event():
    found = group_items([_item(s) for s in STORIES])
    assert len({event for _, event in found.values()}) == 1


def test_a_different_event_of_the_same_kind_starts_its_own():
    other = (
        "Gunmen stormed a police station in Peshawar on Monday, killing six officers, "
        "the Khyber Pakhtunkhwa police chief said. The Tehreek-e-Taliban Pakistan "
        "claimed responsibility for the attack in Peshawar. Officers at the station in "
        "Peshawar returned fire for an hour before the attackers were killed, a spokesman "
        "for the Khyber Pakhtunkhwa police said on Monday evening."
    )
    items = [_item(s) for s in STORIES]
    items.append(Item("peshawar", other, "Six police killed in Peshawar", STORIES[0].published))
    found = group_items(items)
    assert found["peshawar"][1] not in {found[s.slug][1] for s in STORIES}


def test_a_follow_up_beyond_the_window_is_a_related_event_not_a_merge(tmp_path: Path):
    story = STORIES[0]
    later = story.published + timedelta(days=60)
    db = tmp_path / "related.duckdb"
    # another outlet's write-up (an updated copy would still be the same story 60 days later)
    write_batches([[_item(story)], [Item("later", _text(STORIES[6]), story.title, later)]], db)
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            "SELECT event_id, related_event_id FROM events ORDER BY first_seen"
        ).fetchall()
    assert len(rows) == 2
    assert rows[1][1] == rows[0][0]


def test_grouping_does_not_depend_on_how_the_articles_were_split_into_runs():
    items = [_item(s) for s in STORIES]
    start = STORIES[0].published
    items += [
        Item(f"wall{i}", WALL, f"Headline {i} about thing {i}", start + timedelta(hours=i))
        for i in range(3)
    ]
    items.sort(key=lambda i: (i.when, i.key))
    whole = group_items(items, batch_size=len(items))
    for size in (1, 2, 3):
        assert group_items(items, batch_size=size) == whole


def test_events_without_dates_still_group():
    found = group_items([Item("a", _text(STORIES[0])), Item("b", _text(STORIES[1]))])
    assert found["a"][1] == found["b"][1]


# issue 18: the event is the article's, so no article's versions span two events
PESHAWAR = (
    "Gunmen stormed a police station in Peshawar on Monday, killing six officers, the Khyber "
    "Pakhtunkhwa police chief said. The Tehreek-e-Taliban Pakistan claimed responsibility for "
    "the attack in Peshawar. Officers at the station in Peshawar returned fire for an hour "
    "before the attackers were killed, a spokesman for the Khyber Pakhtunkhwa police said on "
    "Monday evening, adding that two more officers were wounded in the gunfight."
)


def _version_events(db: Path) -> dict[tuple[str, int], tuple[str, str]]:
    """(article, version) -> (story, event) of every stored version."""
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            "SELECT s.article_id, s.version, s.story_id, e.event_id FROM version_stories s "
            "LEFT JOIN story_events e USING (story_id)"
        ).fetchall()
    return {(a, v): (s, e) for a, v, s, e in rows}


def _event_profile(db: Path, event: str) -> tuple[int, str]:
    with duckdb.connect(str(db), read_only=True) as con:
        found = con.execute(
            "SELECT n_stories, profile FROM event_profiles WHERE event_id = ?", [event]
        ).fetchone()
    assert found is not None
    return found


def test_a_later_version_about_something_else_stays_in_its_articles_event(tmp_path: Path):
    seed, when = STORIES[0], STORIES[0].published
    db = tmp_path / "rolling.duckdb"
    write_batches([[_item(seed, key="rolling")]], db)
    event = _version_events(db)[("rolling", 1)][1]
    before = _event_profile(db, event)
    # a rolling page: the same address now carries another happening's report
    write_batches([[Item("rolling", PESHAWAR, "Six police killed in Peshawar", when)]], db)

    found = _version_events(db)
    assert found[("rolling", 2)] == ("rolling.2", event)
    # it stays without reshaping the event (the event's words stay the seed's)
    assert _event_profile(db, event) == before


def test_a_later_version_that_became_a_copy_of_another_events_story_founds_its_own(
    tmp_path: Path,
):
    seed, when = STORIES[0], STORIES[0].published
    db = tmp_path / "copied.duckdb"
    write_batches([[_item(seed, key="a")], [Item("p", PESHAWAR, "Peshawar attack", when)]], db)
    first = _version_events(db)
    assert first[("a", 1)][1] != first[("p", 1)][1]  # two happenings, two events

    write_batches([[Item("a", PESHAWAR, "Peshawar attack", when)]], db)

    # not a copy of p's story, whose event is another: its own story, in a's event
    assert _version_events(db)[("a", 2)] == ("a.2", first[("a", 1)][1])


def test_an_article_that_arrived_as_a_copy_keeps_that_event_for_its_later_versions(
    tmp_path: Path,
):
    seed, when = STORIES[0], STORIES[0].published
    db = tmp_path / "seeded.duckdb"
    write_batches([[Item("p", PESHAWAR, "Peshawar attack", when)]], db)
    event = _version_events(db)[("p", 1)][1]
    # in one batch: a copy of p's story, then the same page rewritten about something else
    later = when + timedelta(hours=1)
    rewritten = Item("c", _text(seed), seed.title, later)
    write_batches([[Item("c", PESHAWAR, "Peshawar attack", when), rewritten]], db)

    found = _version_events(db)
    assert found[("c", 1)] == ("p.1", event)
    assert found[("c", 2)] == ("c.2", event)


def test_an_articles_versions_group_the_same_however_they_were_split_into_batches(
    tmp_path: Path,
):
    seeds = [STORIES[k] for k in (0, 1, 3, 4)]  # one event; 0, 1 and 3 share a story
    start = max(s.published for s in seeds)  # batches go in time order, as a stream's do
    later = [
        Item("p", PESHAWAR, "Six police killed in Peshawar", start + timedelta(hours=1)),
        # a later version that became another report of its own event: a copy of that story
        Item(seeds[0].slug, _text(seeds[3]), seeds[3].title, start + timedelta(hours=2)),
        # one that became a copy of another event's story: its own story, held in its event
        Item(seeds[1].slug, PESHAWAR, "Peshawar attack", start + timedelta(hours=3)),
        # a new copy of that text joins the text's own event, not the held one
        Item("c", PESHAWAR, "Peshawar attack", start + timedelta(hours=4)),
        Item("c", _text(seeds[3]), seeds[3].title, start + timedelta(hours=5)),
    ]
    items = sorted([_item(s) for s in seeds], key=lambda i: (i.when, i.key)) + later

    def grouped(size: int) -> dict[tuple[str, int], tuple[str, str]]:
        db = tmp_path / f"split-{size}.duckdb"
        write_batches([items[i : i + size] for i in range(0, len(items), size)], db)
        return _version_events(db)

    whole = grouped(len(items))
    event, peshawar = whole[(seeds[0].slug, 1)][1], whole[("p", 1)][1]
    assert whole[(seeds[0].slug, 2)] == whole[(seeds[3].slug, 1)]
    assert whole[(seeds[1].slug, 2)] == (f"{seeds[1].slug}.2", event)
    assert whole[("c", 1)] == ("p.1", peshawar)
    assert whole[("c", 2)] == ("c.2", peshawar)
    for size in (1, 2, 3):
        assert grouped(size) == whole


# an outlet's recurring lines are its chrome, not evidence of a happening
def _outlet_pages(texts: list[str], outlet: str = "cna_latest") -> list[Item]:
    start = STORIES[0].published
    return [
        Item(f"{outlet}-{i}", f"{text}\n{CHROME}", f"Brief {i}", start + timedelta(hours=i),
             outlet=outlet)
        for i, text in enumerate(texts)
    ]  # fmt: skip


def test_an_outlets_sign_up_lines_on_every_page_do_not_gather_its_pages_into_one_event(
    monkeypatch: pytest.MonkeyPatch,
):
    pages = _outlet_pages(BRIEFS)
    found = group_items(pages)
    later = [found[p.key][1] for p in pages[3:]]  # the chrome is known from the fourth page
    assert len(set(later)) == len(later)
    assert not set(later) & {found[p.key][1] for p in pages[:3]}
    # the glue is real: with the chrome kept, the outlet's unrelated pages are one event
    monkeypatch.setattr(chrome, "CHROME_PAGES", len(pages) + 1)
    kept = group_items(pages)
    assert len({kept[p.key][1] for p in pages}) == 1


def _stored_terms(db: Path, article: str) -> set[str]:
    with duckdb.connect(str(db), read_only=True) as con:
        row = con.execute(
            "SELECT terms FROM story_events WHERE story_id = ?", [f"{article}.1"]
        ).fetchone()
    assert row is not None
    return set(json.loads(row[0]))


def test_a_line_on_only_two_earlier_pages_of_an_outlet_still_counts(tmp_path: Path):
    # a follow-up's repeated paragraph (or a wire copy carried twice) is evidence
    repeated = (
        "The blaze at the Dunmore warehouse killed four workers, fire chief Maria Kessel said."
    )
    pages = _outlet_pages([f"{brief}\n{repeated}" for brief in BRIEFS[:4]], outlet="courier")
    db = tmp_path / "repeated.duckdb"
    write_batches([pages], db, claims=False)
    assert {"dunmore", "kessel"} <= _stored_terms(db, pages[2].key)  # two pages before it
    # on the fourth page it has been on three: the outlet's chrome
    assert not {"dunmore", "kessel"} & _stored_terms(db, pages[3].key)
    assert {"striker", "sevilla"} <= _stored_terms(db, pages[3].key)  # its own report stays


def test_an_outlets_window_keeps_its_last_pages_only(tmp_path: Path):
    words = " ".join(BRIEFS).split()
    texts = [" ".join(random.Random(i).sample(words, 25)) + "." for i in range(OUTLET_PAGES + 5)]
    db = tmp_path / "window.duckdb"
    write_batches([_outlet_pages(texts)], db, claims=False)
    with duckdb.connect(str(db), read_only=True) as con:
        seqs = [r[0] for r in con.execute("SELECT seq FROM outlet_pages ORDER BY seq").fetchall()]
    assert seqs == list(range(5, OUTLET_PAGES + 5))


def test_chrome_is_told_the_same_however_an_outlets_pages_were_split_into_batches():
    pages = _outlet_pages(BRIEFS) + _outlet_pages(BRIEFS[:3], outlet="cna_business")
    pages.append(replace(pages[4], text=f"{BRIEFS[4]} Two schools reopened.\n{CHROME}"))
    pages.sort(key=lambda i: (i.when, i.key))
    whole = group_items(pages, batch_size=len(pages))
    for size in (1, 2, 3):
        assert group_items(pages, batch_size=size) == whole
