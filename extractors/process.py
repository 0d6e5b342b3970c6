"""What an extraction worker does with one fetched page: the article, then its claims."""

from __future__ import annotations

from dataclasses import dataclass

from extractors.claims import Claim, extract_claims
from extractors.pages import Article, Page, Rejected, extract_article


@dataclass(frozen=True, slots=True)
class Processed:
    result: Article | Rejected
    claims: tuple[Claim, ...] = ()


def process_page(page: Page, fast: bool = False) -> Processed:
    result = extract_article(page, fast)
    if isinstance(result, Rejected):
        return Processed(result)
    return Processed(result, tuple(extract_claims(result.text, context=result.title)))


def warm_up() -> None:
    """Build the claim matcher once per worker, before the first page arrives."""
    extract_claims("Officials said 3 people were killed.")
