"""The claim rules by class of error (docs/claims.md). Every sentence was written for these
tests; none is taken from a labelled set."""

import time

import pytest

from extractors.claim_budget import SENTENCE_SPLIT, TEXT_OVER_BUDGET, ClaimBudget
from extractors.claims import extract_claims, read_claims


def _figures(text):
    return {(c.metric, c.subject, c.value) for c in extract_claims(text)}


# coordination: each number takes the verb of its own clause
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Nine people were killed and 40 others were injured when the bus overturned.",
            {("killed", "people", 9), ("injured", "people", 40)},
        ),
        (
            "The bombers killed 5 villagers and injured 11 at the market.",
            {("killed", "civilians", 5), ("injured", "people", 11)},
        ),
        (
            "Three soldiers died, 14 people were hurt and 6 were arrested, officials said.",
            {
                ("killed", "security_forces", 3),
                ("injured", "people", 14),
                ("arrested", "people", 6),
            },
        ),
        (
            "Six police officers and 3 civilians were killed in the ambush, 9 others were hurt.",
            {
                ("killed", "security_forces", 6),
                ("killed", "civilians", 3),
                ("injured", "people", 9),
            },
        ),
    ],
)
def test_each_coordinated_figure_takes_the_verb_of_its_own_clause(text, expected):
    assert _figures(text) == expected


# totals with breakdowns: the total, the classes, and demographic parts marked as parts
def test_a_total_with_a_breakdown_gives_the_total_the_classes_and_parts():
    claims = extract_claims(
        "The raid left 120 dead, including 40 soldiers, 12 women and 9 children."
    )
    assert [(c.metric, c.subject, c.value, c.scope) for c in claims] == [
        ("killed", "people", 120, "event"),
        ("killed", "security_forces", 40, "event"),
        ("killed", "civilians", 12, "part"),
        ("killed", "civilians", 9, "part"),
    ]


def test_a_parenthetical_breakdown_does_not_cut_the_total_from_its_verb():
    claims = extract_claims("Two guards died and 30 others (six of them students) were wounded.")
    assert [(c.metric, c.value, c.scope) for c in claims] == [
        ("killed", 2, "event"),
        ("injured", 30, "event"),
        ("injured", 6, "part"),
    ]


def test_a_breakdown_set_off_by_commas_is_part_of_the_total():
    claims = extract_claims("Officials said four people, a guard and three women, were killed.")
    assert (claims[0].metric, claims[0].value) == ("killed", 4)


# number parsing
@pytest.mark.parametrize(
    ("text", "value", "qualifier"),
    [
        ("A hundred and twenty people were injured.", 120, "exact"),
        ("Some 12 000 people were displaced and 2 dozen were injured.", 24, "exact"),
        ("Two dozen people were injured.", 24, "exact"),
        ("More than a dozen people were injured.", 12, "more_than"),
        ("About 1,300 people were injured.", 1300, "about"),
        ("A thousand people were injured.", 1000, "exact"),
        ("The agency said 1.5 million people were injured.", 1_500_000, "exact"),
        ("Between 15 and 20 people were injured.", 15, "exact"),
    ],
)
def test_numbers_are_read_in_words_digits_groups_and_dozens(text, value, qualifier):
    injured = [c for c in extract_claims(text) if c.metric == "injured"]
    assert [(c.value, c.qualifier) for c in injured] == [(value, qualifier)]


def test_a_range_keeps_both_ends():
    (claim,) = extract_claims("Police said 15 to 20 people were injured.")
    assert (claim.value, claim.value_high) == (15, 20)


# numbers that are not counts
@pytest.mark.parametrize(
    "text",
    [
        "Maria Lopez, 34, and Jon Reyes, 19, died at the scene.",
        "The shooting happened in the 1400 block of Elm Street.",
        "About 200 people were sheltering in the gym when it was hit.",
        "Officers fired 30 shots and the crowd of 500 fled.",
        "Two victims are fighting for their lives in hospital.",
        "The gunman opened fire in 3 separate shootings across the city.",
        "The two sides exchanged fire for 3 hours.",
        "Four people were released from hospital on Sunday.",
    ],
)
def test_numbers_that_are_not_counts_of_victims_give_no_claim(text):
    assert not [c for c in extract_claims(text) if c.metric in ("killed", "injured", "released")]


# metric vocabulary
@pytest.mark.parametrize(
    ("text", "metric", "value"),
    [
        ("Four men were shot dead outside the bar.", "killed", 4),
        ("Police said 7 people were shot and survived.", "injured", 7),
        ("Eleven people were hospitalized after the blast.", "injured", 11),
        ("Villagers buried 23 people on Monday.", "killed", 23),
        ("Rescuers said 14 people were still missing.", "missing", 14),
        ("The fire took the lives of two firefighters.", "killed", 2),
    ],
)
def test_the_metric_vocabulary_maps_what_the_text_says(text, metric, value):
    assert [(c.metric, c.value) for c in extract_claims(text)] == [(metric, value)]


