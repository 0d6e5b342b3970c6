"""Which wire agency a copy credits: datelines "(AP) —", credit lines "With IANS inputs",
handles "| @indiablooms |". Extend AGENCIES to teach it more."""

from __future__ import annotations

import re

#: agency -> names and handles it is credited by
AGENCIES: dict[str, tuple[str, ...]] = {
    "AP": ("AP", "Associated Press"),
    "Reuters": ("Reuters",),
    "AFP": ("AFP", "Agence France-Presse", "Agence France Presse"),
    "PTI": ("PTI", "Press Trust of India"),
    "IANS": ("IANS", "Indo-Asian News Service"),
    "IBNS": ("IBNS", "India Blooms News Service", "indiablooms"),
    "ANI": ("ANI", "Asian News International"),
    "UNI": ("UNI", "United News of India"),
    "Xinhua": ("Xinhua",),
    "DPA": ("DPA", "dpa"),
}
_EDGE = 400  # credits sit in the first or last few hundred characters


def _alternatives() -> str:
    names = sorted((n for names in AGENCIES.values() for n in names), key=len, reverse=True)
    return "|".join(re.escape(n) for n in names)


_NAMES = _alternatives()
_CREDITS = [
    re.compile(rf"\(({_NAMES})\)"),  # dateline: "QUETTA (AP) —", "Feb 1 (IBNS):"
    re.compile(
        rf"\bwith (?:inputs? from |input from )?(?:the )?({_NAMES})(?: inputs?)?\b", re.IGNORECASE
    ),
    re.compile(rf"\b(?:courtesy|source|agency|credit)s?\s*[:\-–]\s*({_NAMES})\b", re.IGNORECASE),
    re.compile(rf"\|\s*@?({_NAMES})\s*\|", re.IGNORECASE),  # byline "| @indiablooms |"
    re.compile(rf"[—–-]\s*({_NAMES})\s*$"),  # sign-off "— AFP"
    re.compile(rf"^\s*\(?({_NAMES})\)?\s*$", re.MULTILINE),  # a credit alone on a line
]


def _agency_of(name: str) -> str:
    for agency, names in AGENCIES.items():
        if name.lower() in (n.lower() for n in names):
            return agency
    return ""


def detect_agency(text: str) -> str:
    """The agency a text credits, or '' when it credits none."""
    edges = (text[:_EDGE], text[-_EDGE:])
    for pattern in _CREDITS:
        for part in edges:
            match = pattern.search(part)
            if match:
                return _agency_of(match.group(1))
    return ""
