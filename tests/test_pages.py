"""extract_article: the story text without the chrome, its metadata, and clear rejections."""

import zlib
from datetime import UTC, datetime

from extractors.outcomes import Outcome
from extractors.pages import Article, Page, Rejected, extract_article, normalize_text
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
