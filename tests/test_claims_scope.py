"""Scope on real kinds of text (issue 18, item 4): what is not a revision of the event's figure,
and small counts that are figures. One test per class of error; every sentence was written for
these tests (none is taken from a stream or a labelled set)."""

from extractors.claims import extract_claims


def _scoped(text: str) -> set[tuple[str, int, str]]:
    return {(c.metric, c.value, c.scope) for c in extract_claims(text)}


def _figures(text: str) -> set[tuple[str, int]]:
    return {(c.metric, c.value) for c in extract_claims(text)}


def test_a_count_in_one_district_inside_the_citys_count_is_a_part():
    text = (
        "At least 15 people were killed across the capital overnight, the mayor said.\n"
        "In the Darnytskyi district alone, 7 people died when a drone hit a tower block."
    )
    assert _scoped(text) == {("killed", 15, "event"), ("killed", 7, "part")}


def test_a_count_in_one_district_given_alone_is_the_events_figure():
    text = "Seven people were killed in the Darnytskyi district of the city, officials said."
    assert _scoped(text) == {("killed", 7, "event")}


def test_a_towns_count_beside_a_larger_count_across_the_region_is_a_part():
    text = (
        "Floodwater swept away homes and killed at least 237 people in the port town of "
        "Valmora, its mayor told reporters.\n"
        "Across the northern province, 303 people have died since the dam burst, the interior "
        "ministry said."
    )
    assert _scoped(text) == {("killed", 237, "part"), ("killed", 303, "event")}


def test_a_towns_count_given_alone_is_the_events_figure():
    text = "Floodwater killed at least 237 people in the port town of Valmora, its mayor said."
    assert _scoped(text) == {("killed", 237, "event")}


def test_a_wars_running_total_is_not_the_strikes_toll():
    text = (
        "A drone hit a bus station in Ostrava Nova on Monday, killing 11 people, the regional "
        "governor said.\n"
        "More than 73,000 people have been killed since the war began, according to the "
        "ministry, which does not separate fighters from civilians."
    )
    found = _scoped(text)
    assert ("killed", 11, "event") in found
    assert ("killed", 73000, "period") in found
    assert not any(value == 73000 and scope == "event" for _, value, scope in found)


def test_a_count_since_a_month_or_a_year_ago_is_a_running_total():
    text = (
        "An air strike on a market in Tarvos killed 8 people on Sunday, medics said.\n"
        "More than 900 people have been killed in the province since last October, the "
        "health office said.\n"
        "Some 4,000 have been displaced since 2024, according to the agency."
    )
    found = _scoped(text)
    assert ("killed", 8, "event") in found
    assert ("killed", 900, "period") in found
    assert not any(value == 900 and scope == "event" for _, value, scope in found)


def test_a_count_since_a_weekday_is_still_the_events_toll():
    text = "At least 40 people have been killed since Monday's floods began, officials said."
    assert _scoped(text) == {("killed", 40, "event")}


def test_the_toll_of_a_strike_the_day_before_is_another_event():
    text = (
        "Nine people were killed in Tuesday's missile strike on the port, the governor said.\n"
        "A strike on the same port a day earlier had killed at least 7 people."
    )
    assert _scoped(text) == {("killed", 9, "event"), ("killed", 7, "other_event")}


def test_a_second_count_of_the_same_kind_that_adds_to_the_first_is_a_part():
    text = (
        "Police detained two men near the stadium on Friday evening.\n"
        "Officers later detained four others in a raid on a flat in the old town."
    )
    assert _scoped(text) == {("arrested", 2, "event"), ("arrested", 4, "part")}


def test_a_count_of_others_after_another_kind_of_count_stays_the_events():
    text = "The gunman killed one visitor and wounded 9 others at the zoo, police said."
    assert _scoped(text) == {("killed", 1, "event"), ("injured", 9, "event")}


def test_games_missed_are_not_missing_people():
    assert (
        _figures("The captain has been missing the previous three games with a knee injury.")
        == set()
    )
    assert _figures("The striker missed three matches after a red card in March.") == set()


def test_a_players_record_and_animals_are_not_people():
    assert (
        _figures("He made only two starts at second base this season because of ankle injuries.")
        == set()
    )
    assert _figures("Three lions escaped from their cages and went missing overnight.") == set()


def test_a_diseases_hospitalizations_do_not_take_the_toll_word_after_them():
    text = (
        "Health officials have counted 212 infections, 41 hospitalizations and no deaths in "
        "the outbreak so far."
    )
    assert not any(metric == "killed" for metric, _ in _figures(text))


def test_one_person_killed_is_a_toll():
    assert _figures("The crash left one teenager dead, the fire service said.") == {("killed", 1)}
    assert _figures("A driver opened fire, killing one visitor, police said.") == {("killed", 1)}


def test_one_of_those_shot_fatally_is_one_killed():
    found = _figures("Four people were shot, one man fatally, in the car park, police said.")
    assert ("killed", 1) in found
