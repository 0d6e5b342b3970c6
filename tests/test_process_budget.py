"""The extraction worker reads claims within the claim budget and says what it left unread."""

import time

from extractors.pages import Article, Page
from extractors.process import process_page
from tests.faultsite import PAGE
from tests.hostile import enormous_sentence_page


def test_one_enormous_sentence_is_read_in_windows_and_the_reasons_are_kept():
    started = time.monotonic()
    processed = process_page(Page("http://127.0.0.1/x", "text/html", enormous_sentence_page()))
    elapsed = time.monotonic() - started
    assert isinstance(processed.result, Article)
    assert len(processed.result.text) > 1_000_000  # the page itself is kept whole
    assert processed.claim_reasons == ("text_over_budget", "sentence_split")
    assert [(c.metric, c.value) for c in processed.claims] == [("killed", 12)]
    assert elapsed < 30  # ~1 s here; the budget caps claims at 2 s, the rest is trafilatura


def test_an_ordinary_page_is_read_whole():
    processed = process_page(Page("http://127.0.0.1/x", "text/html", PAGE))
    assert processed.claim_reasons == ()
    assert processed.claims
