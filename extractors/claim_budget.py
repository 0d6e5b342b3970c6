"""A time and size budget per page for claim extraction, so no page can stall a worker.

A text longer than `max_text_chars` is read only up to that length; a sentence longer than
`max_sentence_chars` (a page whose text is one enormous sentence) is cut into windows at
whitespace, each read as a sentence; reading stops when `max_seconds` have passed. Each of these
leaves a fixed reason on the reading, so a caller can record what was not read.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

TEXT_OVER_BUDGET = "text_over_budget"
SENTENCE_SPLIT = "sentence_split"
TIME_OVER_BUDGET = "time_over_budget"


@dataclass(frozen=True, slots=True)
class ClaimBudget:
    max_text_chars: int = 200_000  # ~30,000 words: longer than any article
    max_sentence_chars: int = 1_500  # a real sentence with a figure is far shorter
    max_seconds: float = 2.0


def windows(
    text: str, start: int, end: int, paragraph: int, max_chars: int
) -> Iterator[tuple[int, int, int]]:
    """(start, end, paragraph) windows of at most `max_chars`, cut at the last whitespace."""
    while end - start > max_chars:
        cut = text.rfind(" ", start + max_chars // 2, start + max_chars)
        cut = cut if cut > start else start + max_chars
        yield start, cut, paragraph
        start = cut + 1
    if end > start:
        yield start, end, paragraph
