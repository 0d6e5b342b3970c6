"""A sequencer's DuckDB file rebuilt from the lake, so a lost sequencer machine is replaced.

The lake holds every table of the file (storage/lake.py publishes them all), so a new file is
the migrations (tables, primary keys, indexes such as the `story_anchors` ART index, views,
macros) plus the lake's rows, table by table, in one local transaction:

- insert-only tables are copied in the lake's row order (DuckLake numbers rows as they are
  inserted, and they were inserted in the file's rowid order), so the new file's rowids run
  0..n-1, and its next row is the first the lake has not seen. When an old file had a rowid
  gap, the lake's watermark of that table is moved to the new file's next rowid (one lake
  transaction): nothing the new file adds could be skipped;
- tables updated in place are copied as they are;
- the file's bookkeeping is not in the lake and is remade: `schema_migrations` by the
  migrations, an empty changed-keys log (`lake_changes`: the lake equals the new file).

What the lost file held past the lake's last publication is not in the lake; the staged batches
it had applied there are not in the lake's `staging_applied` either, and their staged rows stay
(maintenance deletes only those the lake says were applied), so the next sequencer run applies
them again.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

from storage import lake
from storage.db import StorageError, connect, transaction
from storage.lake import ALIAS, APPEND_ONLY, LakeError, LakeTarget


@dataclass(frozen=True)
class Rebuilt:
    tables: int
    rows: int
    seconds: float
    watermarks_moved: int


def rebuild(target: LakeTarget, path: Path) -> Rebuilt:
    """Build a new sequencer file at `path` (which must not exist) from the lake's tables."""
    started = time.monotonic()
    if path.exists():
        raise StorageError(f"rebuild_target_exists: {path} exists; give a new file")
    try:
        tables, rows, moved = _build(target, path)
    except BaseException:  # half a file must not pass for a sequencer's: nothing is left
        for left in (path, path.with_name(path.name + ".wal")):
            left.unlink(missing_ok=True)
        raise
    if moved:
        _move_watermarks(target, moved)
    return Rebuilt(tables, rows, time.monotonic() - started, len(moved))


def _build(target: LakeTarget, path: Path) -> tuple[int, int, dict[str, int]]:
    with connect(path) as con:  # no lake: the migrations only
        db = _current(con)
        lake.attach(con, target, read_only=True)
        try:
            tables, marks = _check(con, db)
            with transaction(con):
                rows = sum(_copy(con, db, table) for table in tables)
            moved = _gaps(con, db, marks)
        finally:
            con.execute(f"DETACH {ALIAS}")
        con.execute("CHECKPOINT")
    return len(tables), rows, moved


def _current(con: duckdb.DuckDBPyConnection) -> str:
    row = con.execute("SELECT current_database()").fetchone()
    return str(row[0]) if row else "main"


def _check(con: duckdb.DuckDBPyConnection, db: str) -> tuple[list[str], dict[str, int]]:
    """The file's tables, each in the lake with the same columns, and the lake's watermarks;
    a lake published from another schema version is refused."""
    theirs = lake._columns(con, ALIAS)
    if "lake_watermarks" not in theirs:
        raise LakeError("lake_empty: nothing was ever published to this lake")
    marks = lake._watermarks(con)
    schema = lake._schema_version(con, db)
    if marks.get(lake._SCHEMA) != schema:
        raise LakeError(
            f"lake_schema_differs: the lake was published at schema {marks.get(lake._SCHEMA)}, "
            f"this wirewatch makes {schema}; rebuild with the version that published it"
        )
    mine, tables = lake._columns(con, db), lake._tables(con, db)
    for table in tables:
        if mine.get(table) != theirs.get(table):
            raise LakeError(f"lake_table_differs: {table} is missing or has other columns")
    return tables, marks


def _copy(con: duckdb.DuckDBPyConnection, db: str, table: str) -> int:
    name = lake._ident(table)
    order = " ORDER BY rowid" if table in APPEND_ONLY else ""
    con.execute(f"INSERT INTO {lake._ident(db)}.{name} SELECT * FROM {ALIAS}.{name}{order}")
    row = con.execute(f"SELECT count(*) FROM {lake._ident(db)}.{name}").fetchone()
    return int(row[0]) if row else 0


def _gaps(con: duckdb.DuckDBPyConnection, db: str, marks: dict[str, int]) -> dict[str, int]:
    """Insert-only tables whose next rowid in the new file differs from the lake's watermark."""
    moved = {}
    for table in sorted(APPEND_ONLY):
        row = con.execute(f"SELECT max(rowid) FROM {lake._ident(db)}.{lake._ident(table)}")
        top = row.fetchone()
        following = int(top[0]) + 1 if top and top[0] is not None else 0
        if table in marks and marks[table] != following:
            moved[table] = following
    return moved


def _move_watermarks(target: LakeTarget, moved: dict[str, int]) -> None:
    con = duckdb.connect()
    try:
        lake.attach(con, target, read_only=False)
        with transaction(con):
            con.executemany(
                f"INSERT INTO {ALIAS}.lake_watermarks VALUES (?, ?, now())", list(moved.items())
            )
    finally:
        con.close()
