"""Word-level differences between two versions of an article's text (pure).

Text is split into words and the whitespace after them, so that joining the pieces of either
side gives its text back exactly; changes are runs of whole words (difflib's matching blocks).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Literal

_WORDS = re.compile(r"\S+\s*|\s+")

Op = Literal["same", "deleted", "inserted"]


@dataclass(frozen=True, slots=True)
class Piece:
    op: Op
    text: str


@dataclass(frozen=True, slots=True)
class WordDiff:
    pieces: tuple[Piece, ...]

    @property
    def changed(self) -> bool:
        return any(p.op != "same" for p in self.pieces)

    def old_text(self) -> str:
        return "".join(p.text for p in self.pieces if p.op != "inserted")

    def new_text(self) -> str:
        return "".join(p.text for p in self.pieces if p.op != "deleted")


def split_words(text: str) -> list[str]:
    return _WORDS.findall(text)


def diff_words(old: str, new: str) -> WordDiff:
    """The pieces that turn `old` into `new`: kept, deleted and inserted runs of words."""
    a, b = split_words(old), split_words(new)
    # Compare words without their trailing whitespace, so a re-wrapped line is not a change.
    matcher = SequenceMatcher(None, [w.strip() for w in a], [w.strip() for w in b], autojunk=False)
    pieces: list[Piece] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            pieces.append(Piece("same", "".join(b[j1:j2])))
            continue
        if i2 > i1:
            pieces.append(Piece("deleted", "".join(a[i1:i2])))
        if j2 > j1:
            pieces.append(Piece("inserted", "".join(b[j1:j2])))
    return WordDiff(tuple(pieces))


def render_marked(diff: WordDiff, context_words: int = 12) -> str:
    """Changes as `[-old-]{+new+}` (git's --word-diff=plain), with a few words around each;
    far-apart changes are separated by a line of `...`."""
    out: list[str] = []
    for index, piece in enumerate(diff.pieces):
        if piece.op == "deleted":
            out.append("[-" + piece.text.rstrip() + "-]" + _tail_space(piece.text))
        elif piece.op == "inserted":
            out.append("{+" + piece.text.rstrip() + "+}" + _tail_space(piece.text))
        else:
            out.append(_context(piece.text, index, len(diff.pieces), context_words))
    return "".join(out).strip() + "\n"


def _tail_space(text: str) -> str:
    return text[len(text.rstrip()) :]


def _context(text: str, index: int, count: int, keep: int) -> str:
    """Unchanged text trimmed to `keep` words next to the changes around it."""
    words = split_words(text)
    first, last = index == 0, index == count - 1
    if len(words) <= keep * (1 if first or last else 2):
        return text
    head = [] if first else words[:keep]
    tail = [] if last else words[-keep:]
    return "".join(head) + ("\n...\n" if head or tail else "") + "".join(tail)
