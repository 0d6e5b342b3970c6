"""Article pages: from fetched HTML bytes to an extracted, normalized, hashed record.

`process_page` is what the extraction worker processes run; it is pure (bytes in, record out)
so it can run on every core and be re-run later over stored raw HTML.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime

import trafilatura
from trafilatura.settings import Document
from trafilatura.utils import load_html

from extractors.outcomes import Outcome

EXTRACTOR_NAME = "trafilatura"
EXTRACTOR_VERSION = trafilatura.__version__
DATE_PARAMS = {
    "original_date": True,
    "extensive_search": True,
    "outputformat": "%Y-%m-%dT%H:%M:%S%z",
}
_HTML_TYPES = ("text/html", "application/xhtml+xml", "application/xml", "text/xml")
_WS = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Page:
    """A fetched page handed to extraction."""

    url: str
    content_type: str
    body: bytes
    feed_published_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Article:
    """What extraction found in a page, ready to store as a version."""

    title: str
    author: str
    site_name: str
    language: str
    text: str
    content_hash: str
    published_at: datetime | None
    published_source: str  # page | feed | none
    raw_html_z: bytes


@dataclass(frozen=True, slots=True)
class Rejected:
    outcome: Outcome
    reason: str


def looks_like_html(content_type: str, body: bytes) -> str:
    """Return '' when the body is HTML we should extract, else a fixed reason."""
    mime = content_type.split(";")[0].strip().lower()
    if mime and mime not in _HTML_TYPES:
        return "not_html"
    head = body[:2048]
    if b"\x00" in head:
        return "binary_body"
    if b"<" not in head:
        return "not_html"
    return ""


def normalize_text(text: str) -> str:
    """The form compared between versions: NFKC, one space between words, paragraphs kept."""
    lines = (
        _WS.sub(" ", line).strip() for line in unicodedata.normalize("NFKC", text).splitlines()
    )
    return "\n".join(line for line in lines if line)


def hash_text(normalized: str) -> str:
    return hashlib.sha256(normalized.encode()).hexdigest()


_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
_DAY = rf"(?:{_MONTH} \d{{1,2}},? \d{{4}}|\d{{1,2}} {_MONTH},? \d{{4}}|\d{{4}}-\d{{2}}-\d{{2}})"
_CLOCK = r"\d{1,2}[:.]\d{2}(?::\d{2})?(?: ?[AaPp]\.?[Mm]\.?)?(?: ?[A-Z]{2,4}\b| ?[+-]\d{2}:?\d{2})?"
_AGO = r"\d+ (?:second|minute|min|hour|hr|day|week)s? ago"
# "Updated August 18, 2026 09:00 AM UTC", "Published: 18 Aug 2026, 14:05 IST", "Updated 2 hours ago"
_STAMP = re.compile(
    rf"\b(?:Last [Uu]pdated|Updated|UPDATED|Published|PUBLISHED|Posted|First published)"
    rf"(?: on| at)?:? ?(?:{_AGO}|{_DAY}(?:[,| ]+(?:at )?{_CLOCK})?|{_CLOCK})"
)
_NAMES = r"(?:[A-Z][\w'\u2019.-]* ?){1,4}(?:(?:, ?|and )(?:[A-Z][\w'\u2019.-]* ?){1,4})*"
# a byline on a line of its own, or in front of its stamp ("By Dana Whitfield Updated ...")
_BYLINE = re.compile(
    rf"^By:? {_NAMES}$|\bBy:? {_NAMES}(?=(?:Last [Uu]pdated|Updated|UPDATED|Published|Posted)\b)",
    flags=re.M,
)
_SHARE = re.compile(
    r"\b(?:Share (?:on|via|to) (?:X|Twitter|Facebook|LinkedIn|WhatsApp|Telegram|Reddit|Email)"
    r"|Share this (?:article|story|page)|Copy link|Print this (?:article|page)"
    r"|Save (?:this )?article|Read more|Open in app)\b",
    flags=re.I,
)

_LONE_MARK = re.compile(r"(?:(?<=\s)|^)[|\u00b7\u2022](?=\s|$)", flags=re.M)


def strip_chrome(text: str, author: str = "") -> str:
    """The text without the page chrome that trafilatura keeps on short pages: a byline, its
    "Updated"/"Published" stamp, share links. Prose that mentions an update is kept."""
    if author:
        text = re.sub(rf"\bBy:? {re.escape(author)}\b", " ", text)
    text = _SHARE.sub(" ", _STAMP.sub(" ", _BYLINE.sub(" ", text)))
    return normalize_text(_LONE_MARK.sub(" ", text))


_WORDS = re.compile(r"\w+")


def version_key(text: str, title: str = "", author: str = "") -> str:
    """The part of a page's text whose change makes a new version: the text without its
    chrome and without the headline in front of it. A headline-only edit, a new update time or
    moved share links therefore do not make a version; any change to the article's words does."""
    key = strip_chrome(text, author)
    if title and key.startswith(title):
        key = normalize_text(key[len(title) :])
    if title and _words(key) == _words(title):
        return ""  # an aggregator's entry: its headline and source label, no article words
    return key


def _words(text: str) -> list[str]:
    return _WORDS.findall(text.lower())


def parse_page_date(raw: str | None) -> datetime | None:
    """htmldate's output, or None when it is missing or malformed."""
    if not raw:
        return None
    try:
        stamp = datetime.fromisoformat(raw)
    except ValueError:
        return None
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)


def _choose_date(page: datetime | None, feed: datetime | None) -> tuple[datetime | None, str]:
    # A page date without a time of day is less precise than the feed's stamp for the same day.
    if page and feed and page.date() == feed.date() and (page.hour, page.minute) == (0, 0):
        return feed, "feed"
    if page:
        return page, "page"
    return (feed, "feed") if feed else (None, "none")


def extract_article(page: Page, fast: bool = False) -> Article | Rejected:
    """Extract text and metadata from one page with trafilatura."""
    reason = looks_like_html(page.content_type, page.body)
    if reason:
        return Rejected(Outcome.NOT_HTML, reason)
    tree = load_html(page.body)
    if tree is None:
        return Rejected(Outcome.EXTRACT_FAILED, "unparseable_html")
    language = (tree.get("lang") or "").split("-")[0].lower()
    doc: Document | None = trafilatura.bare_extraction(  # type: ignore[assignment]
        tree,
        url=page.url,
        fast=fast,
        include_comments=False,
        with_metadata=True,
        date_extraction_params=DATE_PARAMS,
    )
    author = (doc.author or "") if doc is not None else ""
    text = strip_chrome(normalize_text(doc.text or ""), author) if doc is not None else ""
    if doc is None or not text:
        return Rejected(Outcome.EXTRACT_FAILED, "no_text_extracted")
    published_at, source = _choose_date(parse_page_date(doc.date), page.feed_published_at)
    return Article(
        title=doc.title or "",
        author=author,
        site_name=doc.sitename or "",
        language=language,
        text=text,
        content_hash=hash_text(version_key(text, normalize_text(doc.title or ""))),
        published_at=published_at,
        published_source=source,
        raw_html_z=zlib.compress(page.body, 3),
    )
