"""Attributed figures in news text: who claimed how many were killed, injured, captured...

    extract_claims(text) -> list[Claim]

Rules, not a model (none can be downloaded here); the vocabulary is in `claim_vocab.py`, who
said a figure is worked out in `attribution.py`, and the rules are written down in
docs/claims.md. Sentences with no number are only read for who is
who (acronyms, titled people, the last group named); the others are tokenized with spaCy's
blank English tokenizer and matched with its PhraseMatcher.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cache
from typing import NamedTuple

import spacy
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from extractors import claim_vocab as vocab
from extractors.attribution import (
    Cue,
    Memory,
    attribute,
    claimant_key,
    find_cues,
    learn_document,
    remember_sentence,
)
from extractors.claim_budget import (
    SENTENCE_SPLIT,
    TEXT_OVER_BUDGET,
    TIME_OVER_BUDGET,
    ClaimBudget,
    windows,
)
from extractors.clauses import (
    adds_to_earlier,
    continues_parts,
    figure_scope,
    forward_metric,
    in_named_place,
    in_period,
    in_place_part,
    is_aside,
    is_other_event,
    is_part,
    is_verb_form,
    object_metric,
    over_whole_area,
    refers_back,
)
from extractors.numbers import parse_number

EXTRACTOR_VERSION = "claims-2"

_NUMBER_HINT = re.compile(
    r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|"
    r"fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|"
    r"seventy|eighty|ninety|hundred|thousand|million|dozen)\b",
    re.IGNORECASE,
)
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
_GLUED = re.compile(r"(?=[A-Z])(?<=[a-z]{3})(?=[A-Z][a-z]|A\s[a-z])|\s+\|\s+")
_CAPS_HINT = re.compile(r"[A-Z]{2}[\s,:]+[A-Z0-9]{2}")
_CAPS_HEADLINE = re.compile(r"\b[A-Z]{2,}(?:[\s,:]+[A-Z0-9]{2,}){2,}[.!]?(\s+)(?=[A-Z][a-z])")
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’)\]]*\s+(?=[\"“‘(\[]?[A-Z0-9])")


@dataclass(frozen=True, slots=True)
class Claim:
    claimant: str
    claimant_kind: str  # militant_group | government | media | ngo | unattributed | other
    metric: str
    subject: str
    value: int
    value_high: int
    qualifier: str  # exact | at_least | more_than | about | up_to
    sentence: str
    start: int  # character offsets of the figure (qualifier included) in the text
    end: int
    claimant_key: str = ""  # groups spellings: the acronym if the text defines one
    scope: str = "event"  # event | part | period | other_event (docs/claims.md, "Scope")

    def as_json(self) -> dict[str, object]:
        """The stable fields of `wirewatch claims` output."""
        return {
            name: getattr(self, name)
            for name in (
                "claimant",
                "claimant_kind",
                "metric",
                "subject",
                "value",
                "value_high",
                "qualifier",
                "sentence",
                "start",
                "end",
                "scope",
            )
        }


@dataclass(frozen=True, slots=True)
class _Mention:
    start: int  # token indexes
    end: int
    value: int
    value_high: int
    qualifier: str


@cache
def _nlp() -> tuple[spacy.language.Language, PhraseMatcher, PhraseMatcher]:
    nlp = spacy.blank("en")
    qualifiers = PhraseMatcher(nlp.vocab, attr="LOWER")
    for phrase, qualifier in vocab.QUALIFIERS.items():
        qualifiers.add(qualifier, [nlp.make_doc(" ".join(phrase))])
    metrics = PhraseMatcher(nlp.vocab, attr="LOWER")
    for phrase, metric in vocab.METRIC_PHRASES.items():
        metrics.add(metric, [nlp.make_doc(" ".join(phrase))])
    metrics.add("according_to", [nlp.make_doc("according to"), nlp.make_doc("per the")])
    return nlp, qualifiers, metrics


def _sentence_ends(line: str) -> list[tuple[int, int]]:
    """(start, end) of each gap between sentences: full stops, and the seams of a headline
    glued to its body ("...arrestedPolice said", "HEADLINE IN CAPITALS The body", "Title |")."""
    found = [m.span() for m in _SENTENCE_END.finditer(line)]
    found += [m.span() for m in _GLUED.finditer(line)]
    if _CAPS_HINT.search(line):
        found += [m.span(1) for m in _CAPS_HEADLINE.finditer(line)]
    return sorted(found)


def split_sentences(text: str) -> list[tuple[int, int, int]]:
    """(start, end, paragraph) of each sentence; a line is a paragraph (headlines included)."""
    found, offset = [], 0
    for paragraph, line in enumerate(text.split("\n")):
        start = offset
        for gap_start, gap_end in _sentence_ends(line):
            if offset + gap_start <= start:
                continue
            before = line[start - offset : gap_start].rsplit(None, 1)[-1:] or [""]
            if before[0].rstrip(".") in vocab.ABBREVIATIONS:
                continue
            found.append((start, offset + gap_start, paragraph))
            start = offset + gap_end
        if line[start - offset :].strip():
            found.append((start, offset + len(line), paragraph))
        offset += len(line) + 1
    return found


def _is_label_or_unit(words: list[str], start: int, end: int, value: int) -> bool:
    """Numbers that are not counts: money, dates, ages, durations, labels, years, references."""
    before = words[start - 1] if start > 0 else ""
    after = words[end] if end < len(words) else ""
    after2 = words[end + 1] if end + 1 < len(words) else ""
    if before in vocab.CURRENCY or before in vocab.MONTHS or before in vocab.LABEL_NOUNS:
        return True
    if before in ("[", "#", "/") or after in ("]", "/", ":", "%") or after in vocab.MONTHS:
        return True
    if before == "-" and start > 1 and words[start - 2].isdigit():
        return True  # "2026-02-01", codes
    if (
        before == ","
        and start > 2
        and words[start - 2].isdigit()
        and words[start - 3] in (vocab.MONTHS)
    ):
        return True  # "September 11, 2001"
    if after in vocab.UNIT_NOUNS or (after in ("-", "‑", "–") and after2 in vocab.UNIT_NOUNS):
        return True
    if after in vocab.EVENT_NOUNS or (
        after not in vocab.SUBJECT_HEADS and after2 in vocab.EVENT_NOUNS
    ):
        return True  # "3 separate shootings": happenings, not people
    if after in ("-", "‑", "–") and after2.isdigit() and before in vocab.MONTHS:
        return True
    is_year = 1900 <= value <= 2100 and len(words[start]) == 4
    return is_year and after not in vocab.SUBJECT_HEADS


def _is_age(doc: Doc, start: int, end: int) -> bool:
    """ "Sherrod White, 27,", "Ana Ruiz, 13, and Tom Ruiz, 15, died": a name's age."""
    if start < 2 or doc[start - 1].text != "," or not doc[start - 2].text[:1].isupper():
        return False
    return end >= len(doc) or doc[end].text in (",", ")", "and", ".")


