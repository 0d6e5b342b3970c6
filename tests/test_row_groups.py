"""A write's checkpoint rewrites one small row group, however long the history (storage/db.py).

DuckDB rewrites, at each checkpoint, the last row group of every table a write appended to, and
appends to that group (rather than starting one) when the table has an index. The writers open
the file with `ROW_GROUP_SIZE`, so what a checkpoint rewrites stays small as the history grows.
"""

from pathlib import Path

import duckdb
import pytest

from storage.db import ROW_GROUP_SIZE, STORAGE_VERSION, DatabaseLocked, connect

TABLE = "CREATE TABLE pages (page_id VARCHAR PRIMARY KEY, body VARCHAR)"


def _fill(con: duckdb.DuckDBPyConnection, rows: int, prefix: str) -> None:
    con.execute(
        f"INSERT INTO pages SELECT '{prefix}' || i, repeat('words ', 50) FROM range({rows}) r(i)"
    )


def _row_groups(path: Path) -> list[int]:
    with duckdb.connect(str(path), read_only=True) as con:
        rows = con.execute(
            "SELECT row_group_id, max(count) FROM pragma_storage_info('pages') "
            "GROUP BY row_group_id ORDER BY row_group_id"
        ).fetchall()
    return [int(count) for _, count in rows]


def test_what_a_writer_stores_sits_in_row_groups_of_the_set_size(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    with connect(db) as con:
        con.execute(TABLE)
        _fill(con, 3 * ROW_GROUP_SIZE + 5, "p")
    groups = _row_groups(db)
    assert sum(groups) == 3 * ROW_GROUP_SIZE + 5
    assert max(groups) <= ROW_GROUP_SIZE


def test_a_new_row_after_a_large_old_group_starts_a_small_group(tmp_path: Path) -> None:
    db = tmp_path / "old.duckdb"
    with duckdb.connect(str(db)) as con:  # a file written with DuckDB's default size
        con.execute(TABLE)
        _fill(con, 3 * ROW_GROUP_SIZE, "old")
    assert _row_groups(db) == [3 * ROW_GROUP_SIZE]
    with connect(db) as con:
        con.execute("INSERT INTO pages VALUES ('new', 'one more page')")
    # the old group is left as it was: the checkpoint wrote a group of one row
    assert _row_groups(db) == [3 * ROW_GROUP_SIZE, 1]


def test_writers_of_one_process_share_the_file_and_see_each_others_rows(tmp_path: Path) -> None:
    db = tmp_path / "shared.duckdb"
    with connect(db) as first, connect(db) as second:
        first.execute(TABLE)
        _fill(first, 3, "a")
        assert second.execute("SELECT count(*) FROM pages").fetchall() == [(3,)]
        assert second.execute("SELECT current_database()").fetchall() == [("shared",)]
    with connect(db, read_only=True) as reader:
        assert reader.execute("SELECT count(*) FROM pages").fetchall() == [(3,)]


def test_a_reader_in_the_writers_process_waits_and_then_names_the_lock(tmp_path: Path) -> None:
    db = tmp_path / "busy.duckdb"
    held = r"busy\.duckdb is held by another connection of this process"
    with connect(db) as con:
        con.execute(TABLE)
        with pytest.raises(DatabaseLocked, match=held), connect(db, read_only=True, retries=1):
            pass


@pytest.mark.parametrize("stem", ["memory", "main", "temp", "system"])
def test_a_file_named_like_a_duckdb_catalog_keeps_what_is_written(tmp_path: Path, stem: str):
    db = tmp_path / f"{stem}.duckdb"
    with connect(db) as con:
        con.execute(TABLE)
        _fill(con, 2, "p")
    with connect(db, read_only=True) as reader:
        assert reader.execute("SELECT count(*) FROM pages").fetchall() == [(2,)]


def _storage_version(path: Path) -> str:
    with duckdb.connect(str(path), read_only=True) as con:
        tags = con.execute(
            "SELECT tags FROM duckdb_databases() WHERE database_name = ?", [path.stem]
        ).fetchall()[0][0]
    return str(tags["storage_version"])


def test_a_file_a_writer_creates_is_in_the_newer_storage_format(tmp_path: Path) -> None:
    """Its checkpoints write less for each stored row group (storage/db.py, STORAGE_VERSION)."""
    db = tmp_path / "new.duckdb"
    with connect(db) as con:
        con.execute(TABLE)
    assert _storage_version(db) == f"{STORAGE_VERSION}+"


def test_a_file_in_the_older_format_keeps_it(tmp_path: Path) -> None:
    db = tmp_path / "older.duckdb"
    with duckdb.connect(str(db)) as con:  # DuckDB's default format
        con.execute(TABLE)
    before = _storage_version(db)
    with connect(db) as con:
        _fill(con, 3, "p")
    assert _storage_version(db) == before != f"{STORAGE_VERSION}+"
