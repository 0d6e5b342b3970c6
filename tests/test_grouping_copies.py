"""Copies as the pipeline sees them: extraction keeps each page's headline as the text's first
line, outlets rewrite headlines, and a text may be republished years later."""

from datetime import UTC, datetime, timedelta

from evals.replay import Item, group_items
from extractors.copies import (
    MIN_CONTAINMENT,
    article_body,
    containment,
    headline_in_body,
    shingle_hashes,
)
from wirewatch.sample_site import newsroom

STORY = newsroom.stories()[0]
BRIEF = "\n".join(STORY.paragraphs[1:3])  # 70 words, about 67 shingles
FIRST = (
    "Separatist group says its fighters struck military, police and intelligence posts in a "
    "long day of raids on towns across the restive province"
)
SECOND = (
    "Baloch Liberation Army claims coordinated attacks across Balochistan killed more than 80 "
    "Pakistani security personnel and disrupted their movement at dozens of locations"
)


def test_a_leading_headline_line_is_not_part_of_the_body():
    assert article_body(f"{FIRST}\n{BRIEF}", FIRST) == BRIEF
    assert article_body(f"  {FIRST.upper()} \n{BRIEF}", FIRST) == BRIEF
    assert article_body(BRIEF, FIRST) == BRIEF  # no headline line: the text as it is
    assert article_body(f"{FIRST}\n{BRIEF}", "") == f"{FIRST}\n{BRIEF}"


def test_copies_under_rewritten_headlines_are_one_story_although_the_headlines_differ():
    body = "\n".join(STORY.paragraphs[1:4:2])  # 58 words: the headlines weigh a third
    with_first, with_second = f"{FIRST}\n{body}", f"{SECOND}\n{body}"
    assert containment(shingle_hashes(with_first), shingle_hashes(with_second)) < MIN_CONTAINMENT
    found = group_items([Item("a", with_first, FIRST), Item("b", with_second, SECOND)])
    assert found["a"][0] is not None
    assert found["a"][0] == found["b"][0]


def test_a_headline_is_about_its_text_when_half_its_content_words_are_in_it():
    assert headline_in_body("BLA claims attacks on Pakistani security personnel", _text())
    assert not headline_in_body("Council votes on the new library budget", _text())


def test_a_short_copy_under_an_unrelated_but_fitting_headline_is_no_wall():
    fitting = "Baloch separatists claim coordinated assaults across Balochistan"
    assert headline_in_body(fitting, BRIEF)
    found = group_items(
        [Item("a", BRIEF, "Ten hours of terror in the south-west"), Item("b", BRIEF, fitting)]
    )
    assert found["a"] == found["b"]
    assert found["a"][0] is not None  # neither is flagged recurring_text


def test_a_text_republished_two_years_later_is_still_the_same_story():
    first = datetime(2015, 1, 10, 12, tzinfo=UTC)
    found = group_items(
        [
            Item("old", _text(), STORY.title, first),
            Item("again", _text(), STORY.title, first + timedelta(days=800)),
        ]
    )
    assert found["old"][0] == found["again"][0]


def _text() -> str:
    return "\n".join(STORY.paragraphs)
