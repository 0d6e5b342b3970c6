"""Who said it: the speaker of a figure, resolved to a readable name and a kind.

    learn_document(text) -> Memory        acronyms, before reading sentence by sentence
    remember_sentence(sentence, memory)   titled people, the last group named
    find_cues(tokens, words, phrases, memory) -> [Cue]   reporting verbs, "according to X"
    attribute(cues, start, end, carry) -> Cue | None     the cue that speaks for one figure

The rules are in docs/claims.md ("Claimant" and "Kind"); the words in `claim_vocab.py`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from itertools import pairwise

from extractors import claim_vocab as vocab

_ACRONYM = re.compile(r"((?:[A-Z][\w’'-]*\s+){1,6}?(?:[A-Z][\w’'-]*))\s*\(([A-Z]{2,6})\)")


_TITLED = re.compile(
    r"\b((?:[A-Z][\w’'-]+\s+){0,3}?(?:Chief Minister|Prime Minister|Minister|President|"
    r"Governor|Commissioner|General|Senator|Mayor|Secretary|[Ss]pokesperson|[Ss]pokesman|"
    r"[Ss]pokeswoman|Chief|Inspector General|Sheriff|Colonel|Major))\s+"
    r"((?:[A-Z][\w’'-]+)(?:\s+[A-Z][\w’'-]+){0,2})"
)


_LEADING = re.compile(r"^(?:the|a|an|its|their|his|her)\s+", re.IGNORECASE)


def claimant_key(claimant: str, memory: Memory) -> str:
    for short, long_name in memory.acronyms.items():
        if claimant == long_name:
            return short
    return claimant.lower()


@dataclass(slots=True)
class Memory:
    """Who has been named so far in the text, for "the group", "it", "he"."""

    acronyms: dict[str, str] = field(default_factory=dict)
    people: dict[str, tuple[str, str]] = field(default_factory=dict)  # surname -> (name, title)
    last_person: tuple[str, str] | None = None
    last_org: str = ""


_NAME = re.compile(r"\b[A-Z][a-z]+(?:\s+(?:of\s+|for\s+)?[A-Z][a-z]+){1,5}")


_ACRONYM_WORD = re.compile(r"\b[A-Z]{2,6}\b")


def _infer_acronyms(text: str, memory: Memory) -> None:
    """An acronym never spelled out, whose letters are the initials of a name in the text."""
    names: dict[str, str] = {}
    for match in _NAME.finditer(text):
        name = match.group(0)
        initials = "".join(w[0] for w in name.split() if w not in ("of", "for"))
        names.setdefault(initials, name)
    for short in set(_ACRONYM_WORD.findall(text)) - set(memory.acronyms):
        if short in names:
            memory.acronyms[short] = names[short]


_OF_ORG = re.compile(
    r"\b((?:[A-Z][a-z]+\s+){1,3}[A-Z][a-z]+),?\s+(?:of|from|with)\s+(?:the\s+)?"
    r"((?:[A-Z][\w-]*\s*){1,6})"
)


def remember_sentence(sentence: str, memory: Memory) -> None:
    for long_name, short in _ACRONYM.findall(sentence):
        memory.acronyms[short] = _LEADING.sub("", long_name.strip())
        memory.last_org = memory.acronyms[short]
    for title, name in _TITLED.findall(sentence):
        person = (name.strip(), title.strip())
        memory.people[name.split()[-1]] = person
        memory.last_person = person


@cache
def _kind_patterns() -> list[tuple[str, re.Pattern[str]]]:
    patterns = []
    for kind in ("ngo", "media", "militant_group", "government"):
        parts = []
        for cue in vocab.KIND_CUES[kind]:
            cue = cue.strip()
            tail = "s?(?![a-z])" if len(cue) <= 5 else ""  # "uni" is not "United"
            parts.append(f"{re.escape(cue)}{tail}")
        patterns.append((kind, re.compile(rf"(?<![a-z])(?:{'|'.join(parts)})")))
    return patterns


def _kind(name: str, title: str = "") -> str:
    text = f" {name} {title} ".lower()
    if any(cue in text for cue in vocab.GOVERNMENT_FIRST) and "hospital" not in text:
        return "government"
    for kind, pattern in _kind_patterns():
        if pattern.search(text):
            return kind
    return "other"


def _resolve(span: list[str], memory: Memory) -> tuple[str, str]:
    """(claimant, kind) for the words of a noun phrase that said something."""
    joined = re.sub(r"\s+(?=[’',.)])|(?<=\()\s+", "", " ".join(span))
    text = re.sub(r"[’']s$", "", _LEADING.sub("", joined.strip(" ,"))).strip()
    lowered = text.lower()
    if not text or lowered in vocab.GENERIC_SOURCES:
        return "", "unattributed"
    if lowered in vocab.MEDIA_REPORTS:
        return "reports", "media"
    last = span[-1].lower()
    if last in ("he", "she") and memory.last_person:
        return memory.last_person[0], _kind(*memory.last_person)
    for short, long_name in memory.acronyms.items():
        if re.search(rf"\b{short}\b", text):
            if re.search(r"\b(?:spokes\w+|statement|leader|chief|commander)\b", lowered):
                return long_name, _kind(long_name)
            text = re.sub(rf"\b{short}\b", long_name, text)
    surname = span[-1]
    if surname in memory.people:
        name, title = memory.people[surname]
        return name, _kind(name, title)
    if last in vocab.PRONOUNS_ORG and memory.last_org:
        return memory.last_org, _kind(memory.last_org)
    for title, name in _TITLED.findall(text):
        return name, _kind(name, title)
    kind = _kind(text)
    possessives = list(re.finditer(r"\s*[’']s\s", text))
    if possessives:  # "the BLA's “Herof” operation claims": the owner is the claimant
        owner = text[: possessives[-1].start()]
        if kind in ("other", _kind(owner)):
            return owner, _kind(owner)
    return text, kind


def _noun_phrase_before(tokens: list[str], verb: int) -> list[str]:
    """The subject of a reporting verb: "The Baloch Liberation Army (BLA) on Friday claimed"."""
    i = verb - 1
    while i >= 0:
        word = tokens[i].lower()
        if word in vocab.BETWEEN_SUBJECT_AND_VERB or word in vocab.MONTHS or word.isdigit():
            i -= 1
        elif word == ")" and "(" in tokens[max(0, i - 4) : i]:
            i = max(j for j in range(max(0, i - 4), i) if tokens[j] == "(") - 1
        else:
            break
    if i > 0 and tokens[i] == "," and verb == i + 1:
        commas = [j for j in range(i) if tokens[j] == ","]
        if len(commas) == 1 and 0 < commas[0] <= 6 and tokens[0][:1].isupper():
            i = commas[0] - 1  # an appositive between the speaker and the verb
    span: list[str] = []
    while i >= 0 and len(span) < 10 and not _breaks_phrase(tokens[i]):
        span.insert(0, tokens[i])
        if tokens[i] in ("The", "A", "An") and i > 0 and tokens[i - 1][:1].islower():
            break  # "... and official figures The BLA announced": a run-in heading ended
        i -= 1
    return span


_QUOTES = frozenset("“”\"‘’'")


def _breaks_phrase(token: str) -> bool:
    if token.lower() in vocab.NP_BREAKS:
        return True
    return all(not ch.isalnum() for ch in token) and not set(token) <= _QUOTES | {"&", "."}


def _capitalized_chunks(tokens: list[str]) -> list[list[str]]:
    chunks: list[list[str]] = []
    current: list[str] = []
    for word in tokens:
        joins = word.lower() in ("of", "for", "the") and current
        if word[:1].isupper() or joins:
            current.append(word)
            continue
        if current and word.lower() in vocab.SUBJECT_NOUNS:
            current.append(word)
        if current:
            chunks.append(current)
        current = []
    return [*chunks, current] if current else chunks


def _sentence_subject(tokens: list[str], memory: Memory) -> list[str]:
    """For a participle ("..., while claiming 84 deaths"): the first named actor before it."""
    for chunk in _capitalized_chunks(tokens):
        if _resolve(chunk, memory)[1] not in ("other", "unattributed"):
            return chunk
    return []


def _noun_phrase_after(tokens: list[str], start: int) -> list[str]:
    span: list[str] = []
    for word in tokens[start : start + 10]:
        if word in (",", ".", ";", ":", "(", "[") or word in ("that", "which", "who"):
            break
        span.append(word)
    text = " ".join(span)
    text = re.sub(
        r"^(?:the |a |an )?(?:\w+ )?(?:report|reports|statement|figures|data|account)s?"
        r" (?:by|from|of|attributed to|released by|received by|compiled by) ",
        "",
        text,
        flags=re.IGNORECASE,
    )
    return text.split()


def _is_noun_use(words: list[str], i: int) -> bool:
    """ "the BLA's claim", "a report": a reporting word used as a noun."""
    return i > 0 and words[i - 1] in vocab.DETERMINERS


@dataclass(frozen=True, slots=True)
class Cue:
    index: int
    claimant: str
    kind: str
    participle: bool = False
    passive: bool = False  # "84 deaths claimed by the BLA": speaks only for the figure before


def _prefix_cue(tokens: list[str], memory: Memory) -> list[Cue]:
    """ "Police: 5 shot, 2 dead": a headline's source prefix speaks for the whole line."""
    colon = tokens.index(":") if ":" in tokens[1:4] else 0
    if not colon or not all(t[:1].isupper() for t in tokens[:colon]):
        return []
    claimant, kind = _resolve(tokens[:colon], memory)
    return [Cue(colon, claimant, kind)] if kind in ("government", "ngo") else []