def _mentions(
    doc: Doc, words: list[str], qualifier_spans: dict[int, tuple[int, str]]
) -> list[_Mention]:
    mentions: list[_Mention] = []
    i = 0
    while i < len(words):
        parsed = parse_number(words, i) if (doc[i].like_num or words[i] == "a") else None
        if parsed is None or (mentions and i < mentions[-1].end):
            i += 1
            continue
        value, end = parsed
        high = value
        sep = words[end] if end < len(words) else ""
        between = i > 0 and words[i - 1] == "between"
        if (sep in ("to", "-", "–", "‑", "or") or (between and sep == "and")) and end + 1 < len(
            words
        ):
            second = parse_number(words, end + 1)
            if second and second[0] > value:
                high, end = second[0], second[1]
        if value > 10_000_000 or _is_label_or_unit(words, i, end, value) or _is_age(doc, i, end):
            i = end
            continue
        head = end + (end < len(words) and words[end] in ("more", "other", "additional"))
        counted = head < len(words) and (
            words[head] in vocab.SUBJECT_HEADS or words[head] == "fatally"
        )
        if words[i] == "one" and not counted:
            i = end  # "one of the ...", "one day": rarely a count
            continue
        first, qualifier = qualifier_spans.get(i, (i, "exact"))
        if first > 0 and words[first - 1] == "between" and high > value:
            first, qualifier = first - 1, "exact"
        mentions.append(_Mention(first, end, value, high, qualifier))
        i = end
    return mentions


