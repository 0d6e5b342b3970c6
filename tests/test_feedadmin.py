"""`wirewatch feeds list|add|remove` and OPML import through listparser."""

from datetime import UTC, datetime

import pytest

from storage.db import connect
from storage.records import Batch, FeedRow, PollRow, sync_feeds, write_batch
from wirewatch.cli.main import main
from wirewatch.feedlist import import_opml, load_feeds, parse_opml
from wirewatch.fetch.polling import schedule_polls
from wirewatch.sample_site.server import Reply, Request, SiteServer
from wirewatch.settings import Settings

OPML = b"""<?xml version="1.0"?>
<opml version="2.0"><head><title>subscriptions</title></head><body>
  <outline text="World">
    <outline text="Wire A" xmlURL="http://a.example/feed"/>
    <outline text="Relative" xmlUrl="/only/a/path.xml"/>
    <outline text="Asia"><outline title="B" type="rss" xmlUrl="https://b.example/rss"/></outline>
  </outline>
  <outline text="Loose" xmlurl="http://c.example/x"/>
</body></opml>"""

RSS = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>Site</title>
<item><title>a</title><link>http://127.0.0.1/a</link><guid>a</guid></item></channel></rss>"""
PAGE = b"""<html><head><title>Home</title>
<link rel="alternate" type="application/rss+xml" href="/feed.xml"></head>
<body><p>news</p></body></html>"""


def test_opml_keeps_any_spelling_of_xmlurl_turns_folders_into_tags_and_skips_relative_urls():
    found = parse_opml(OPML)
    by_url = {spec.url: spec for spec in found.specs}
    assert set(by_url) == {"http://a.example/feed", "https://b.example/rss", "http://c.example/x"}
    assert by_url["http://a.example/feed"].tags == ("World",)
    assert by_url["https://b.example/rss"].tags == ("World", "Asia")
    assert by_url["http://c.example/x"].tags == ()
    assert len(found.skipped) == 1 and "/only/a/path.xml" in found.skipped[0]


def test_a_relative_url_is_resolved_when_the_opml_has_a_base():
    found = parse_opml(OPML, base_url="https://reader.example/export.opml")
    assert "https://reader.example/only/a/path.xml" in {spec.url for spec in found.specs}


def test_import_writes_tags_to_the_feeds_file_and_a_second_import_adds_nothing(tmp_path):
    opml, feeds = tmp_path / "subs.opml", tmp_path / "feeds.yaml"
    opml.write_bytes(OPML)
    assert len(import_opml(opml, feeds).specs) == 3
    assert len(import_opml(opml, feeds).specs) == 0
    loaded = {spec.url: spec.tags for spec in load_feeds(feeds)}
    assert loaded["https://b.example/rss"] == ("World", "Asia")


def _site(request: Request) -> Reply:
    if request.path == "/feed.xml":
        return Reply(200, RSS, {"Content-Type": "application/rss+xml"})
    return Reply(200, PAGE, {"Content-Type": "text/html"})


@pytest.mark.integration
def test_feeds_add_on_a_page_url_adds_the_feed_it_links_to(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("WIREWATCH_ALLOW_PRIVATE_ADDRESSES", "true")
    feeds = tmp_path / "feeds.yaml"
    with SiteServer(_site) as server:
        assert main(["feeds", "add", server.base_url + "/", "--feeds", str(feeds)]) == 0
        assert main(["feeds", "add", server.base_url + "/feed.xml", "--feeds", str(feeds)]) == 0
    assert [spec.url for spec in load_feeds(feeds)] == [server.base_url + "/feed.xml"]
    assert "already in" in capsys.readouterr().out


def test_feeds_remove_edits_the_file_and_reports_an_unknown_url(tmp_path, capsys):
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text("feeds:\n- url: http://a.example/feed\n- url: http://b.example/feed\n")
    assert main(["feeds", "remove", "http://a.example/feed", "--feeds", str(feeds)]) == 0
    assert [spec.url for spec in load_feeds(feeds)] == ["http://b.example/feed"]
    assert main(["feeds", "remove", "http://a.example/feed", "--feeds", str(feeds)]) == 1
    assert "is not in" in capsys.readouterr().err


def test_feeds_list_shows_the_health_columns(tmp_path, capsys):
    feeds, db = tmp_path / "feeds.yaml", tmp_path / "db.duckdb"
    feeds.write_text("feeds:\n- url: http://a.example/feed\n  name: Wire A\n")
    now = datetime.now(UTC)
    poll = PollRow("r1", "f1", now, 500, "http_error", "http_500", 0, 0, 3.0, "", "")
    with connect(db) as con:
        sync_feeds(con, [FeedRow("f1", "http://a.example/feed", "Wire A", "a", None, now)])
        write_batch(con, Batch(polls=[poll]))
        schedule_polls(con, [poll], Settings(interval_minutes=15))
    assert main(["feeds", "list", "--feeds", str(feeds), "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "consecutive_failures" in out and "next_poll_at" in out
    assert "Wire A" in out and "http_error" in out
