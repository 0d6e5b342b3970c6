"""extract_claims: who claimed how many, of what, hedged how. Sentences written for these tests."""

import pytest

from extractors.claims import extract_claims


def _one(text, **expected):
    claims = extract_claims(text)
    assert len(claims) == 1, claims
    claim = claims[0]
    for name, value in expected.items():
        assert getattr(claim, name) == value, (name, claim)
    return claim


def test_reporting_verb_names_the_claimant_and_the_qualifier_is_kept():
    _one(
        "The rebels' alliance said at least 12 soldiers were killed in the ambush.",
        claimant_kind="militant_group",
        metric="killed",
        subject="security_forces",
        value=12,
        qualifier="at_least",
    )


def test_according_to_attributes_to_the_named_source():
    _one(
        "According to Reuters, more than 40 people were injured.",
        claimant="Reuters",
        claimant_kind="media",
        metric="injured",
        subject="people",
        value=40,
        qualifier="more_than",
    )


def test_a_trailing_said_attributes_what_came_before():
    _one(
        "Nine civilians were killed in the shelling, the interior ministry said.",
        claimant_kind="government",
        metric="killed",
        subject="civilians",
        value=9,
    )


def test_number_words_and_dozens():
    assert _one("Police said two dozen protesters were arrested.").value == 24
    assert _one("Officials said twenty-three miners were missing.").metric == "missing"


def test_ranges_keep_both_ends():
    claim = _one("Between 30 and 40 houses were destroyed, officials said.")
    assert (claim.value, claim.value_high, claim.subject) == (30, 40, "buildings")


def test_a_list_shares_the_verb_of_its_head():
    claims = extract_claims(
        "Officials said at least 20 people were killed, including 8 "
        "children, three women and 4 police officers."
    )
    assert [(c.value, c.subject, c.metric) for c in claims] == [
        (20, "people", "killed"),
        (8, "civilians", "killed"),
        (3, "civilians", "killed"),
        (4, "security_forces", "killed"),
    ]


def test_the_group_and_it_refer_back_to_the_last_named_group():
    text = (
        "The Free Valley Front (FVF) claimed the attack.\n"
        "It also claimed that 15 soldiers were taken hostage."
    )
    claim = _one(text, metric="captured", subject="security_forces", value=15)
    assert (claim.claimant, claim.claimant_kind) == ("Free Valley Front", "militant_group")


def test_he_refers_to_the_last_titled_person():
    text = (
        "Governor Amina Yusuf visited the hospital on Monday.\n"
        "He said 31 attackers had been killed."
    )
    # "He" resolves to the last titled person named, whatever the pronoun
    claim = _one(text, metric="killed", subject="militants", value=31)
    assert (claim.claimant, claim.claimant_kind) == ("Amina Yusuf", "government")


def test_headline_claims_count():
    _one(
        "Rebels claim over 80 soldiers killed in coordinated raids",
        value=80,
        qualifier="more_than",
        subject="security_forces",
    )


@pytest.mark.parametrize(
    "text",
    [
        "A 15-year-old boy was among the injured, police said.",
        "The fighting lasted ten hours, officials said.",
        "The province received $500 million in aid after 2,000 homes were lost.",
        "The attack happened on January 31, 2026, police said.",
        "Unemployment rose 26 % last year, the ministry said.",
        "Call 1800 555 0100 if you saw the attack.",
        "Dozens more were injured, officials said.",
        "Section 144 was imposed after the clashes, police said.",
        "John Smith, 32, was arrested on Monday, police said.",
    ],
)
def test_numbers_that_are_not_counts_are_not_claims(text):
    assert [
        (c.value, c.metric)
        for c in extract_claims(text)
        if c.value in (15, 10, 500, 31, 2026, 26, 1800, 144, 32)
    ] == []


def test_figures_without_a_thing_counted_or_a_verb_are_skipped():
    assert extract_claims("The 40 delegates met in Geneva on Tuesday.") == []


def test_vehicles_are_destroyed_not_killed():
    claims = extract_claims(
        "The militants said they set fire to more than 23 trucks and killed 5 drivers."
    )
    assert [(c.value, c.subject, c.metric) for c in claims] == [
        (23, "vehicles", "destroyed"),
        (5, "civilians", "killed"),
    ]


def test_offsets_point_at_the_figure():
    text = "Officials said more than 30 people were killed."
    claim = _one(text)
    assert text[claim.start : claim.end] == "more than 30"
    assert claim.sentence == text


def test_unattributed_figures_say_so():
    _one(
        "At least 70 people were injured in cities across the country.",
        claimant="",
        claimant_kind="unattributed",
        qualifier="at_least",
    )