def find_cues(
    tokens: list[str], words: list[str], phrases: dict[int, tuple[int, str]], memory: Memory
) -> list[Cue]:
    """Every attribution in a sentence: reporting verbs with their subject, "according to X"."""
    cues: list[Cue] = _prefix_cue(tokens, memory)
    for i, word in enumerate(words):
        span: list[str] = []
        if i in phrases and phrases[i][1] == "according_to":
            span = _noun_phrase_after(tokens, phrases[i][0])
        elif word in vocab.REPORTING_VERBS and tokens[i].islower() and not _is_noun_use(words, i):
            by_agent = i + 2 < len(words) and words[i + 1] == "by"
            span = _noun_phrase_after(tokens, i + 2) if by_agent else _noun_phrase_before(tokens, i)
            if not span and i > 1 and words[i - 1] in ("that", "which", "who"):
                span = _noun_phrase_before(tokens, i - 1)  # "official figures that report 17"
            if not span and word.endswith("ing"):
                span = _sentence_subject(tokens[:i], memory)
            if not span and i + 1 < len(tokens) and tokens[i + 1][:1].isupper():
                span = _noun_phrase_after(tokens, i + 1)  # "..., said Chief Minister X."
        while span and span[0].islower() and span[0].endswith("ing"):
            span = span[1:]  # "contradicting official figures that report ..."
        if any(ch.isdigit() for w in span for ch in w):
            continue  # "3,248 cases reported": a participle, not a speaker
        if len(span) == 1 and span[0].lower() in ("it", "he", "she", "they") and cues:
            cues.append(Cue(i, cues[-1].claimant, cues[-1].kind))  # "X said it had confirmed"
            continue
        if span:
            claimant, kind = _resolve(span, memory)
            if kind == "other" and word in vocab.WEAK_VERBS:
                continue  # "the deadliest day records 120 deaths": no one is speaking
            participle = word.endswith("ing") and word != "according"
            passive = i + 1 < len(words) and words[i + 1] == "by"
            cues.append(Cue(i, claimant, kind, participle, passive))
    return cues


