"""Counts written in digits or words: "84", "1,200", "seven", "twenty-three", "two dozen"."""

from __future__ import annotations

import re
from collections.abc import Sequence

_UNITS = {
    w: i
    for i, w in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
        ]
    )
}
_TENS = {
    w: 10 * (i + 2)
    for i, w in enumerate(
        ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
    )
}
_SCALES = {"hundred": 100, "thousand": 1000}
_DIGITS = re.compile(r"^\d{1,3}(,\d{3})+$|^\d{1,7}$")


def _word_value(words: Sequence[str]) -> int | None:
    total, current = 0, 0
    for word in words:
        if word in _UNITS:
            current += _UNITS[word]
        elif word in _TENS:
            current += _TENS[word]
        elif word == "hundred":
            current = max(current, 1) * 100
        elif word == "thousand":
            total, current = total + max(current, 1) * 1000, 0
        elif word == "dozen":
            current = max(current, 1) * 12
        else:
            return None
    return total + current


def parse_number(words: Sequence[str], start: int) -> tuple[int, int] | None:
    """The count starting at words[start] (lower-cased tokens) as (value, end), else None.

    `end` is the index after the last token used. "a dozen" and "two dozen" are counts;
    "dozens" and "hundreds" are not (no figure to follow)."""
    word = words[start]
    if _DIGITS.match(word):
        value, end = int(word.replace(",", "")), start + 1
        if end < len(words) and words[end] in _SCALES and words[end] == "thousand":
            return value * 1000, end + 1
        return value, end
    if word == "a" and start + 1 < len(words) and words[start + 1] in ("dozen", "hundred"):
        return (12 if words[start + 1] == "dozen" else 100), start + 2
    if word not in _UNITS and word not in _TENS:
        return None
    end = start + 1
    allowed = set(_UNITS) | set(_TENS) | set(_SCALES) | {"dozen", "-", "and"}
    while end < len(words) and words[end] in allowed:
        if words[end] in ("-", "and") and (
            end + 1 >= len(words) or words[end + 1] not in (set(_UNITS) | set(_TENS))
        ):
            break
        end += 1
    spelled = _word_value([w for w in words[start:end] if w not in ("-", "and")])
    return (spelled, end) if spelled is not None else None
