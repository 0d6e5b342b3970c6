"""The bounded event profile and its scoring (extractors/events.py), as pure functions."""

from datetime import UTC, datetime, timedelta

from extractors.events import (
    CENTROID_TERMS,
    PROFILE_NAMES,
    Story,
    casualties,
    join_event,
    name_similarity,
    score,
    start_event,
    unit_vector,
)

WHEN = datetime(2016, 5, 1, 12, tzinfo=UTC)


def _idf(token: str) -> float:
    return 1.0


def _story(i: int, names: frozenset[str], **kw) -> Story:
    return Story({f"word{i}": 2, "shooting": 1}, names, WHEN, **kw)


def test_an_event_stays_bounded_however_many_stories_join_it():
    profile = start_event("e", _story(0, frozenset({"n0"})), {"word0": 1.0}, "")
    for i in range(1, 500):
        story = _story(i, frozenset({f"n{i}", f"m{i}"}))
        profile = join_event(profile, story, unit_vector(story.terms, _idf))
    assert profile.n_stories == 500
    assert len(profile.centroid) <= CENTROID_TERMS
    assert len(profile.names) <= PROFILE_NAMES


def test_a_huge_name_profile_earns_nothing_from_the_names_it_collected():
    small = start_event("small", _story(0, frozenset({"goulds", "miami"})), {}, "")
    huge = small
    for i in range(200):  # a snowball: 200 unrelated stories, each with its own names
        huge = join_event(huge, _story(i, frozenset({f"town{i}", f"victim{i}"})), {})
    story = _story(1, frozenset({"goulds", "miami"}))
    assert name_similarity(story, small, _idf) > 0.9
    assert name_similarity(story, huge, _idf) < 0.3


def test_the_same_casualty_figures_are_evidence_of_one_event():
    killed, injured = casualties([("killed", 1), ("injured", 5), ("arrested", 2)])
    assert (killed, injured) == (1, 5)
    first = _story(0, frozenset({"goulds"}), killed=1, injured=5)
    profile = start_event("e", first, {}, "")
    same = _story(1, frozenset({"miami"}), killed=1, injured=5)
    other = _story(1, frozenset({"miami"}), killed=3, injured=0)
    assert score(same, {}, profile, _idf) > score(other, {}, profile, _idf)


def test_a_story_far_from_an_events_days_scores_lower():
    profile = start_event("e", _story(0, frozenset({"goulds"})), {"word0": 1.0}, "")
    near = Story({"word0": 1}, frozenset({"goulds"}), WHEN + timedelta(days=1))
    far = Story({"word0": 1}, frozenset({"goulds"}), WHEN + timedelta(days=10))
    vector = {"word0": 1.0}
    assert score(near, vector, profile, _idf) > score(far, vector, profile, _idf)
