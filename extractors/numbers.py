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
_SCALES = {"hundred": 100, "thousand": 1000, "million": 1_000_000}
_DIGITS = re.compile(r"^\d{1,3}(,\d{3})+$|^\d{1,7}$")
_DECIMAL = re.compile(r"^\d{1,3}\.\d{1,2}$")
_GROUP = re.compile(r"^\d{3}$")
_THOUSANDS = re.compile(r"^, 0\d\d$")  # "12 000": thousands set apart by a space


def _word_value(words: Sequence[str]) -> int | None:
    total, current = 0, 0
    for word in words:
        if word in _UNITS:
            current += _UNITS[word]
        elif word in _TENS:
            current += _TENS[word]
        elif word == "hundred":
            current = max(current, 1) * 100
        elif word in ("thousand", "million"):
            total, current = total + max(current, 1) * _SCALES[word], 0
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
    after = words[start + 1] if start + 1 < len(words) else ""
    if _DECIMAL.match(word) and after == "million":  # "1.5 million"
        return round(float(word) * 1_000_000), start + 2
    if _DIGITS.match(word):
        return _digits(words, start)
    if word == "a" and after in ("dozen", "hundred", "thousand"):
        return _word_number(words, start + 1, 1)  # "a hundred and twenty", "a dozen"
    if word not in _UNITS and word not in _TENS:
        return None
    return _word_number(words, start, 0)


def _digits(words: Sequence[str], start: int) -> tuple[int, int]:
    """ "84", "1,200", "12 000", "2 dozen", "5 thousand"."""
    value, end = int(words[start].replace(",", "")), start + 1
    if value < 1000 and end < len(words) and _GROUP.match(words[end]) and "," not in words[start]:
        value, end = value * 1000 + int(words[end]), end + 1
    elif value < 1000 and _THOUSANDS.match(" ".join(words[end : end + 2])):
        value, end = value * 1000 + int(words[end + 1]), end + 2  # "31, 000": a stray space
    if end < len(words) and words[end] in ("dozen", "hundred", "thousand", "million"):
        scale = 12 if words[end] == "dozen" else _SCALES[words[end]]
        return value * scale, end + 1
    return value, end


def _word_number(words: Sequence[str], start: int, lead: int) -> tuple[int, int] | None:
    """Spelled numbers from words[start]; `lead` is 1 after "a" ("a hundred")."""
    end = start + 1
    allowed = set(_UNITS) | set(_TENS) | set(_SCALES) | {"dozen", "-", "and"}
    while end < len(words) and words[end] in allowed:
        if words[end] in ("-", "and") and (
            end + 1 >= len(words) or words[end + 1] not in (set(_UNITS) | set(_TENS))
        ):
            break
        end += 1
    spelled = _word_value(["one"] * lead + [w for w in words[start:end] if w not in ("-", "and")])
    return (spelled, end) if spelled is not None else None