def _subject(words: list[str], mention: _Mention) -> str:
    """The kind of thing counted: the head noun after the figure, its modifiers, or a toll."""
    modifiers: set[str] = set()
    found = ""
    i = mention.end
    while i < min(len(words), mention.end + 8):
        word = words[i]
        ahead = words[i + 1 : i + 3]
        participle = word in vocab.METRIC_WORDS and not word.endswith("s")
        if participle and any(w in vocab.SUBJECT_HEADS for w in ahead):
            i += 1  # "145 killed terrorists": the participle is not the head
            continue
        compound = (
            ahead[:1]
            and ahead[0] in vocab.SUBJECT_HEADS
            and (ahead[0] not in vocab.METRIC_WORDS or ahead[0].endswith("s"))
        )
        adjectival = word in vocab.SUBJECT_MODIFIERS or not word.endswith("s")
        if word in vocab.SUBJECT_HEADS and compound and adjectival:
            modifiers.add(word)  # a compound: "insurgent attacks", "civilian deaths"
            i += 1
            continue
        if word in vocab.SUBJECT_HEADS and not (
            word == "security" and i + 1 < len(words) and words[i + 1] in vocab.SUBJECT_HEADS
        ):
            found = vocab.SUBJECT_HEADS[word]
            soft = word in vocab.SOFT_HEADS
            if soft and i + 2 < len(words) and words[i + 1] == "of":
                i += 2  # "members of Pakistan's security forces": look further
                modifiers.add(word)
                continue
            if word == "officials" and not (modifiers & vocab.SECURITY_MODIFIERS):
                return "people"
            break
        if word in vocab.SUBJECT_STOPS or (word == "of" and i > mention.end):
            break  # "six counts of assault of a child" counts counts, not children
        modifiers.add(word)
        i += 1
    if found in ("people", "civilians") and modifiers & vocab.SECURITY_MODIFIERS:
        return "security_forces"
    named = [vocab.SUBJECT_MODIFIERS[w] for w in modifiers if w in vocab.SUBJECT_MODIFIERS]
    if found == "people" and named:
        return named[0]
    if found == "security_forces" and modifiers & {"medical", "rescue", "health", "hospital"}:
        return "people"
    if found:
        return found
    for word in modifiers:
        if word in vocab.SUBJECT_MODIFIERS:
            return vocab.SUBJECT_MODIFIERS[word]
    before = words[max(0, mention.start - 6) : mention.start]
    if "toll" in before:
        return "people"
    i = mention.end
    while i < len(words) and i < mention.end + 3 and words[i] in vocab.AUXILIARIES:
        i += 1
    follows = (
        words[mention.end : i + 1] if i > mention.end else words[mention.end : mention.end + 2]
    )
    return "?" if any(w in vocab.METRIC_WORDS for w in follows) else ""


_METRIC_REACH = 20  # tokens: a safety cap; clauses usually end sooner


def _fits(metric: str, subject: str, word: str = "") -> bool:
    if subject in vocab.THINGS:
        return metric in vocab.THING_METRICS and word not in vocab.PERSON_ONLY_CUES
    return metric not in ("destroyed", "attacked")  # attacks on people are told by outcome


def _metric_at(words: list[str], i: int, phrases: dict[int, tuple[int, str]]) -> str:
    if i in phrases and phrases[i][1] != "according_to":
        return phrases[i][1]
    return vocab.METRIC_WORDS.get(words[i], "")


def _coordinated(words: list[str], mention: _Mention, following: _Mention | None) -> bool:
    """ "31 civilian and 17 security deaths": the two figures share what follows them."""
    if following is None:
        return False
    gap = words[mention.end : following.start]
    words_ok = ("and", "or", ",")
    return (
        0 < len(gap) <= 4
        and gap[-1] in words_ok
        and all(
            w in words_ok or w in vocab.SUBJECT_MODIFIERS or w in vocab.SUBJECT_HEADS for w in gap
        )
    )


