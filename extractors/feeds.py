"""Feed documents (RSS 0.9x/1.0/2.0, Atom, JSON-less) parsed from bytes with feedparser.

feedparser is only ever given bytes: it never fetches anything itself.
"""

from __future__ import annotations

import calendar
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import feedparser

from extractors.urls import canonicalize_url


class FeedParseError(ValueError):
    """The bytes are not a feed. `reason` is a fixed string: malformed_xml | not_a_feed."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


# Warnings feedparser raises about a feed that still parsed completely.
_BENIGN = (feedparser.CharacterEncodingOverride, feedparser.NonXMLContentType)


@dataclass(frozen=True, slots=True)
class FeedEntry:
    key: str  # the entry's guid, else its link
    url: str  # canonical link
    title: str
    published_at: datetime | None
    updated_at: datetime | None

    @property
    def marker(self) -> str:
        """What changes when the feed says the entry was updated."""
        stamp = self.updated_at or self.published_at
        return stamp.isoformat() if stamp else ""


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    title: str
    entries: tuple[FeedEntry, ...]
    recovered_error: str  # set when feedparser repaired broken XML and still found entries


def _to_datetime(parsed: time.struct_time | None) -> datetime | None:
    if parsed is None:
        return None
    return datetime.fromtimestamp(calendar.timegm(parsed), tz=UTC)


def _entry(raw: Any) -> FeedEntry | None:
    link = raw.get("link") or ""
    if not link.startswith(("http://", "https://")):
        return None
    url = canonicalize_url(link)
    return FeedEntry(
        key=str(raw.get("id") or url),
        url=url,
        title=str(raw.get("title") or ""),
        # dict.get: FeedParserDict.get would alias updated to published (and warn).
        published_at=_to_datetime(dict.get(raw, "published_parsed")),
        updated_at=_to_datetime(dict.get(raw, "updated_parsed")),
    )


def parse_feed(content: bytes, base_url: str = "", content_type: str = "") -> ParsedFeed:
    """Parse feed bytes; raise FeedParseError when they hold no feed."""
    headers = {"content-location": base_url}
    if content_type:
        headers["content-type"] = content_type
    parsed = feedparser.parse(content, response_headers=headers)
    entries = tuple(e for e in (_entry(raw) for raw in parsed.entries) if e is not None)
    version = parsed.get("version") or ""
    broken = parsed.bozo and not isinstance(parsed.get("bozo_exception"), _BENIGN)
    if broken and not entries:
        raise FeedParseError("malformed_xml", str(parsed.get("bozo_exception", ""))[:200])
    if not version and not entries:
        raise FeedParseError("not_a_feed")
    recovered = type(parsed.bozo_exception).__name__ if broken else ""
    return ParsedFeed(str(parsed.feed.get("title") or ""), entries, recovered)
