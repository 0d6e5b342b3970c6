"""Feed documents (RSS 0.9x/1.0/2.0, Atom, JSON-less) parsed from bytes with feedparser.

feedparser is only ever given bytes: it never fetches anything itself.
"""

from __future__ import annotations

import calendar
import hashlib
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

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
    summary: str = ""  # the feed's summary or description, as given
    #: what the feed says of the entry (title, summary, content:encoded), hashed: a change
    #: refetches the page even when guid and dates stay the same ('' when unknown)
    content_hash: str = ""

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
    #: entries found but not kept, counted by fixed reason: no_link | unsupported_link
    skipped: tuple[tuple[str, int], ...] = ()


def _to_datetime(parsed: time.struct_time | None) -> datetime | None:
    """UTC from feedparser's struct; None when it falls outside what datetime can hold
    (9999-12-31T23:59:59-12:00 is year 10000 in UTC)."""
    if parsed is None:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(parsed), tz=UTC)
    except (OverflowError, ValueError, OSError):
        return None


def _link(raw: Any, base_url: str) -> tuple[str, str]:
    """(absolute link, '') or ('', reason). Relative links resolve against the feed's URL;
    an RSS guid that is a permalink stands in for a missing link."""
    link = str(raw.get("link") or "").strip()
    guid = str(raw.get("id") or "")
    if not link and dict.get(raw, "guidislink") and guid.startswith(("http://", "https://")):
        link = guid
    if not link:
        return "", "no_link"
    try:
        link = urljoin(base_url, link)
    except ValueError:
        return "", "unsupported_link"
    if not link.startswith(("http://", "https://")) or not urlsplit(link).hostname:
        return "", "unsupported_link"
    return link, ""


def _entry(raw: Any, base_url: str) -> FeedEntry | str:
    """The entry, or the fixed reason it is skipped."""
    link, reason = _link(raw, base_url)
    if reason:
        return reason
    url = canonicalize_url(link)
    title, summary = str(raw.get("title") or ""), str(raw.get("summary") or "")
    return FeedEntry(
        key=str(raw.get("id") or url),
        url=url,
        title=title,
        # dict.get: FeedParserDict.get would alias updated to published (and warn).
        published_at=_to_datetime(dict.get(raw, "published_parsed")),
        updated_at=_to_datetime(dict.get(raw, "updated_parsed")),
        summary=summary,
        content_hash=_content_hash(title, summary, raw.get("content") or ()),
    )


def _content_hash(title: str, summary: str, content: Any) -> str:
    """A short hash of what the feed says of an entry (content:encoded included)."""
    bodies = [str(part.get("value") or "") for part in content if isinstance(part, dict)]
    text = "\x1f".join([title, summary, *bodies])
    return hashlib.sha1(text.encode("utf-8", errors="replace")).hexdigest()[:16]


def parse_feed(content: bytes, base_url: str = "", content_type: str = "") -> ParsedFeed:
    """Parse feed bytes; raise FeedParseError when they hold no feed."""
    headers = {"content-location": base_url}
    if content_type:
        headers["content-type"] = content_type
    parsed = feedparser.parse(content, response_headers=headers)
    found = [_entry(raw, base_url) for raw in parsed.entries]
    entries = tuple(e for e in found if isinstance(e, FeedEntry))
    skipped = tuple(sorted(Counter(r for r in found if isinstance(r, str)).items()))
    version = parsed.get("version") or ""
    broken = parsed.bozo and not isinstance(parsed.get("bozo_exception"), _BENIGN)
    if broken and not entries:
        raise FeedParseError("malformed_xml", str(parsed.get("bozo_exception", ""))[:200])
    if not version and not found:  # entries found but all skipped still make a feed (counted)
        raise FeedParseError("not_a_feed")
    recovered = type(parsed.bozo_exception).__name__ if broken else ""
    return ParsedFeed(str(parsed.feed.get("title") or ""), entries, recovered, skipped)
