"""Which verb a figure takes, whether it is a part of another figure, and its scope.

The rules of docs/claims.md "Metric" and "Scope", over lower-cased tokens of one sentence:

    object_metric(words, start, ...)   "killing 4", "took the lives of two": the verb before
    forward_metric(words, end, ...)     "40 others were injured": the verb after, in its clause
    is_part(words, start, previous)     "including 18 civilians", "(four of them children)"
    figure_scope(words, start, end, ...)   event | part | period | other_event
"""

from __future__ import annotations

from collections.abc import Callable

from extractors import claim_vocab as vocab
from extractors.numbers import parse_number

MetricAt = Callable[[int], str]

_OBJECT_REACH = 4  # tokens between a verb and its object figure ("killed at least 12")
_OBJECT_STOPS = frozenset(", ; . ( ) and or but while – — : by in at on during within into".split())
_PART_OPENERS = (("including",), ("among", "them"), ("among", "whom"), ("of", "whom"), ("(",))
_AGENT_OBJECTS = frozenset("a an the his her their its him them himself herself one".split())
_PASSIVE = frozenset("was were been being be is are got get gets".split())
_OF_ANAPHORA = frozenset("them those these whom which".split())
_TOLL_REACH = 10  # tokens back from a figure to "toll" ("the death toll from the quake to 267")
_TOLL_REACH_RISEN = 20  # after "risen to": the toll's own long subject comes between
_RISEN = frozenset("risen rose rises climbed climbs jumped jumps increased increases grown".split())


def object_metric(words: list[str], start: int, metric_at: MetricAt) -> str:
    """The metric of a verb that takes the figure as its object, in the few words before it."""
    for i in range(start - 1, max(-1, start - 1 - _OBJECT_REACH), -1):
        if words[i] in _OBJECT_STOPS or words[i][:1].isdigit():
            return ""
        metric = metric_at(i)
        if metric:
            return metric
    reach = _TOLL_REACH_RISEN if _after_risen_to(words, start) else _TOLL_REACH
    for i in range(start - 1, max(-1, start - 1 - reach), -1):
        if words[i] in (",", ";", ".", "and"):
            break
        if words[i] == "toll":
            return "killed"  # "raised the death toll from the quake to 267"
    return ""


def _after_risen_to(words: list[str], start: int) -> bool:
    """ "... has risen to five", "... climbed to 12": a toll's subject may be a long phrase
    ("the death toll from the collapse of a building in the southern city has risen to five")."""
    return start >= 2 and words[start - 1] == "to" and words[start - 2] in _RISEN


def is_verb_form(word: str) -> bool:
    """ "killed", "injuring", "shot": a verb can take a figure as its object; a noun
    ("hostages", "deaths") before a figure does not."""
    return word.endswith(("ed", "ing")) or word in ("shot", "hurt", "kill", "kills", "slain")


def is_agent_cue(words: list[str], i: int) -> bool:
    """ "three gunmen killed two people": a verb with an object of its own after it, not
    passive, makes the figure before it the doer, not the victims."""
    word = words[i]
    if not (word.endswith(("ed", "ing")) or word in ("shot", "hurt", "kill", "kills")):
        return False
    if i > 0 and words[i - 1] in _PASSIVE:
        return False
    following = words[i + 1] if i + 1 < len(words) else ""
    return following in _AGENT_OBJECTS or (
        bool(following) and parse_number(words, i + 1) is not None
    )


def forward_metric(
    words: list[str], end: int, right: int, metric_at: MetricAt, fits: Callable[[str, int], bool]
) -> tuple[str, bool]:
    """(metric, agent) of the first fitting cue after the figure, skipping (...) asides;
    `agent` is true when the figure is the doer of that verb."""
    depth = 0
    for i in range(end, min(right, end + 20)):
        word = words[i]
        depth += (word == "(") - (word == ")")
        if depth > 0 or word in ("(", ")"):
            continue
        if word in vocab.CLAUSE_STARTS or word == ";":
            break
        metric = metric_at(i)
        if metric and fits(metric, i):
            return metric, is_agent_cue(words, i)
    return "", False


def is_part(words: list[str], start: int) -> bool:
    """A figure that opens a breakdown of the one before: "including 18", "(four of them"."""
    before = tuple(words[max(0, start - 2) : start])
    return any(before[-len(p) :] == p for p in _PART_OPENERS)


def is_aside(words: list[str], previous_end: int, start: int) -> bool:
    """ "three people, a man and two women, were killed": a breakdown set off by commas."""
    gap = words[previous_end:start]
    after = words[start : start + 4]
    return (
        "," in gap
        and len(gap) <= 6
        and "," in after
        and not any(w in vocab.METRIC_WORDS for w in gap)
    )


def continues_parts(words: list[str], previous_end: int, start: int) -> bool:
    """ "including 18 civilians, five women and three children": the list goes on."""
    gap = words[previous_end:start]
    return 0 < len(gap) <= 4 and gap[-1] in (",", "and") and not ({".", ";", "("} & set(gap))


def refers_back(words: list[str], end: int) -> bool:
    """ "two of them were arrested": a count of people named before."""
    return end + 1 < len(words) and words[end] == "of" and words[end + 1] in _OF_ANAPHORA


def in_period(words: list[str], start: int, end: int) -> bool:
    """A figure counted over a period, not one event: "this year", "over the past 12 months"."""
    window = " ".join(words[max(0, start - 12) : end + 14])
    return any(cue in window for cue in vocab.PERIOD_CUES) or bool(vocab.SINCE_YEAR.search(window))


def is_other_event(words: list[str], latest_year: int) -> bool:
    """A sentence about an earlier year than the text's latest, or a cited earlier attack."""
    years = [int(w) for w in words if len(w) == 4 and w.isdigit() and 1900 <= int(w) <= 2100]
    text = " ".join(words)
    if any(cue in text for cue in vocab.OTHER_EVENT_CUES):
        return True
    return bool(years) and max(years) < latest_year


def figure_scope(demographic: bool, part: bool, period: bool, other_event: bool) -> str:
    if other_event:
        return "other_event"
    if period:
        return "period"
    return "part" if part and demographic else "event"


def in_place_part(words: list[str]) -> bool:
    """A sentence that counts in one place inside a larger area: "in the Podilskyi district
    alone", "in one town"; the text's larger figure of the same kind is the event's."""
    text = " ".join(words)
    if any(cue in text for cue in vocab.PLACE_PART_CUES):
        return True
    return any(
        w in vocab.PLACE_PART_HEADS and "in" in words[max(0, i - 3) : i]
        for i, w in enumerate(words)
    )


def over_whole_area(words: list[str]) -> bool:
    """A sentence that counts over a whole area: "across eastern Libya", "in all", "nationwide"."""
    text = f" {' '.join(words)} "
    return any(f" {cue} " in text for cue in vocab.WHOLE_AREA_CUES)


def in_named_place(tokens: list[str]) -> bool:
    """A sentence that places its count in a named place: "in Derna", "in the coastal city of
    Derna" (a capitalized word within a few words after "in")."""
    for i, token in enumerate(tokens):
        if token.lower() != "in":
            continue
        for word in tokens[i + 1 : i + 6]:
            if word[:1].isupper():
                return True
            if word in (",", ".", ";", "and"):
                break
    return False


def adds_to_earlier(words: list[str], start: int, end: int) -> bool:
    """ "4 more people", "four others", "another 3": a count that adds to one told before."""
    after = words[end] if end < len(words) else ""
    return after in vocab.ADDITIONAL_AFTER or (start > 0 and words[start - 1] == "another")
