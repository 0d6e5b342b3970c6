"""Stories (wire copies), wire credits and events, on texts from the sample site's seeds."""

from datetime import timedelta

import pytest

from extractors.dedup import StoryIndex, containment, fingerprint
from extractors.events import EventIndex, event_features
from extractors.wire import detect_agency
from wirewatch.sample_site import newsroom

STORIES = newsroom.stories()


def _text(story):
    return "\n".join(story.paragraphs)


def test_a_republished_copy_with_edits_is_the_same_story():
    original, frontier, courier = STORIES[0], STORIES[1], STORIES[3]
    index = StoryIndex()
    first = index.assign("ibns", fingerprint(_text(original)), "s1")
    assert index.assign("frontier", fingerprint(_text(frontier)), "s2") == first
    assert index.assign("courier", fingerprint(_text(courier)), "s3") == first


def test_a_trimmed_copy_is_caught_by_containment_not_symmetric_similarity():
    full = _text(STORIES[0])
    trimmed = "\n".join(STORIES[0].paragraphs[:7])  # about a third of the text
    a, b = fingerprint(full), fingerprint(trimmed)
    assert containment(a, b) > 0.9
    index = StoryIndex()
    index.assign("full", a, "s-full")
    assert index.assign("trimmed", b, "s-trimmed") == "s-full"


def test_different_write_ups_of_one_event_are_different_stories():
    index = StoryIndex()
    ids = {
        index.assign(s.slug, fingerprint(_text(s)), s.slug)
        for s in STORIES
        if s.outlet in ("indiablooms", "southasia-monitor", "news-digest")
    }
    assert len(ids) == 4  # seeds 000, 001, 003, 004 each their own story


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
    index = EventIndex()
    events = {index.assign(event_features(_text(s), s.title), s.slug, s.published) for s in STORIES}
    assert len(events) == 1


def test_a_different_event_of_the_same_kind_starts_its_own():
    index = EventIndex()
    for story in STORIES:
        index.assign(event_features(_text(story), story.title), "balochistan", story.published)
    other = (
        "Gunmen stormed a police station in Peshawar on Monday, killing six officers, "
        "the Khyber Pakhtunkhwa police chief said. The Tehreek-e-Taliban Pakistan "
        "claimed responsibility for the attack in Peshawar."
    )
    assert (
        index.assign(
            event_features(other, "Six police killed in Peshawar attack"),
            "peshawar",
            STORIES[0].published,
        )
        == "peshawar"
    )


def test_an_event_stays_closed_to_stories_outside_its_time_window():
    index = EventIndex()
    story = STORIES[0]
    index.assign(event_features(_text(story), story.title), "first", story.published)
    later = story.published + timedelta(days=60)
    assert index.assign(event_features(_text(story), story.title), "later", later) == "later"


def test_events_without_dates_still_group():
    index = EventIndex()
    story = STORIES[0]
    first = index.assign(event_features(_text(story)), "a")
    assert index.assign(event_features(_text(STORIES[1])), "b") == first  # no window applies
