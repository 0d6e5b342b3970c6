"""Stories (wire copies), wire credits, non-article pages and events, on texts from the sample
site's seeds, grouped through the real write path (storage.records.write_batch + Grouping)."""

from datetime import timedelta
from pathlib import Path

import duckdb
import pytest

from evals.replay import Item, group_items, write_batches
from extractors.copies import containment, shingle_hashes
from extractors.wire import detect_agency
from wirewatch.sample_site import newsroom

STORIES = newsroom.stories()
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
