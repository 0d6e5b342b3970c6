"""What an extraction worker does with one fetched page: the article, its claims, and what
story and event grouping need (a MinHash fingerprint, the wire credit, event features)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from extractors.archive import warc_response_record
from extractors.claims import Claim, extract_claims, read_claims
from extractors.copies import article_body, shingle_hashes
from extractors.dedup import Fingerprint, fingerprint
from extractors.events import event_features, terms_json
from extractors.pages import Article, Page, Rejected, extract_article
from extractors.wire import detect_agency


@dataclass(frozen=True, slots=True)
class Processed:
    result: Article | Rejected
    claims: tuple[Claim, ...] = ()
    fingerprint: Fingerprint | None = None
    agency: str = ""
    # event features as stored (terms_json, sorted names): made here, sent as one string
    terms: str = "{}"
    names: tuple[str, ...] = ()
    raw_record: bytes = b""  # the page as a gzip'd WARC response record, when archiving
    claim_reasons: tuple[str, ...] = ()  # what the claim budget left unread, if anything
    # the body's shingle hashes, which copy detection compares (wirewatch/sequence/grouping.py):
    # hashed here, on the extraction cores, rather than by the one writer
    body_hashes: frozenset[int] = frozenset()


def process_page(page: Page, fast: bool = False, archive_at: datetime | None = None) -> Processed:
    """Extract and analyse one page. With `archive_at` (the fetch time) the raw body comes back
    as a WARC record instead of `raw_html_z`, built here so the writer only appends bytes."""
    result = extract_article(page, fast)
    if isinstance(result, Rejected):
        return Processed(result)
    record = b""
    if archive_at is not None:
        record = warc_response_record(page.url, page.content_type, page.body, archive_at)
        result = replace(result, raw_html_z=b"")
    reading = read_claims(result.text, context=result.title)
    features = event_features(result.text, result.title)
    return Processed(
        result,
        claims=reading.claims,
        fingerprint=fingerprint(result.text),
        agency=detect_agency(result.text),
        terms=terms_json(features),
        names=tuple(sorted(features.names)),
        raw_record=record,
        claim_reasons=reading.reasons,
        body_hashes=shingle_hashes(article_body(result.text, result.title)),
    )


def warm_up() -> None:
    """Build the claim matcher once per worker, before the first page arrives."""
    extract_claims("Officials said 3 people were killed.")
