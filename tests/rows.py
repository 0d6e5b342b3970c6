"""Typed rows for storage tests: one stored page with plain defaults, fields overridable."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from storage.records import VersionRow

NOW = datetime(2026, 2, 1, 8, tzinfo=UTC)


def version_row(article_id: str = "a1", text: str = "", **fields: Any) -> VersionRow:
    """A page of `article_id` fetched and published at NOW; `fields` override any column."""
    text = text or f"text of {article_id}"
    values: dict[str, Any] = {
        "article_id": article_id,
        "canonical_url": f"http://x/{article_id}",
        "outlet": "o",
        "feed_id": "f1",
        "fetched_at": NOW,
        "published_at": NOW,
        "published_source": "page",
        "title": "t",
        "author": "",
        "site_name": "",
        "language": "en",
        "text": text,
        "content_hash": f"hash-of-{text}",
        "extractor": "trafilatura",
        "extractor_version": "2",
        "final_url": f"http://x/{article_id}",
        "raw_html_z": b"z",
    }
    return VersionRow(**{**values, **fields})
