"""extract_article: the story text without the chrome, its metadata, and clear rejections."""

import zlib
from datetime import UTC, datetime

from extractors.outcomes import Outcome
from extractors.pages import (
    Article,
    Page,
    Rejected,
    extract_article,
    normalize_text,
    strip_chrome,
    version_key,
)
from wirewatch.sample_site import newsroom, render


def _sample_page(index: int = 0) -> tuple[newsroom.Story, bytes]:
    story = newsroom.stories()[index]
    outlet = next(o for o in newsroom.OUTLETS if o.slug == story.outlet)
    return story, render.article_page(story, outlet, "http://127.0.0.1:1", [])


def test_story_text_is_kept_and_page_chrome_removed():
    story, html = _sample_page()
    article = extract_article(Page("http://127.0.0.1:1/x.html", "text/html", html))
    assert isinstance(article, Article)
    assert "Operation Herof Phase II" in article.text
    assert story.paragraphs[-1][:40] in article.text
    for chrome in ("Trending:", "Praying for the families", "All rights reserved", "Subscribe"):
        assert chrome not in article.text


def test_metadata_comes_from_the_page():
    story, html = _sample_page()
    article = extract_article(Page("http://127.0.0.1:1/x.html", "text/html", html))
    assert isinstance(article, Article)
    assert article.title == story.title
    assert article.author == story.author
    assert article.site_name == "India Blooms News Service"
    assert article.language == "en"
    assert article.published_at == story.published
    assert article.published_source == "page"


def test_raw_html_is_kept_compressed_for_re_extraction():
    _, html = _sample_page()
    article = extract_article(Page("http://x/", "text/html", html))
    assert isinstance(article, Article)
    assert zlib.decompress(article.raw_html_z) == html


def test_feed_date_is_used_when_the_page_has_none():
    html = b"<html><body><article><p>" + b"Officials said 12 people died. " * 20 + b"</p>"
    html += b"</article></body></html>"
    stamp = datetime(2026, 2, 1, 7, 20, tzinfo=UTC)
    article = extract_article(Page("http://x/", "text/html", html, feed_published_at=stamp))
    assert isinstance(article, Article)
    assert (article.published_at, article.published_source) == (stamp, "feed")


def test_non_html_bodies_are_rejected_with_a_reason():
    pdf = extract_article(Page("http://x/", "application/pdf", b"%PDF-1.7"))
    binary = extract_article(Page("http://x/", "", b"\x89PNG\r\n\x1a\n\x00\x00"))
    assert pdf == Rejected(Outcome.NOT_HTML, "not_html")
    assert binary == Rejected(Outcome.NOT_HTML, "binary_body")


def test_a_page_without_text_is_an_extract_failure():
    empty = extract_article(Page("http://x/", "text/html", b"<html><body></body></html>"))
    assert isinstance(empty, Rejected)
    assert empty.outcome is Outcome.EXTRACT_FAILED


def test_normalization_ignores_whitespace_and_compatibility_forms():
    assert normalize_text("  Over\u00a080  killed\n\n\nin  Quetta ") == "Over 80 killed\nin Quetta"
    assert normalize_text("ﬁve") == "five"


# A version is the article's words, not the page chrome (issue 18, item 5). The short page is the
# kind that summary-only outlets serve: trafilatura keeps its headline, byline, "Updated" stamp and
# share links in the text.
def _short_page(title: str, updated: str, summary: str) -> bytes:
    head = f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
    chrome = f"<p>By Dana Whitfield</p><p>Updated {updated}</p>"
    share = "<ul><li><a href='#'>Share on X</a></li><li><a href='#'>Copy link</a></li></ul>"
    article = f"<article><h1>{title}</h1>{chrome}<p>{summary}</p>{share}</article>"
    return f"{head}</head><body><main>{article}</main></body></html>".encode()


SUMMARY = "Shares of regional lenders fell on Tuesday after the central bank kept its rate on hold."


def _hash(html: bytes) -> str:
    article = extract_article(Page("http://127.0.0.1:1/bank.html", "text/html", html))
    assert isinstance(article, Article)
    return article.content_hash


def test_a_new_updated_stamp_on_a_short_page_is_not_a_new_version():
    first = _hash(_short_page("Lenders slip", "August 18, 2026 09:00 AM UTC", SUMMARY))
    later = _hash(_short_page("Lenders slip", "August 18, 2026 11:42 AM UTC", SUMMARY))
    assert first == later


def test_a_headline_only_edit_is_not_a_new_version():
    first = _hash(_short_page("Lenders slip", "Aug 18, 2026 09:00 UTC", SUMMARY))
    later = _hash(_short_page("Lenders slip as rates hold", "Aug 18, 2026 10:05 UTC", SUMMARY))
    assert first == later


def test_a_changed_summary_is_a_new_version():
    first = _hash(_short_page("Lenders slip", "August 18, 2026 09:00 AM UTC", SUMMARY))
    later = _hash(
        _short_page("Lenders slip", "August 18, 2026 09:00 AM UTC", SUMMARY + " Two fell 5%.")
    )
    assert first != later


def test_the_version_key_drops_stamps_bylines_and_share_links_but_not_prose():
    assert version_key("Updated 2 hours ago | Body text. Share on Facebook", "", "") == "Body text."
    assert version_key("Published: 18 Aug 2026, 14:05 IST Body.") == "Body."
    assert version_key("By Dana Whitfield Body.", author="Dana Whitfield") == "Body."
    prose = "Officials updated the toll to 9 on Monday, published by the ministry."
    assert version_key(prose) == prose


def test_the_stored_text_of_a_short_page_keeps_the_summary_without_its_chrome():
    html = _short_page("Lenders slip", "August 18, 2026 09:00 AM UTC", SUMMARY)
    article = extract_article(Page("http://127.0.0.1:1/bank.html", "text/html", html))
    assert isinstance(article, Article)
    assert SUMMARY in article.text
    for chrome in ("Dana Whitfield", "Updated", "09:00", "Share on X", "Copy link"):
        assert chrome not in article.text


def test_a_byline_is_chrome_only_in_front_of_its_stamp_or_on_its_own_line():
    assert strip_chrome("By Dana Whitfield and Li Wei Updated 2 hours ago Body.") == "Body."
    assert strip_chrome("Lede.\nBy Dana Whitfield\nBody.") == "Lede.\nBody."
    prose = "The bridge was hit by Russian drones on Monday."
    assert strip_chrome(prose) == prose


def test_an_aggregators_entry_that_only_repeats_its_headline_makes_no_new_version():
    # a news aggregator's page: "<headline> - <source>" as title, the headline and the source
    # label as body; the label flips between two spellings of one outlet from run to run
    before = version_key(
        "Plane crash kills 8 in Alaska Reuters", "Plane crash kills 8 in Alaska - Reuters"
    )
    after = version_key(
        "Plane crash kills 8 in Alaska reuters.com", "Plane crash kills 8 in Alaska - reuters.com"
    )
    assert before == after == ""
    words = "Plane crash kills 8 in Alaska. Eight people died, the military said."
    assert "Eight people died" in version_key(words, "Plane crash kills 8 in Alaska")
