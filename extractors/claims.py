"""Attributed figures in news text: who claimed how many were killed, injured, captured...

    extract_claims(text) -> list[Claim]

Rules, not a model (none can be downloaded here); the vocabulary is in `claim_vocab.py` and the
rules are written down in docs/claims.md. Sentences with no number are only read for who is
who (acronyms, titled people, the last group named); the others are tokenized with spaCy's
blank English tokenizer and matched with its PhraseMatcher.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

import spacy
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from extractors import claim_vocab as vocab
from extractors.numbers import parse_number

EXTRACTOR_VERSION = "claims-1"

_NUMBER_HINT = re.compile(
    r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|"
    r"fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|"
    r"seventy|eighty|ninety|hundred|dozen)\b",
    re.IGNORECASE,
)
_ABBREVIATIONS = (
    "Mr",
    "Mrs",
    "Ms",
    "Dr",
    "St",
    "Gen",
    "Lt",
    "Col",
    "Capt",
    "Sgt",
    "Maj",
    "Rev",
    "Prof",
    "No",
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "Aug",
    "Sep",
    "Sept",
    "Oct",
    "Nov",
    "Dec",
    "U.S",
    "U.N",
    "U.K",
    "Inc",
    "Ltd",
    "Co",
    "vs",
    "Gov",
    "Sen",
)
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’)\]]*\s+(?=[\"“‘(\[]?[A-Z0-9])")
_ACRONYM = re.compile(r"((?:[A-Z][\w’'-]*\s+){1,6}?(?:[A-Z][\w’'-]*))\s*\(([A-Z]{2,6})\)")
_TITLED = re.compile(
    r"\b((?:[A-Z][\w’'-]+\s+){0,3}?(?:Chief Minister|Prime Minister|Minister|President|"
    r"Governor|Commissioner|General|Senator|Mayor|Secretary|[Ss]pokesperson|[Ss]pokesman|"
    r"[Ss]pokeswoman|Chief|Inspector General|Sheriff|Colonel|Major))\s+"
    r"((?:[A-Z][\w’'-]+)(?:\s+[A-Z][\w’'-]+){0,2})"
)
_LEADING = re.compile(r"^(?:the|a|an|its|their|his|her)\s+", re.IGNORECASE)
_GENERIC = frozenset(
    {
        "reports",
        "report",
        "media reports",
        "sources",
        "a report",
        "reports said",
        "officials familiar",
    }
)


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
            )
        }


def _claimant_key(claimant: str, memory: _Memory) -> str:
    for short, long_name in memory.acronyms.items():
        if claimant == long_name:
            return short
    return claimant.lower()


@dataclass(slots=True)
class _Memory:
    """Who has been named so far in the text, for "the group", "it", "he"."""

    acronyms: dict[str, str] = field(default_factory=dict)
    people: dict[str, tuple[str, str]] = field(default_factory=dict)  # surname -> (name, title)
    last_person: tuple[str, str] | None = None
    last_org: str = ""


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
    metrics.add("according_to", [nlp.make_doc("according to")])
    return nlp, qualifiers, metrics


def split_sentences(text: str) -> list[tuple[int, int, int]]:
    """(start, end, paragraph) of each sentence; a line is a paragraph (headlines included)."""
    found, offset = [], 0
    for paragraph, line in enumerate(text.split("\n")):
        start = offset
        for match in _SENTENCE_END.finditer(line):
            before = line[start - offset : match.start()].rsplit(None, 1)[-1:] or [""]
            if before[0].rstrip(".") in _ABBREVIATIONS:
                continue
            found.append((start, offset + match.start(), paragraph))
            start = offset + match.end()
        if line[start - offset :].strip():
            found.append((start, offset + len(line), paragraph))
        offset += len(line) + 1
    return found


_NAME = re.compile(r"\b[A-Z][a-z]+(?:\s+(?:of\s+|for\s+)?[A-Z][a-z]+){1,5}")
_ACRONYM_WORD = re.compile(r"\b[A-Z]{2,6}\b")


def _infer_acronyms(text: str, memory: _Memory) -> None:
    """An acronym never spelled out, whose letters are the initials of a name in the text."""
    names: dict[str, str] = {}
    for match in _NAME.finditer(text):
        name = match.group(0)
        initials = "".join(w[0] for w in name.split() if w not in ("of", "for"))
        names.setdefault(initials, name)
    for short in set(_ACRONYM_WORD.findall(text)) - set(memory.acronyms):
        if short in names:
            memory.acronyms[short] = names[short]


def _remember(sentence: str, memory: _Memory) -> None:
    for long_name, short in _ACRONYM.findall(sentence):
        memory.acronyms[short] = _LEADING.sub("", long_name.strip())
        memory.last_org = memory.acronyms[short]
    for title, name in _TITLED.findall(sentence):
        person = (name.strip(), title.strip())
        memory.people[name.split()[-1]] = person
        memory.last_person = person


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
    if after in ("-", "‑", "–") and after2.isdigit() and before in vocab.MONTHS:
        return True
    is_year = 1900 <= value <= 2100 and len(words[start]) == 4
    return is_year and after not in vocab.SUBJECT_HEADS


def _qualifier(
    doc: Doc, start: int, qualifier_spans: dict[int, tuple[int, str]]
) -> tuple[int, str]:
    """(first token of the figure, qualifier) for a number starting at `start`."""
    if start in qualifier_spans:
        return qualifier_spans[start]
    return start, "exact"


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
        if value > 10_000_000 or _is_label_or_unit(words, i, end, value):
            i = end
            continue
        if words[i] == "one" and (end >= len(words) or words[end] not in vocab.SUBJECT_HEADS):
            i = end  # "one of the ...", "one day": rarely a count
            continue
        first, qualifier = _qualifier(doc, i, qualifier_spans)
        if first > 0 and words[first - 1] == "between" and high > value:
            first, qualifier = first - 1, "exact"
        mentions.append(_Mention(first, end, value, high, qualifier))
        i = end
    return mentions


_SUBJECT_STOPS = frozenset(
    {
        ",",
        ";",
        ".",
        ":",
        "(",
        ")",
        "were",
        "was",
        "are",
        "is",
        "have",
        "has",
        "had",
        "been",
        "in",
        "on",
        "at",
        "across",
        "during",
        "from",
        "with",
        "by",
        "after",
        "since",
        "including",
        "while",
        "who",
        "that",
        "and",
        "or",
        "to",
        "for",
        "over",
        "into",
        "as",
        "[",
        "—",
        "–",
    }
)
_SOFT_HEADS = frozenset(
    {"people", "members", "officials", "personnel", "others", "persons", "individuals"}
)


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
            soft = word in _SOFT_HEADS
            if soft and i + 2 < len(words) and words[i + 1] == "of":
                i += 2  # "members of Pakistan's security forces": look further
                modifiers.add(word)
                continue
            if word == "officials" and not (modifiers & vocab.SECURITY_MODIFIERS):
                return "people"
            break
        if word in _SUBJECT_STOPS or (word == "of" and i > mention.end):
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
    follows = words[mention.end : mention.end + 2]
    return "?" if any(w in vocab.METRIC_WORDS for w in follows) else ""


_THINGS = frozenset({"vehicles", "buildings", "locations"})
_METRIC_REACH = 20  # tokens: a safety cap; clauses usually end sooner
_CLAUSE_STARTS = frozenset(
    {
        "after",
        "before",
        "since",
        "when",
        "while",
        "because",
        "although",
        "though",
        "whereas",
        "until",
        "unless",
    }
)
_THING_METRICS = frozenset({"destroyed", "attacked", "captured", "released"})


def _fits(metric: str, subject: str, word: str = "") -> bool:
    if subject in _THINGS:
        return metric in _THING_METRICS and word not in vocab.PERSON_ONLY_CUES
    return metric != "destroyed"


def _metric_at(words: list[str], i: int, phrases: dict[int, tuple[int, str]]) -> str:
    if i in phrases and phrases[i][1] != "according_to":
        return phrases[i][1]
    return vocab.METRIC_WORDS.get(words[i], "")


def _coordinated(words: list[str], mention: _Mention, following: _Mention | None) -> bool:
    """ "31 civilian and 17 security deaths": the two figures share what follows them."""
    if following is None:
        return False
    gap = words[mention.end : following.start]
    return (
        0 < len(gap) <= 3
        and gap[-1] in ("and", "or", ",")
        and all(w in ("and", "or", ",") or w in vocab.SUBJECT_MODIFIERS for w in gap)
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
            if words[i] in _CLAUSE_STARTS:
                break  # the verb of a figure is in its own clause
            metric = _metric_at(words, i, phrases)
            if metric and _fits(metric, subject, words[i]):
                if abs(i - base) < best_distance:
                    best, best_distance = metric, abs(i - base)
                break
    return best


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
    for kind, pattern in _kind_patterns():
        if pattern.search(text):
            return kind
    return "other"


def _resolve(span: list[str], memory: _Memory) -> tuple[str, str]:
    """(claimant, kind) for the words of a noun phrase that said something."""
    joined = re.sub(r"\s+(?=[’',.)])|(?<=\()\s+", "", " ".join(span))
    text = re.sub(r"[’']s$", "", _LEADING.sub("", joined.strip(" ,"))).strip()
    lowered = text.lower()
    if not text or lowered in _GENERIC:
        return "", "unattributed"
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


_BETWEEN_SUBJECT_AND_VERB = frozenset(
    {
        "have",
        "has",
        "had",
        "also",
        "further",
        "later",
        "earlier",
        "reportedly",
        "then",
        "today",
        "yesterday",
        "on",
        "late",
        "previously",
        "again",
        "officially",
        "publicly",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "night",
        "morning",
        "evening",
        "afternoon",
        "last",
        "this",
        "week",
        "first",
        "initially",
        "separately",
        "since",
        "now",
        "already",
        "just",
        "repeatedly",
    }
)


def _noun_phrase_before(tokens: list[str], verb: int) -> list[str]:
    """The subject of a reporting verb: "The Baloch Liberation Army (BLA) on Friday claimed"."""
    i = verb - 1
    while i >= 0:
        word = tokens[i].lower()
        if word in _BETWEEN_SUBJECT_AND_VERB or word in vocab.MONTHS or word.isdigit():
            i -= 1
        elif word == ")" and "(" in tokens[max(0, i - 4) : i]:
            i = max(j for j in range(max(0, i - 4), i) if tokens[j] == "(") - 1
        else:
            break
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


_SUBJECT_NOUNS = frozenset(
    {
        "units",
        "forces",
        "officials",
        "authorities",
        "police",
        "group",
        "militants",
        "rebels",
        "statement",
        "officers",
        "troops",
    }
)


def _capitalized_chunks(tokens: list[str]) -> list[list[str]]:
    chunks: list[list[str]] = []
    current: list[str] = []
    for word in tokens:
        joins = word.lower() in ("of", "for", "the") and current
        if word[:1].isupper() or joins:
            current.append(word)
            continue
        if current and word.lower() in _SUBJECT_NOUNS:
            current.append(word)
        if current:
            chunks.append(current)
        current = []
    return [*chunks, current] if current else chunks


def _sentence_subject(tokens: list[str], memory: _Memory) -> list[str]:
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
        r"^(?:the |a |an )?(?:report|reports|statement|figures|data|account)s?"
        r" (?:by|from|of|attributed to|released by) ",
        "",
        text,
        flags=re.IGNORECASE,
    )
    return text.split()


_DETERMINERS = frozenset({"the", "a", "an", "its", "their", "his", "her", "’s", "'s", "”", "this"})
_WEAK_VERBS = frozenset(
    {
        "records",
        "recorded",
        "documented",
        "counted",
        "tallied",
        "put",
        "puts",
        "estimated",
        "estimates",
        "report",
        "reports",
    }
)


def _is_noun_use(words: list[str], i: int) -> bool:
    """ "the BLA's claim", "a report": a reporting word used as a noun."""
    return i > 0 and words[i - 1] in _DETERMINERS


@dataclass(frozen=True, slots=True)
class _Cue:
    index: int
    claimant: str
    kind: str
    participle: bool = False
    passive: bool = False  # "84 deaths claimed by the BLA": speaks only for the figure before


def _cues(
    tokens: list[str], words: list[str], phrases: dict[int, tuple[int, str]], memory: _Memory
) -> list[_Cue]:
    """Every attribution in a sentence: reporting verbs with their subject, "according to X"."""
    cues = []
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
        if span:
            claimant, kind = _resolve(span, memory)
            if kind == "other" and word in _WEAK_VERBS:
                continue  # "the deadliest day records 120 deaths": no one is speaking
            participle = word.endswith("ing") and word != "according"
            passive = i + 1 < len(words) and words[i + 1] == "by"
            cues.append(_Cue(i, claimant, kind, participle, passive))
    return cues


def _attribution(mention: _Mention, cues: list[_Cue], carry: _Cue | None) -> _Cue | None:
    tagged = [c for c in cues if c.passive and 0 <= c.index - mention.end <= 3]
    if tagged:
        return tagged[0]
    before = [cue for cue in cues if cue.index < mention.start and not cue.passive]
    if before:
        return before[-1]
    # "..., police said." attributes what came before; "while claiming ..." does not
    after = [c for c in cues if c.index >= mention.end and not (c.participle or c.passive)]
    return after[0] if after else carry


def _spans(matcher: PhraseMatcher, doc: Doc, by_end: bool) -> dict[int, tuple[int, str]]:
    vocab_strings = doc.vocab.strings
    found: dict[int, tuple[int, str]] = {}
    for match_id, start, end in matcher(doc):
        key = end if by_end else start
        found[key] = (start if by_end else end, vocab_strings[match_id])
    return found


def _sentence_claims(
    text: str, start: int, memory: _Memory, carry: _Cue | None
) -> tuple[list[Claim], _Cue | None]:
    nlp, qualifier_matcher, phrase_matcher = _nlp()
    doc = nlp.make_doc(text)
    tokens = [t.text for t in doc]
    words = [t.lower() for t in tokens]
    qualifiers = _spans(qualifier_matcher, doc, by_end=True)
    phrases = _spans(phrase_matcher, doc, by_end=False)
    cues = _cues(tokens, words, phrases, memory)
    mentions = _mentions(doc, words, qualifiers)
    claims: list[Claim] = []
    previous_metric = ""
    previous_subject = ""
    for n, mention in enumerate(mentions):
        subject = _subject(words, mention)
        if subject == "?":  # "with dozens injured and 18 taken captive": the list's subject
            subject = previous_subject or "people"
        previous_subject = subject or previous_subject
        left = mentions[n - 1].end if n else 0
        right = mentions[n + 1].start if n + 1 < len(mentions) else len(words)
        following = mentions[n + 1] if n + 1 < len(mentions) else None
        if _coordinated(words, mention, following):
            left = mention.start  # look only ahead, through the next figure
            right = mentions[n + 2].start if n + 2 < len(mentions) else len(words)
        metric = _metric(words, mention, subject, left, right, phrases) if subject else ""
        if subject and not metric and previous_metric and _fits(previous_metric, subject):
            metric = previous_metric  # a list: "33 killed, including 18 civilians, five women"
        previous_metric = metric or previous_metric
        if not (subject and metric):
            continue
        cue = _attribution(mention, cues, carry)
        first, last = doc[mention.start], doc[mention.end - 1]
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
                claimant_key=_claimant_key(cue.claimant, memory) if cue else "",
                start=start + first.idx,
                end=start + last.idx + len(last.text),
            )
        )
    with_claimant = [cue for cue in cues if cue.claimant]
    return claims, (with_claimant[-1] if with_claimant else carry)


def extract_claims(text: str, context: str = "") -> list[Claim]:
    """All attributed figures in `text` (plain text; one paragraph or headline per line).

    `context` (a headline, say) is read only to learn names, such as what an acronym means."""
    memory, claims = _Memory(), []
    for long_name, short in _ACRONYM.findall(f"{context}\n{text}"):  # may be defined below
        memory.acronyms.setdefault(short, _LEADING.sub("", long_name.strip()))
    _infer_acronyms(f"{context}\n{text}", memory)
    carry: _Cue | None = None
    paragraph_seen = -1
    for start, end, paragraph in split_sentences(text):
        if paragraph != paragraph_seen:
            carry, paragraph_seen = None, paragraph
        sentence = text[start:end]
        _remember(sentence, memory)
        if not _NUMBER_HINT.search(sentence):
            continue
        found, carry = _sentence_claims(sentence, start, memory, carry)
        claims.extend(found)
    return claims