def _metric(
    words: list[str],
    mention: _Mention,
    subject: str,
    left: int,
    right: int,
    phrases: dict[int, tuple[int, str]],
) -> str:
    """The nearest fitting metric cue between the previous and the next figure."""
    after = (i for i in range(mention.end, min(right, mention.end + _METRIC_REACH)))
    before = (i for i in range(mention.start - 1, max(left, mention.start - _METRIC_REACH) - 1, -1))
    best, best_distance = "", len(words) + 1
    for positions, base in ((after, mention.end - 1), (before, mention.start)):
        for i in positions:
            if words[i] in vocab.CLAUSE_STARTS:
                break  # the verb of a figure is in its own clause
            metric = _metric_at(words, i, phrases)
            if metric and _fits(metric, subject, words[i]):
                if abs(i - base) < best_distance:
                    best, best_distance = metric, abs(i - base)
                break
    return best


def _spans(matcher: PhraseMatcher, doc: Doc, by_end: bool) -> dict[int, tuple[int, str]]:
    vocab_strings = doc.vocab.strings
    found: dict[int, tuple[int, str]] = {}
    for match_id, start, end in matcher(doc):
        key = end if by_end else start
        found[key] = (start if by_end else end, vocab_strings[match_id])
    return found


@dataclass(slots=True)
class _ListState:
    """What the figures read so far in a sentence leave for the next one."""

    metric: str = ""  # the last metric found
    subject: str = ""
    total_metric: str = ""  # the metric of the last figure that was not a part
    total_subject: str = ""
    part: bool = False  # the last figure was a part of a total
    skip: set[int] = field(default_factory=set)


def _read_figure(
    tokens: list[str],
    words: list[str],
    mentions: list[_Mention],
    n: int,
    phrases: dict[int, tuple[int, str]],
    state: _ListState,
) -> tuple[str, str, bool] | None:
    """(metric, subject, is a part) of figure n, or None when it is not a claim."""
    mention = mentions[n]
    following = mentions[n + 1] if n + 1 < len(mentions) else None
    subject = _figure_subject(tokens, words, mentions, n, state)
    part = n > 0 and (
        is_part(words, mention.start)
        or is_aside(words, mentions[n - 1].end, mention.start)
        or (state.part and continues_parts(words, mentions[n - 1].end, mention.start))
    )

    def metric_at(i: int, subject: str = subject or "people") -> str:
        metric = _metric_at(words, i, phrases)
        return metric if metric and _fits(metric, subject, words[i]) else ""

    if mention.start > 0 and words[mention.start - 1] == "by":
        return None  # "killed by 2 gunmen": the doers
    if words[mention.end : mention.end + 1] == ["fatally"]:
        return "killed", state.subject or "people", part  # "five people were shot, one fatally"
    if words[mention.end + 1 : mention.end + 2] == ["fatally"] and subject:
        return "killed", subject, part  # "four people were shot, one man fatally"
    metric = object_metric(
        words,
        mention.start,
        lambda i: (
            metric_at(i)
            if i in phrases
            or is_verb_form(words[i])
            or subject in vocab.THINGS
            or words[i + 1] == "of"  # "the deaths of at least four"
            else ""
        ),
    )
    if metric and not subject:
        subject = "people"  # "killing 4", "injuring two"
    if not subject:
        return None
    if not metric and part and state.total_metric:
        metric = state.total_metric
    if not metric:
        metric = _later_metric(words, mentions, n, following, metric_at, state.skip)
    if metric == "agent":
        return None
    if not metric and subject in vocab.THINGS:  # "attacked a station as well as three banks"
        metric = _metric(words, mention, subject, mentions[n - 1].end if n else 0, 0, phrases)
    if not metric and state.metric and _fits(state.metric, subject):
        metric = state.metric  # a list: "33 killed, including 18 civilians, five women"
    state.metric, state.subject, state.part = metric or state.metric, subject, part
    if not part:
        state.total_metric, state.total_subject = metric, subject
    if not metric or metric == "none":
        return None
    if metric == "arrested" and subject == "civilians":
        subject = "people"  # arrested men, teens, protesters: people
    return metric, subject, part


def _later_metric(
    words: list[str],
    mentions: list[_Mention],
    n: int,
    following: _Mention | None,
    metric_at: Callable[[int], str],
    skip: set[int],
) -> str:
    """The verb after the figure, up to the next figure that is not a part of it."""
    mention = mentions[n]
    later = [
        m
        for k, m in enumerate(mentions[n + 1 :], start=n + 1)
        if k not in skip
        if not (is_part(words, m.start) or is_aside(words, mention.end, m.start))
        and not (
            words[m.start - 1] in ("in", "across")
            and words[m.end : m.end + 1]
            and words[m.end] in vocab.PLACE_HEADS
        )
    ]
    right = later[0].start if later else len(words)
    if _coordinated(words, mention, following):
        right = later[1].start if len(later) > 1 else len(words)
    metric, agent = forward_metric(
        words, mention.end, right, metric_at, lambda metric, i: bool(metric)
    )
    return "agent" if agent else metric


