"""The command line: OPML import, read-only queries, the sample site's control endpoint."""

import httpx
import pytest

from wirewatch.cli.main import main
from wirewatch.feedlist import FeedListError, load_feeds

OPML = b"""<?xml version="1.0"?>
<opml version="2.0"><head><title>subs</title></head><body>
<outline text="News">
  <outline text="Example Wire" type="rss" xmlUrl="https://wire.example.com/rss.xml"
           htmlUrl="https://www.wire.example.com/"/>
  <outline text="Second" type="rss" xmlUrl="https://second.example.org/atom.xml"/>
</outline></body></opml>"""


def test_opml_import_adds_new_feeds_once(tmp_path, capsys):
    opml, feeds = tmp_path / "subs.opml", tmp_path / "feeds.yaml"
    opml.write_bytes(OPML)
    assert main(["feeds", "import", str(opml), "--feeds", str(feeds)]) == 0
    assert main(["feeds", "import", str(opml), "--feeds", str(feeds)]) == 0
    specs = load_feeds(feeds)
    assert [(s.url, s.name, s.outlet) for s in specs] == [
        ("https://wire.example.com/rss.xml", "Example Wire", "wire.example.com"),
        ("https://second.example.org/atom.xml", "Second", "second.example.org"),
    ]
    assert "added 0 feeds" in capsys.readouterr().out


def test_a_broken_feeds_file_is_a_clear_error(tmp_path):
    bad = tmp_path / "feeds.yaml"
    bad.write_text("feeds:\n- name: no url here\n")
    with pytest.raises(FeedListError, match="needs at least a `url`"):
        load_feeds(bad)


def test_query_is_read_only_and_prints_a_table(tmp_path, capsys):
    from storage.db import connect

    db = tmp_path / "db.duckdb"
    with connect(db):
        pass
    assert main(["query", "SELECT version, name FROM schema_migrations", "--db", str(db)]) == 0
    assert "0001_init.sql" in capsys.readouterr().out
    assert main(["query", "DELETE FROM schema_migrations", "--db", str(db)]) == 2
    assert "read-only" in capsys.readouterr().err


def test_query_on_a_missing_db_says_so(tmp_path, capsys):
    assert main(["query", "SELECT 1", "--db", str(tmp_path / "nope.duckdb")]) == 3
    assert "does not exist yet" in capsys.readouterr().err


def test_sample_site_steps_are_controlled_over_http(news_site):
    server, _ = news_site
    feed = f"{server.base_url}/news-digest/rss.xml"
    assert b"<item>" not in httpx.get(feed).content  # the digest publishes on day 3
    assert httpx.post(f"{server.base_url}/_control/step?n=4").text.strip() == "4"
    assert b"<item>" in httpx.get(feed).content
    assert httpx.post(f"{server.base_url}/_control/step?n=9").status_code == 400


def test_sample_feeds_answer_conditional_requests_except_the_courier(news_site):
    server, site = news_site
    statuses = {}
    for outlet in site.outlets.values():
        url = server.base_url + (
            f"/{outlet.slug}/atom.xml"
            if outlet.feed_format == "atom"
            else f"/{outlet.slug}/rss.xml"
        )
        first = httpx.get(url)
        headers = {
            "If-None-Match": first.headers.get("etag", ""),
            "If-Modified-Since": first.headers.get("last-modified", ""),
        }
        statuses[outlet.slug] = httpx.get(
            url, headers={k: v for k, v in headers.items() if v}
        ).status_code
    assert statuses == {
        "indiablooms": 304,
        "frontier-times": 304,
        "daily-courier": 200,
        "southasia-monitor": 304,
        "news-digest": 304,
    }


def test_claims_prints_one_json_object_per_claim(tmp_path, capsys):
    import json

    text = tmp_path / "story.txt"
    text.write_text("Officials said at least 33 people were killed.\n")
    html = tmp_path / "story.html"
    html.write_text(
        "<html><head><title>Toll rises</title></head><body><article><p>"
        + "Police said 12 protesters were arrested on Monday. " * 3
        + "</p></article></body></html>"
    )
    assert main(["claims", str(text), str(html)]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert rows[0] == {
        "claimant": "Officials",
        "claimant_kind": "government",
        "metric": "killed",
        "subject": "people",
        "value": 33,
        "value_high": 33,
        "qualifier": "at_least",
        "sentence": "Officials said at least 33 people were killed.",
        "start": 15,
        "end": 26,
        "scope": "event",
        "file": str(text),
    }
    assert {(r["file"], r["metric"], r["value"]) for r in rows[1:]} == {(str(html), "arrested", 12)}


def test_claims_on_a_missing_file_is_a_clear_error(tmp_path, capsys):
    assert main(["claims", str(tmp_path / "nope.txt")]) == 2
    assert "nope.txt" in capsys.readouterr().err
