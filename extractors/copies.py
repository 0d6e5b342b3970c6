"""What makes two texts copies of one story, and what makes a page no article at all.

    shingle_hashes(text) -> frozenset[int]   64-bit hashes of word 4-grams
    anchors(hashes)      -> list[int]        the 1-in-ANCHOR_RATE sample the index stores
    containment(a, b)                        exact share of the smaller set found in the other
    article_body(text, title) -> str         the text without a leading headline line

Copies are compared on their body: extraction keeps a page's <h1> as the text's first line, and
a copy's headline is edited by each outlet (different words, and 10-20 shingles that the other
copy lacks), which pushed 4 of gva-dev's 37 gold copy pairs under MIN_CONTAINMENT.

Anchors are a hash-value sample, not a per-text MinHash: a shingle is an anchor in every text
that has it, so a short brief inside a long article shares all its anchors with it (a MinHash
LSH at any usable threshold misses a 72-shingle brief in a 488-shingle article, Jaccard 0.15).
"""

from __future__ import annotations

import hashlib
import re

from extractors.dedup import SHINGLE_WORDS, shingles

#: A text's shingle is an anchor when its hash is divisible by this: ~1/8 of shingles are kept.
ANCHOR_RATE = 8
#: Confirmed against the story's canonical copy, exactly: share of the smaller text contained.
MIN_CONTAINMENT = 0.8
#: Fewer words than this is no article (prompts, consent walls, "you are the owner ...").
MIN_ARTICLE_WORDS = 40
#: A text found again under a headline that has nothing to do with its first one is a wall or
#: a prompt, not a story, when it is this short (shingles); longer ones need more such copies.
WALL_MAX_SHINGLES = 150
RECURRING_UNRELATED_TITLES = 3
_WORD = re.compile(r"\w+")
_TITLE_STOP = frozenset(
    """a an and at by for from in of on the to with is are was after over new news police man
    woman men people killed dead death shot shooting shootings say says said video photos""".split()
)
#: Headlines are related when this share of their content words is common to both.
RELATED_TITLES = 0.25
#: A headline belongs to its text when this share of its content words is in the text.
HEADLINE_IN_BODY = 0.5

assert SHINGLE_WORDS == 4  # the docstring's arithmetic


def article_body(text: str, title: str) -> str:
    """The text without its first line when that line is the headline (compared casefolded,
    whitespace collapsed): what two copies of a story share, whatever each outlet titled it."""
    first, _, rest = text.partition("\n")
    if title and _folded(first) == _folded(title):
        return rest
    return text


def _folded(line: str) -> str:
    return " ".join(line.split()).casefold()


def shingle_hashes(text: str) -> frozenset[int]:
    return frozenset(
        int.from_bytes(hashlib.blake2b(s, digest_size=8).digest(), "big", signed=True)
        for s in shingles(text)
    )


def anchors(hashes: frozenset[int]) -> list[int]:
    return sorted(h for h in hashes if h % ANCHOR_RATE == 0)


def containment(a: frozenset[int], b: frozenset[int]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def recurring_wall(n_shingles: int, unrelated_titles: int) -> bool:
    """Whether a story is a wall or prompt, from how many copies came under unrelated headlines."""
    if n_shingles < WALL_MAX_SHINGLES:
        return unrelated_titles >= 1
    return unrelated_titles >= RECURRING_UNRELATED_TITLES


def too_short(text: str) -> bool:
    return len(_WORD.findall(text)) < MIN_ARTICLE_WORDS


def _title_words(title: str) -> set[str]:
    return {w for w in _WORD.findall(title.lower()) if w not in _TITLE_STOP and len(w) > 2}


def headline_in_body(title: str, body: str) -> bool:
    """Whether half a headline's content words are in the text under it: a copy whose outlet
    rewrote the headline still tells its story, a wall or prompt under a blocked article's
    headline does not (unknown counts as in the body)."""
    words = _title_words(title)
    if not words:
        return True
    return len(words & set(_WORD.findall(body.lower()))) / len(words) >= HEADLINE_IN_BODY


def titles_related(a: str, b: str) -> bool:
    """Whether two headlines share enough content words (a wire copy's headline is edited, a
    paywall's page keeps the headline of whatever article it blocked). Unknown counts as related."""
    wa, wb = _title_words(a), _title_words(b)
    return not wa or not wb or len(wa & wb) / len(wa | wb) >= RELATED_TITLES