def attribute(
    cues: list[Cue], start: int, end: int, carry: Cue | None, words: list[str] | None = None
) -> Cue | None:
    """The cue that speaks for the figure at tokens [start, end) of its sentence; else `carry`,
    the last speaker of the paragraph."""
    tagged = [c for c in cues if c.passive and 0 <= c.index - end <= 3]
    if tagged:
        return tagged[0]
    before = [cue for cue in cues if cue.index < start and not cue.passive]
    if before:
        return before[-1]
    # "..., police said." attributes what came before; "while claiming ..." does not
    after = [c for c in cues if c.index >= end and not (c.participle or c.passive)]
    if after and words is not None and _new_clause(words[end : after[0].index]):
        return carry  # "... left four dead, and the sheriff said the man ...": another report
    return after[0] if after else carry


def _new_clause(between: list[str]) -> bool:
    pairs = pairwise(between)
    return any(a in (",", ";") and b in ("and", "but", "while") for a, b in pairs)


def learn_document(text: str) -> Memory:
    """What a whole text says about names before any sentence is read: acronyms spelled out
    ("Baloch Liberation Army (BLA)"), even below the headline, and ones only implied; people
    named with their organisation."""
    memory = Memory()
    for long_name, short in _ACRONYM.findall(text):
        memory.acronyms.setdefault(short, _LEADING.sub("", long_name.strip()))
    for name, org in _OF_ORG.findall(text):  # "Jane Roe of the State Disaster Agency"
        if _kind(org) != "other":
            memory.people.setdefault(name.split()[-1], (name.strip(), org.strip()))
    _infer_acronyms(text, memory)
    return memory