def _figure_subject(
    tokens: list[str], words: list[str], mentions: list[_Mention], n: int, state: _ListState
) -> str:
    mention = mentions[n]
    following = mentions[n + 1] if n + 1 < len(mentions) else None
    if refers_back(words, mention.end):
        return state.subject or "people"  # "two of them were arrested"
    between = words[mention.end : following.start] if following else []
    if following and between in (["of", "the"], ["of"], ["out", "of", "the"], ["out", "of"]):
        state.skip.add(n + 1)  # "three of the 4 attackers": the 4 were present, not counted
        return _subject(words, following)
    subject = _subject(words, mention)
    if subject == "?":  # "with dozens injured and 18 taken captive": the list's subject
        return state.subject or "people"
    if not subject and n > 0 and words[mention.start - 1] in vocab.REPORTING_VERBS:
        return state.subject  # "..., other sources claiming 50"
    after = tokens[mention.end] if mention.end < len(tokens) else ""
    then = words[mention.end + 1] if mention.end + 1 < len(words) else ""
    grouped = after.endswith("s") or then in vocab.METRIC_WORDS or then in ("were", "and")
    if not subject and after.istitle() and grouped and after.lower() not in vocab.NOT_GROUPS:
        return "civilians"  # "40 Palestinians", "130 Fulani": people of a named group
    if not subject and _unknown_plural(after):
        return "people"  # "two nuns ... were found slain": a noun the lexicon lacks
    return subject


def _unknown_plural(word: str) -> bool:
    return (
        word.isalpha()
        and word.islower()
        and word.endswith("s")
        and not word.endswith("ss")
        and len(word) > 3
        and word not in vocab.UNIT_NOUNS
        and word not in vocab.EVENT_NOUNS
        and word not in vocab.SUBJECT_STOPS
        and word not in vocab.NOT_PEOPLE
        and not word.endswith(vocab.NOT_PEOPLE_SUFFIXES)
    )


class _Hint(NamedTuple):
    """What a figure's sentence says about its scope beside the text's other figures."""

    place_part: bool  # in one place inside a larger area ("in the X district alone")
    adds: bool  # adds to an earlier count ("4 more were detained")
    whole_area: bool  # over a whole area ("across eastern Libya", "in all")
    in_place: bool  # in a named place ("in the coastal city of Derna")


def _sentence_claims(
    text: str, start: int, memory: Memory, carry: Cue | None, latest_year: int = 0
) -> tuple[list[Claim], Cue | None, list[_Hint]]:
    nlp, qualifier_matcher, phrase_matcher = _nlp()
    doc = nlp.make_doc(text)
    tokens = [t.text for t in doc]
    words = [t.lower() for t in tokens]
    qualifiers = _spans(qualifier_matcher, doc, by_end=True)
    phrases = _spans(phrase_matcher, doc, by_end=False)
    cues = find_cues(tokens, words, phrases, memory)
    mentions = _mentions(doc, words, qualifiers)
    claims: list[Claim] = []
    hints: list[_Hint] = []
    place_part, whole_area = in_place_part(words), over_whole_area(words)
    in_place = in_named_place(tokens)
    state = _ListState()
    for n, mention in enumerate(mentions):
        if n in state.skip:
            continue
        read = _read_figure(tokens, words, mentions, n, phrases, state)
        if read is None:
            continue
        metric, subject, part = read
        same_class = part and subject == state.total_subject and subject != "people"
        cue = attribute(cues, mention.start, mention.end, carry, words)
        first, last = doc[mention.start], doc[mention.end - 1]
        demographic = same_class or bool(
            vocab.DEMOGRAPHIC_HEADS & set(words[mention.end : mention.end + 3])
        )
        scope = figure_scope(
            demographic,
            part,
            in_period(words, mention.start, mention.end),
            is_other_event(words, latest_year),
        )
        claims.append(
            Claim(
                claimant=cue.claimant if cue else "",
                claimant_kind=cue.kind if cue else "unattributed",
                metric=metric,
                subject=subject,
                value=mention.value,
                value_high=mention.value_high,
                qualifier=mention.qualifier,
                sentence=text,
                claimant_key=claimant_key(cue.claimant, memory) if cue else "",
                start=start + first.idx,
                end=start + last.idx + len(last.text),
                scope=scope,
            )
        )
        adds = adds_to_earlier(words, mention.start, mention.end)
        hints.append(_Hint(place_part, adds, whole_area, in_place))
    with_claimant = [cue for cue in cues if cue.claimant]
    return claims, (with_claimant[-1] if with_claimant else None), hints  # cue carried on


