"""The cycle reads the stored entries it plans with by key (storage/records.py, migration 0053).

A feed polled for years has stored thousands of entries; a poll lists a few dozen. The planner
needs, of the stored ones, those with a listed key, those for a listed page (which entry a page
was last fetched under), and the due ones with their pages' other entries.
"""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb

from storage.db import connect
from storage.records import load_due_entries, load_entries
from tests.scans import most_rows_one_scan_read

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
COLUMNS = "feed_id, entry_key, url, marker, state, attempts, first_seen_at, due_at"


def _entry(feed: str, key: str, url: str, due: datetime | None = None) -> tuple[object, ...]:
    return (feed, key, url, "", "ok", 0, NOW - timedelta(days=400), due)


def _store(con: duckdb.DuckDBPyConnection, rows: list[tuple[object, ...]]) -> None:
    con.executemany(f"INSERT INTO entries ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)


def _old_entries(con: duckdb.DuckDBPyConnection, feed: str, count: int) -> None:
    con.execute(
        f"INSERT INTO entries ({COLUMNS}) SELECT ?, 'old-' || i, 'https://news.example/old/' || i, "
        "'', 'ok', 0, ?, NULL FROM range(?) r(i)",
        [feed, NOW - timedelta(days=800), count],
    )


def test_a_listing_finds_the_stored_entries_of_its_keys_and_of_its_pages(tmp_path: Path):
    with connect(tmp_path / "e.duckdb") as con:
        _store(
            con,
            [
                _entry("f", "k1", "https://a.example/1"),
                _entry("f", "k2", "https://a.example/2-old-link"),  # the key, another link
                _entry("f", "k3", "https://a.example/1"),  # the page, under another key
                _entry("f", "k4", "https://a.example/4"),  # not listed any more
                _entry("g", "k1", "https://a.example/1"),  # another feed
            ],
        )
        found = load_entries(
            con, [("f", "k1", "https://a.example/1"), ("f", "k2", "https://a.example/2")]
        )
    assert sorted(found) == [("f", "k1"), ("f", "k2"), ("f", "k3")]
    assert found[("f", "k2")].url == "https://a.example/2-old-link"


def test_nothing_listed_reads_nothing(tmp_path: Path):
    with connect(tmp_path / "e.duckdb") as con:
        assert load_entries(con, []) == {}


def test_a_due_entry_comes_with_the_other_entries_of_its_page(tmp_path: Path):
    with connect(tmp_path / "e.duckdb") as con:
        _store(
            con,
            [
                _entry("f", "k1", "https://a.example/1", due=NOW - timedelta(minutes=5)),
                _entry("f", "k2", "https://a.example/1"),  # same page, not due
                _entry("f", "k3", "https://a.example/3", due=NOW + timedelta(hours=1)),
                _entry("g", "k9", "https://a.example/1"),  # same page, another feed
            ],
        )
        found = load_due_entries(con, ["f"], NOW)
    assert sorted(found) == [("f", "k1"), ("f", "k2")]


def test_a_feeds_old_entries_are_neither_loaded_nor_scanned(tmp_path: Path):
    """With 40,000 old entries of the same feed stored, a listing of two reads a few rows; the
    due ones are found by the row groups' bounds of `due_at` (the old ones are past due)."""
    db = tmp_path / "e.duckdb"
    with connect(db) as con:
        _old_entries(con, "f", 40_000)
    with connect(db) as con:
        _store(con, [_entry("f", "k1", "https://a.example/1", due=NOW - timedelta(minutes=1))])
        listed = [("f", "k1", "https://a.example/1"), ("f", "new", "https://a.example/new")]
        found = {}

        def read_listed() -> None:
            found["listed"] = load_entries(con, listed)

        def read_due() -> None:
            found["due"] = load_due_entries(con, ["f"], NOW)

        most_listed = most_rows_one_scan_read(con, read_listed, tmp_path / "listed.json")
        most_due = most_rows_one_scan_read(con, read_due, tmp_path / "due.json")
    assert list(found["listed"]) == [("f", "k1")]
    assert list(found["due"]) == [("f", "k1")]
    assert most_listed < 1_000  # a scan of `entries` reads 40,001 rows
    assert most_due < 10_000  # at most the group the new row joined (a group is 32,768)
