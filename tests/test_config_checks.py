"""Config is checked before anything starts (issue 17): a feeds file's unknown keys are errors
that name the closest known key, a missing `feeds:` is an error, unknown `WIREWATCH_*` variables
are warned about with the closest setting, all in one line each, before Prefect starts (exit 2
in under 2 s); `--db` and `--feeds` work before or after the command; `feeds add` keeps the
file's comments."""

import re
import subprocess
import sys
import time

import pytest

from wirewatch.cli.main import main
from wirewatch.feedlist import FeedListError, FeedSpec, add_to_feeds_text, load_feeds
from wirewatch.settings import unknown_variables


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("feed:\n- url: http://a.example/rss\n", "unknown key `feed:` (did you mean `feeds:`?)"),
        ("feeds:\n- url: http://a.example/rss\n  nmae: A\n",
         "feed #1: unknown key `nmae:` (did you mean `name:`?)"),
        ("other: 1\n", "unknown key `other:` (known: feeds)"),
        ("# only a comment\n{}\n", "no `feeds:` list"),
    ],
)  # fmt: skip
def test_a_feeds_file_is_checked_against_its_schema(tmp_path, text, error):
    path = tmp_path / "feeds.yaml"
    path.write_text(text)
    with pytest.raises(FeedListError, match=re.escape(error)):
        load_feeds(path)


def test_an_opml_feeds_file_is_read_and_checked(tmp_path):
    good, bad = tmp_path / "good.opml", tmp_path / "bad.opml"
    good.write_text(
        '<opml version="2.0"><body><outline text="A" xmlUrl="http://a.example/rss"/></body></opml>'
    )
    assert [(s.url, s.name) for s in load_feeds(good)] == [("http://a.example/rss", "A")]
    bad.write_text('<opml version="2.0"><body><outline text="B" xmlUrl="ftp://b"/></body></opml>')
    with pytest.raises(FeedListError, match="is not an http"):
        load_feeds(bad)


def test_a_misspelled_feeds_key_exits_2_in_one_line_before_prefect_starts(tmp_path):
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text("feed:\n- url: http://127.0.0.1:9/rss\n")
    start = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "wirewatch.cli", "run", "--feeds", str(feeds)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    elapsed = time.monotonic() - start
    assert done.returncode == 2, done.stderr
    assert done.stderr.splitlines() == [
        f"wirewatch run: {feeds}: unknown key `feed:` (did you mean `feeds:`?)"
    ]
    assert elapsed < 2.0, elapsed


def test_unknown_wirewatch_variables_are_warned_with_the_closest_setting():
    env = {"WIREWATCH_ALOW_PRIVATE_ADDRESSES": "true", "WIREWATCH_RETRIES": "1", "HOME": "/"}
    assert unknown_variables(env) == [
        "WIREWATCH_ALOW_PRIVATE_ADDRESSES is not a setting and is ignored "
        "(did you mean WIREWATCH_ALLOW_PRIVATE_ADDRESSES?)"
    ]


def test_db_and_feeds_work_before_or_after_the_command(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("WIREWATCH_FEEDS_FILE", str(tmp_path / "none.yaml"))
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text("feeds:\n- url: http://a.example/rss\n  name: A\n")
    assert main(["--feeds", str(feeds), "feeds", "list", "--format", "csv"]) == 0
    assert main(["feeds", "list", "--format", "csv", "--feeds", str(feeds)]) == 0
    out = capsys.readouterr().out
    assert out.count("http://a.example/rss") == 2
    missing = str(tmp_path / "missing.duckdb")
    for argv in (["--db", missing, "query", "SELECT 1"], ["query", "SELECT 1", "--db", missing]):
        assert main(argv) == 3  # both name the same (missing) database
        assert "missing.duckdb" in capsys.readouterr().err


def test_feeds_add_appends_to_the_text_keeping_comments():
    text = (
        "# my feeds\nfeeds:\n  # wires\n  - url: http://a.example/rss  # the first\n    name: A\n"
    )
    added = add_to_feeds_text(text, FeedSpec("http://b.example/rss", "B News", "b.example"))
    assert (
        added == text + "  - url: http://b.example/rss\n    name: B News\n    outlet: b.example\n"
    )