@dataclass(frozen=True, slots=True)
class ClaimReading:
    claims: tuple[Claim, ...]
    reasons: tuple[str, ...] = ()  # what the budget cut short (extractors/claim_budget.py)


def extract_claims(text: str, context: str = "") -> list[Claim]:
    """All attributed figures in `text` (plain text; one paragraph or headline per line).

    `context` (a headline, say) is read only to learn names, such as what an acronym means.
    Read within the default budget (see `read_claims`)."""
    return list(read_claims(text, context).claims)


_BUDGET = ClaimBudget()


def read_claims(text: str, context: str = "", budget: ClaimBudget = _BUDGET) -> ClaimReading:
    """`extract_claims` with the reasons why some of the text was not read, if any."""
    reasons: list[str] = []
    if len(text) > budget.max_text_chars:
        text, reasons = text[: budget.max_text_chars], [TEXT_OVER_BUDGET]
    memory, claims, hints = (
        learn_document(f"{context[:1000]}\n{text}"),
        list[Claim](),
        list[_Hint](),
    )
    latest_year = max((int(y) for y in _YEAR.findall(text)), default=0)
    carry: Cue | None = None
    paragraph_seen = -1
    deadline = time.monotonic() + budget.max_seconds
    for sentence_start, sentence_end, paragraph in split_sentences(text):
        if (
            sentence_end - sentence_start > budget.max_sentence_chars
            and SENTENCE_SPLIT not in reasons
        ):
            reasons.append(SENTENCE_SPLIT)
        for start, end, _ in windows(
            text, sentence_start, sentence_end, paragraph, budget.max_sentence_chars
        ):
            if time.monotonic() > deadline:
                reasons.append(TIME_OVER_BUDGET)
                return ClaimReading(_scope_in_text(claims, hints), tuple(reasons))
            if paragraph != paragraph_seen:
                carry, paragraph_seen = None, paragraph
            sentence = text[start:end]
            remember_sentence(sentence, memory)
            if not _NUMBER_HINT.search(sentence):
                continue
            found, carry, found_hints = _sentence_claims(
                sentence, start, memory, carry, latest_year
            )
            claims.extend(found)
            hints.extend(found_hints)
    return ClaimReading(_scope_in_text(claims, hints), tuple(reasons))


def _scope_in_text(claims: list[Claim], hints: list[_Hint]) -> tuple[Claim, ...]:
    """Scope that needs the whole text: a count in one place inside a larger area where the
    text also gives a larger count of the kind ("15 killed in the capital ... 7 in the
    Podilskyi district alone"), and a count that adds to an earlier one ("police detained 2 ...
    4 more"), are parts of the event's figure, not the figure (issue 18: no false revisions).
    So is a count in a named place where the text gives a larger one of the kind over a whole
    area ("237 dead in Derna ... 303 across eastern Libya": the whole is the event's figure)."""
    scoped = []
    for n, (claim, hint) in enumerate(zip(claims, hints, strict=True)):
        same = [
            (c, h)
            for c, h in zip(claims, hints, strict=True)
            if c is not claim and c.metric == claim.metric and c.scope == "event"
        ]
        larger = hint.place_part and any(c.value > claim.value for c, _ in same)
        inside = (
            hint.in_place
            and not hint.whole_area
            and any(h.whole_area and c.value > claim.value for c, h in same)
        )
        earlier = hint.adds and any(c.metric == claim.metric for c in claims[:n])
        if claim.scope == "event" and (larger or inside or earlier):
            claim = replace(claim, scope="part")
        scoped.append(claim)
    return tuple(scoped)