# anaphora
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Two of them were arrested on Sunday.", ("arrested", "people", 2)),
        ("Police arrested 3 suspects after the chase.", ("arrested", "people", 3)),
        ("The blast hit the market, killing two.", ("killed", "people", 2)),
        ("One suspect was killed in the exchange.", ("killed", "people", 1)),
        ("Three of the 5 attackers also died.", ("killed", "militants", 3)),
    ],
)
def test_anaphora_counts_who_the_text_refers_to(text, expected):
    assert _figures(text) == {expected}


def test_the_doers_of_a_killing_are_not_its_victims():
    assert _figures("Three gunmen killed two guards at the gate.") == {
        ("killed", "security_forces", 2)
    }


# claimants
@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Mercy General Hospital said 8 people were being treated for wounds.", "ngo"),
        ("The county's emergency medical services said 5 people were hurt.", "ngo"),
        ("A local rights group said 30 protesters were killed.", "ngo"),
        ("The interior ministry said 12 people were killed.", "government"),
        ("Immigration officials said 40 people were detained.", "government"),
        ("Local reports said 9 people were killed.", "media"),
        ("St. Anne's Medical Center, the city's largest hospital, said 6 people died.", "ngo"),
    ],
)
def test_claimant_kinds_come_from_an_extensible_lexicon(text, kind):
    assert {c.claimant_kind for c in extract_claims(text)} == {kind}


def test_attribution_stays_within_its_paragraph():
    text = "Police said 4 people were killed.\nLater, 2 more bodies were found."
    kinds = [c.claimant_kind for c in extract_claims(text)]
    assert kinds == ["government", "unattributed"]


def test_a_glued_headline_is_its_own_sentence():
    text = "Two dead in warehouse shootingThe sheriff's office said a man was arrested."
    (claim,) = extract_claims(text)
    assert (claim.value, claim.claimant_kind) == (2, "unattributed")


def test_a_speaker_named_with_an_organisation_keeps_its_kind_by_surname():
    text = (
        "Lena Ortiz of the Regional Disaster Management Agency visited the site.\n"
        "Ortiz said 17 people had died."
    )
    assert [c.claimant_kind for c in extract_claims(text)] == ["government"]


# scope
def test_a_period_total_is_not_a_figure_of_the_event():
    (claim,) = extract_claims(
        "The minister said 700 people were killed over the past twelve months."
    )
    assert claim.scope == "period"


def test_a_figure_from_an_earlier_year_belongs_to_another_event():
    text = "Gunmen killed 6 people in 2024.\nIn the 2019 attack on the same town, 41 people died."
    assert [(c.value, c.scope) for c in extract_claims(text)] == [
        (6, "event"),
        (41, "other_event"),
    ]


# budget (issue 12, item 2)
def test_one_enormous_sentence_is_read_in_windows_and_finishes_quickly():
    text = "word " * 20_000 + "police said 12 people were killed " + "and more words " * 20_000
    started = time.perf_counter()
    reading = read_claims(text, budget=ClaimBudget(max_text_chars=2_000_000))
    assert time.perf_counter() - started < 5
    assert [(c.metric, c.value) for c in reading.claims] == [("killed", 12)]
    assert reading.reasons == (SENTENCE_SPLIT,)


def test_a_text_over_the_size_budget_is_read_up_to_it_with_a_reason():
    text = "Police said 3 people were killed. " + "x " * 600_000 + "Then 9 people died."
    reading = read_claims(text)
    assert [c.value for c in reading.claims] == [3]
    assert TEXT_OVER_BUDGET in reading.reasons


def test_one_fatally_among_the_shot_is_a_death():
    assert _figures("Six people were shot, one fatally, outside the arena.") == {
        ("injured", "people", 6),
        ("killed", "people", 1),
    }


def test_a_person_noun_the_lexicon_lacks_still_counts_people_but_weapons_do_not():
    assert _figures("Two monks who ran the shelter were found slain on Sunday.") == {
        ("killed", "people", 2)
    }
    assert _figures("Police said 2 grenades went off and 5 people were hurt.") == {
        ("injured", "people", 5)
    }


def test_a_toll_that_has_risen_keeps_its_metric_across_a_long_subject():
    text = (
        "The death toll from the collapse of an old textile factory on the edge of the port "
        "has risen to seven, the fire service said."
    )
    assert _figures(text) == {("killed", "people", 7)}
    assert _figures("The price of fuel across the islands has risen to nine dollars.") == set()
