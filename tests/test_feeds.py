"""parse_feed: real feeds parse like an independent parser says; broken ones fail with a reason."""

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from extractors.feeds import FeedParseError, parse_feed

FIXTURES = Path(__file__).parent / "fixtures" / "feeds"


def _expected_links(name: str) -> list[str]:
    data = json.loads((FIXTURES / f"{name}.serde.json").read_text())
    return [entry["links"][0]["href"] for entry in data["entries"]]


@pytest.mark.parametrize("name", ["rss_2.0_bbc", "atom_example_reddit"])
def test_real_feeds_give_the_same_entries_as_feed_rs(name):
    parsed = parse_feed((FIXTURES / f"{name}.xml").read_bytes())
    assert [e.url for e in parsed.entries] == [link.split("#")[0] for link in _expected_links(name)]


def test_atom_updated_stamp_is_the_entry_marker():
    parsed = parse_feed((FIXTURES / "atom_example_reddit.xml").read_bytes())
    first = parsed.entries[0]
    assert first.updated_at is not None
    assert first.marker == first.updated_at.isoformat()


@pytest.mark.parametrize(
    "name", ["rss_incomplete_cdata.xml", "aaa_illformed.xml", "rss_2.0_invalid_1.xml"]
)
def test_malformed_xml_is_a_parse_error_with_a_fixed_reason(name):
    with pytest.raises(FeedParseError) as caught:
        parse_feed((FIXTURES / name).read_bytes())
    assert caught.value.reason in {"malformed_xml", "not_a_feed"}


def test_html_page_is_not_a_feed():
    with pytest.raises(FeedParseError) as caught:
        parse_feed(b"<html><body><p>Hello</p></body></html>", content_type="text/html")
    assert caught.value.reason in {"malformed_xml", "not_a_feed"}


def test_recovered_feed_keeps_its_entries_and_says_it_was_repaired():
    truncated = RSS.replace(b"</channel></rss>", b"<item><title>cut")
    parsed = parse_feed(truncated)
    assert len(parsed.entries) == 2
    assert parsed.recovered_error


RSS = b"""<?xml version="1.0" encoding="iso-8859-1"?>
<rss version="2.0"><channel><title>Caf\xe9 news</title>
<item><title>One</title><link>http://example.com/a?utm_source=rss#x</link>
<guid>g-1</guid><pubDate>Sun, 01 Feb 2026 07:20:00 +0000</pubDate></item>
<item><title>Two</title><link>http://example.com/b</link><pubDate>not a date</pubDate></item>
<item><title>No link</title></item>
</channel></rss>"""


def test_entries_are_canonical_keyed_and_dated():
    parsed = parse_feed(RSS)
    assert parsed.title == "Café news"
    one, two = parsed.entries
    assert (one.key, one.url) == ("g-1", "http://example.com/a")
    assert one.published_at == datetime(2026, 2, 1, 7, 20, tzinfo=UTC)
    assert two.key == "http://example.com/b"  # no guid: the link names it


def test_a_malformed_date_is_none_not_an_error():
    two = parse_feed(RSS).entries[1]
    assert two.published_at is None
    assert two.marker == ""


def _rss(items: str) -> bytes:
    head = '<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>'
    return f"{head}{items}</channel></rss>".encode()


def test_relative_links_resolve_against_the_feed_url_and_skips_are_counted():
    feed = _rss(
        "<item><link>/news/1.html</link></item>"
        "<item><title>no link</title></item>"
        "<item><link>mailto:a@b.c</link></item>"
        "<item><link>javascript:alert(1)</link></item>"
    )
    parsed = parse_feed(feed, "http://example.com/feeds/rss.xml")
    assert [e.url for e in parsed.entries] == ["http://example.com/news/1.html"]
    assert parsed.skipped == (("no_link", 1), ("unsupported_link", 2))


def test_dates_that_overflow_in_utc_are_none():
    late = _rss(
        "<item><link>http://example.com/a</link>"
        "<pubDate>Fri, 31 Dec 9999 23:59:59 -1200</pubDate></item>"
    )
    early = (
        b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><link href="http://example.com/a"/>'
        b"<updated>0001-01-01T00:00:00+14:00</updated></entry></feed>"
    )
    (late_entry,) = parse_feed(late, "http://example.com/rss").entries
    (early_entry,) = parse_feed(early, "http://example.com/atom").entries
    assert (late_entry.published_at, early_entry.updated_at) == (None, None)


@pytest.mark.parametrize("name", ["rss_2.0_bbc", "atom_example_reddit"])
def test_the_feed_rs_check_passes_on_the_fixtures_kept_here(name):
    from evals.feeds import check_fixture

    result = check_fixture(FIXTURES / f"{name}.xml", FIXTURES / f"{name}.serde.json")
    assert result.ok, result
    assert result.kept == result.expected_linked > 0
