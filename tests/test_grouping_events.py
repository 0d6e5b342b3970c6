"""The bounded event profile and its scoring (extractors/events.py), as pure functions."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from extractors.events import (
    CENTROID_TERMS,
    MIN_SIMILARITY,
    PROFILE_NAMES,
    Story,
    casualties,
    event_features,
    event_places,
    join_event,
    line_prints,
    name_similarity,
    prose,
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
    profile = start_event("e", first, {"shooting": 1.0}, "")
    same = _story(1, frozenset({"miami"}), killed=1, injured=5)
    other = _story(1, frozenset({"miami"}), killed=3, injured=0)
    vector = {"shooting": 1.0}
    assert score(same, vector, profile, _idf) > score(other, vector, profile, _idf)


def test_a_story_far_from_an_events_days_scores_lower():
    profile = start_event("e", _story(0, frozenset({"goulds"})), {"word0": 1.0}, "")
    near = Story({"word0": 1}, frozenset({"goulds"}), WHEN + timedelta(days=1))
    far = Story({"word0": 1}, frozenset({"goulds"}), WHEN + timedelta(days=10))
    vector = {"word0": 1.0}
    assert score(near, vector, profile, _idf) > score(far, vector, profile, _idf)


# issue 18: one event per happening
def test_the_place_of_a_happening_is_read_from_its_headline_and_lede():
    title = "Drone strike on shopping centre in Kryvyi Rih kills 14"
    lede = "In Kyiv's Solomianskyi district, rescuers also searched rubble near Boyarka."
    assert event_places(lede, title) == frozenset({"kryvyi rih", "kyiv", "boyarka"})
    assert event_places("Shelling near Kharkiv's outskirts") == frozenset({"kharkiv"})


def test_stories_about_different_places_score_lower_than_about_the_same_place():
    vector = {"strike": 1.0, "drone": 1.0}
    kyiv = Story(
        {"strike": 1, "drone": 1}, frozenset({"ukraine"}), WHEN, places=frozenset({"kyiv"})
    )
    profile = start_event("e", kyiv, vector, "")
    other_city = Story(
        {"strike": 1, "drone": 1}, frozenset({"ukraine"}), WHEN, places=frozenset({"kryvyi rih"})
    )
    same_city = Story({"strike": 1, "drone": 1}, frozenset({"ukraine"}), WHEN, places=kyiv.places)
    assert score(other_city, vector, profile, _idf) < score(same_city, vector, profile, _idf)


def test_shared_names_without_shared_content_gather_nothing():
    profile = start_event("e", _story(0, frozenset({"cna", "crossword"})), {"word0": 1.0}, "")
    story = _story(1, frozenset({"cna", "crossword"}))
    assert score(story, {"word1": 1.0}, profile, _idf) == 0.0


def test_the_same_kind_of_happening_elsewhere_a_day_later_is_another_event():
    vector = {"strike": 1.0, "drone": 1.0}
    kyiv = Story(
        {"strike": 1, "drone": 1}, frozenset({"ukraine"}), WHEN, places=frozenset({"kyiv"})
    )
    profile = start_event("e", kyiv, vector, "")
    elsewhere_next_day = Story(
        {"strike": 1, "drone": 1},
        frozenset({"ukraine"}),
        WHEN + timedelta(days=1, hours=2),
        places=frozenset({"kryvyi rih"}),
    )
    elsewhere_same_night = replace(elsewhere_next_day, when=WHEN + timedelta(hours=3))
    same_place_next_day = replace(elsewhere_next_day, places=kyiv.places)
    assert score(elsewhere_next_day, vector, profile, _idf) == 0.0
    assert score(elsewhere_same_night, vector, profile, _idf) > 0.0  # places alone weigh less
    assert score(same_place_next_day, vector, profile, _idf) > MIN_SIMILARITY  # a follow-up


def test_an_outlets_page_chrome_does_not_describe_the_happening():
    chrome = "\nAdvertisement\nGet WhatsApp alerts\nRelated Topics\nBookmark\nShare\nTelegram"
    text = "Oil prices rose on Tuesday as supply worries grew, traders said." + chrome
    features = event_features(text)
    assert "whatsapp" not in features.names and "telegram" not in features.terms
    assert {"oil", "prices", "traders"} <= features.terms.keys()
    japanese = "東京株式市場で日経平均株価は続伸した。\n関連記事\nシェア"
    assert prose(japanese) == "東京株式市場で日経平均株価は続伸した。"


def test_lines_named_as_an_outlets_chrome_are_left_out_of_the_features():
    signup = "Sign up for our newsletters and get the Asia Morning Brief from CNA."
    text = f"Oil prices rose on Tuesday as supply worries grew, traders in Jurong said.\n{signup}"
    chrome = line_prints(f"  {signup.replace(' ', '  ')} ")  # whatever the spacing
    kept, left = event_features(text), event_features(text, chrome=chrome)
    assert {"cna", "brief"} <= kept.names and {"newsletters"} <= kept.terms.keys()
    assert not {"cna", "brief"} & left.names and "newsletters" not in left.terms
    assert {"oil", "prices", "traders"} <= left.terms.keys() and "jurong" in left.names
    assert line_prints("Related Topics\nShare") == frozenset()  # not prose: left out anyway
