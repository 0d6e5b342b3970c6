"""Bulk loading of prepared Arrow tables, for building large databases fast (the scale
benchmark, imports). One `INSERT ... BY NAME` per table, all in one transaction."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager

import duckdb
import pyarrow as pa

from storage.changes import CHANGE_KEYS, log_table
from storage.db import transaction

#: Tables a bulk load may fill (the append-only history; state tables go through records).
BULK_TABLES = frozenset(
    {
        "feeds",
        "feed_polls",
        "entries",
        "articles",
        "article_versions",
        "fetches",
        "article_claims",
        "version_stories",
        "story_events",
        "story_anchors",  # the grouping indexes (migration 0006)
        "story_profiles",
        "event_profiles",
        "event_names",
        "grouping_df",
    }
)


def bulk_insert(con: duckdb.DuckDBPyConnection, tables: Mapping[str, pa.Table]) -> int:
    """Append each Arrow table to the table of its name; all land or none. Returns rows added.
    Columns are matched by name; columns a table has and the frame lacks get their default."""
    unknown = set(tables) - BULK_TABLES
    if unknown:
        raise ValueError(f"bulk_insert: not a bulk table: {sorted(unknown)}")
    frames = {name: frame for name, frame in tables.items() if frame.num_rows}
    for name, frame in frames.items():
        con.register(f"bulk_{name}", frame)
    try:
        with transaction(con):  # nothing half-loaded
            for name in frames:
                if name in CHANGE_KEYS:
                    log_table(con, name)
                con.execute(f"INSERT INTO {name} BY NAME SELECT * FROM bulk_{name}")
    finally:
        for name in frames:
            con.unregister(f"bulk_{name}")
    return sum(frame.num_rows for frame in frames.values())


@contextmanager
def indexes_set_aside(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Drop the main database's indexes for a large bulk load and create them again after it
    (also when it fails): one ART built after the load is faster and smaller than one kept up
    row by row (story_anchors at 1M versions: 33M rows indexed in 54 s)."""
    found = con.execute(
        "SELECT index_name, sql FROM duckdb_indexes() WHERE database_name = current_database() "
        "ORDER BY index_name"
    ).fetchall()
    for name, _ in found:
        con.execute(f'DROP INDEX "{name}"')
    try:
        yield
    finally:
        for _, sql in found:
            con.execute(str(sql))


def database_size(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """`PRAGMA database_size` of the main database: total, used and free blocks, WAL bytes."""
    row = con.execute(
        "SELECT block_size, total_blocks, used_blocks, free_blocks, wal_size "
        "FROM pragma_database_size() WHERE database_name = current_database()"
    ).fetchall()[0]
    return {
        "block_size": int(row[0]),
        "total_blocks": int(row[1]),
        "used_blocks": int(row[2]),
        "free_blocks": int(row[3]),
        "wal_bytes": _wal_bytes(str(row[4])),
    }


def _wal_bytes(text: str) -> int:
    number, _, unit = text.partition(" ")
    scale = {"bytes": 1, "KiB": 1024, "MiB": 1024**2, "GiB": 1024**3, "kB": 1000, "MB": 10**6}
    try:
        return int(float(number) * scale.get(unit, 1))
    except ValueError:
        return 0
