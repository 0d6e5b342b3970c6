"""What an extraction worker does with one fetched page: the article, its claims, and what
story and event grouping need (a MinHash fingerprint, the wire credit, event features)."""

from __future__ import annotations

from dataclasses import dataclass

from extractors.claims import Claim, extract_claims, read_claims
from extractors.dedup import Fingerprint, fingerprint
from extractors.events import EventFeatures, event_features
from extractors.pages import Article, Page, Rejected, extract_article
from extractors.wire import detect_agency


@dataclass(frozen=True, slots=True)
class Processed:
    result: Article | Rejected
    claims: tuple[Claim, ...] = ()
    fingerprint: Fingerprint | None = None
    agency: str = ""
    features: EventFeatures | None = None
    claim_reasons: tuple[str, ...] = ()  # what the claim budget left unread, if anything


def process_page(page: Page, fast: bool = False) -> Processed:
    result = extract_article(page, fast)
    if isinstance(result, Rejected):
        return Processed(result)
    reading = read_claims(result.text, context=result.title)
    return Processed(
        result,
        claims=reading.claims,
        fingerprint=fingerprint(result.text),
        agency=detect_agency(result.text),
        features=event_features(result.text, result.title),
        claim_reasons=reading.reasons,
    )


def warm_up() -> None:
    """Build the claim matcher once per worker, before the first page arrives."""
    extract_claims("Officials said 3 people were killed.")
