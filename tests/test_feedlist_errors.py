"""load_feeds: a feeds file that cannot be used is one clear FeedListError, never a traceback;
an empty one is an empty list."""

import pytest

from wirewatch.feedlist import FeedListError, load_feeds


def test_an_empty_feeds_file_has_no_feeds(tmp_path):
    path = tmp_path / "feeds.yaml"
    path.write_text("")
    assert load_feeds(path) == []


def test_a_non_utf8_feeds_file_is_a_clear_error(tmp_path):
    path = tmp_path / "feeds.yaml"
    path.write_bytes(b"feeds:\n- url: http://caf\xe9.example/rss\n")
    with pytest.raises(FeedListError, match="not UTF-8"):
        load_feeds(path)


def test_a_directory_is_not_a_feeds_file(tmp_path):
    with pytest.raises(FeedListError, match="is not a file"):
        load_feeds(tmp_path)


def test_a_missing_feeds_file_says_which_setting_to_use(tmp_path):
    with pytest.raises(FeedListError, match="WIREWATCH_FEEDS_FILE"):
        load_feeds(tmp_path / "nope.yaml")
