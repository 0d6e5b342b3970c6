"""Storage on a temp DuckDB file: migrations, versioning, idempotence, locking."""

import subprocess
import sys
import textwrap
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from storage.db import DatabaseLocked, apply_migrations, connect
from storage.records import (
    Batch,
    FeedRow,
    FetchRow,
    PollRow,
    VersionRow,
    load_feed_states,
    sync_feeds,
    write_batch,
)
from tests.rows import version_row

NOW = datetime(2026, 2, 1, 8, tzinfo=UTC)
MIGRATIONS = Path(__file__).parents[1] / "storage" / "migrations"
N_MIGRATIONS = len(list(MIGRATIONS.glob("*.sql")))


def _page(text: str, article_id: str = "a1") -> VersionRow:
    return version_row(article_id, text)


def _fetch(article_id: str = "a1") -> FetchRow:
    return FetchRow(
        "run", "f1", "k", "http://x/a1", "http://x/a1", article_id, NOW, 200, "ok", "ok", 1, 1.0
    )


def _poll(etag: str = "", last_modified: str = "") -> PollRow:
    return PollRow("run", "f1", NOW, 200, "ok", "ok", 1, 1, 1.0, etag, last_modified)


def _rows(con, sql):
    return con.execute(sql).fetchall()


def test_migrations_apply_once_in_order(tmp_path):
    with connect(tmp_path / "db.duckdb") as con:
        assert apply_migrations(con) == []  # connect already applied them
        names = [r[0] for r in _rows(con, "SELECT name FROM schema_migrations ORDER BY version")]
    assert names == sorted(p.name for p in MIGRATIONS.glob("*.sql"))
    assert names[:4] == [
        "0001_init.sql",
        "0002_views.sql",
        "0003_claims.sql",
        "0004_stories_events.sql",
    ]


def test_a_new_version_only_when_the_normalized_text_changes(tmp_path):
    with connect(tmp_path / "db.duckdb") as con:
        first = write_batch(con, Batch(pages=[_page("over 80")], fetches=[_fetch()]))
        same = write_batch(con, Batch(pages=[_page("over 80")], fetches=[_fetch()]))
        changed = write_batch(con, Batch(pages=[_page("over 200")], fetches=[_fetch()]))
        versions = _rows(con, "SELECT version, text FROM article_versions ORDER BY version")
        linked = _rows(con, "SELECT version_added FROM fetches ORDER BY fetched_at, version_added")
    assert (first.versions_added, same.versions_added, changed.versions_added) == (1, 0, 1)
    assert (first.articles_added, changed.articles_added) == (1, 0)
    assert versions == [(1, "over 80"), (2, "over 200")]
    assert sorted(linked, key=str) == sorted([(1,), (None,), (2,)], key=str)


def test_the_same_article_twice_in_one_batch_is_one_version(tmp_path):
    with connect(tmp_path / "db.duckdb") as con:
        result = write_batch(con, Batch(pages=[_page("a"), _page("a")]))
    assert result.versions_added == 1


def test_newest_validators_are_kept(tmp_path):
    feed = FeedRow("f1", "http://x/feed", "X", "x", None, NOW)
    with connect(tmp_path / "db.duckdb") as con:
        sync_feeds(con, [feed])
        write_batch(con, Batch(polls=[_poll('"v1"', "Sun, 01 Feb 2026 07:00:00 GMT")]))
        write_batch(con, Batch(polls=[_poll()]))  # a 304 without validators keeps the old ones
        kept = load_feed_states(con, ["f1"])[0]
        write_batch(con, Batch(polls=[_poll('"v2"')]))
        newer = load_feed_states(con, ["f1"])[0]
    assert (kept.etag, kept.last_modified) == ('"v1"', "Sun, 01 Feb 2026 07:00:00 GMT")
    assert (newer.etag, newer.last_modified) == ('"v2"', "Sun, 01 Feb 2026 07:00:00 GMT")


def test_sync_feeds_is_idempotent_and_refreshes_tags(tmp_path):
    feed = FeedRow("f1", "http://x/feed", "X", "x", None, NOW)
    with connect(tmp_path / "db.duckdb") as con:
        sync_feeds(con, [feed])
        sync_feeds(con, [replace(feed, name="X News", agency="PTI")])
        rows = _rows(con, "SELECT name, agency FROM feeds")
    assert rows == [("X News", "PTI")]


def test_a_failed_batch_leaves_nothing_behind(tmp_path):
    broken = replace(_fetch(), outcome=None)  # NOT NULL column: the insert fails mid-batch
    with connect(tmp_path / "db.duckdb") as con:
        with pytest.raises(Exception):  # noqa: B017 - any database error will do
            write_batch(con, Batch(pages=[_page("x")], fetches=[broken]))
        counts = _rows(
            con, "SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM article_versions)"
        )
    assert counts == [(0, 0)]


def test_a_locked_file_gives_a_clear_error_after_retries(tmp_path):
    path = tmp_path / "db.duckdb"
    with connect(path):
        pass
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(f"""
            import duckdb, sys
            con = duckdb.connect({str(path)!r})
            print("locked", flush=True)
            sys.stdin.read()
        """),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        # the message names the holder: its PID and command line
        locked = pytest.raises(DatabaseLocked, match=rf"held by PID {holder.pid} \(.*python")
        with locked, connect(path, read_only=True, retries=2, wait_s=0.01):
            pass
    finally:
        holder.communicate("")
    with connect(path, read_only=True) as con:  # free again once the writer is gone
        assert _rows(con, "SELECT count(*) FROM schema_migrations") == [(N_MIGRATIONS,)]
