"""Lake mode: every table, view and macro of the DuckDB file, published to a DuckLake catalog.

The DuckDB file stays the sequencer's working state: its keys and indexes make the lookups that
assign identities (versions, stories, events) fast, and DuckLake has no PRIMARY KEY, UNIQUE,
index or ON CONFLICT. After each write, `publish` makes the lake equal the file in ONE lake
transaction, so readers (`wirewatch query`, a plain `duckdb` with `ATTACH 'ducklake:...'`)
never see half a batch and never wait for the writer:

- insert-only tables (`APPEND_ONLY`) append the rows past their watermark (the file's rowid;
  these tables are never updated or deleted from), and the watermark is written to
  `lake_watermarks` in the same lake transaction: a crash before the commit publishes the same
  rows again, a crash after it publishes nothing twice;
- tables updated in place send only the keys the changed-keys log names (storage/changes.py:
  every write records them in its own transaction): those keys are deleted from the lake and
  the file's current rows for them inserted, then the entries sent are pruned from the file;
- a table whose columns differ from the lake's (a migration) is dropped and copied again; after
  any migration (the file's schema version differs from the one last published) and for a
  whole-table log entry, a table updated in place is compared with its lake copy in full;
- macros and views are created from the file's own definitions, in dependency order.

Publishing is idempotent, so a failed publish is caught up by the next one.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

from storage.changes import CHANGE_KEYS
from storage.db import StorageError

#: never updated nor deleted from (checked by tests/test_lake.py against the SQL in storage/)
APPEND_ONLY = frozenset(
    {"article_versions", "articles", "feed_polls", "fetches", "story_anchors", "staging_applied"}
)
#: the watermark row that holds a fingerprint of the macros and views last published
_DEFINITIONS = "~definitions"
#: the watermark row that holds the file's schema version last published
_SCHEMA = "~schema"
#: the lake's own bookkeeping, and the file's
_SKIP = frozenset({"schema_migrations", "lake_watermarks", "lake_changes"})
ALIAS = "lake"


class LakeError(StorageError):
    """The lake could not be attached or published to; the DuckDB file still has every row."""


@dataclass(frozen=True)
class LakeTarget:
    """`catalog` is `postgres:dbname=... host=...` or the path of a DuckDB catalog file."""

    catalog: str
    data_path: Path


@dataclass(frozen=True)
class Published:
    rows: int
    tables: int
    seconds: float


def _load_extensions(con: duckdb.DuckDBPyConnection, catalog: str) -> None:
    import duckdb_extensions  # local wheels: no download

    duckdb_extensions.import_extension("ducklake", con=con)
    if catalog.startswith("postgres:"):
        duckdb_extensions.import_extension("postgres_scanner", con=con)


#: attaching a catalog that another process is creating at the same moment fails (seen: two
#: workers' first runs on a new PostgreSQL catalog, "duplicate key ... pg_type"); once the
#: other has created it, attaching works
_CREATING = "Failed to initialize DuckLake"
_ATTACH_TRIES = 5


def attach(con: duckdb.DuckDBPyConnection, target: LakeTarget, read_only: bool) -> None:
    """Attach the lake to `con` as `lake`."""
    _load_extensions(con, target.catalog)
    options = " (READ_ONLY)" if read_only else f" (DATA_PATH '{_quote(str(target.data_path))}/')"
    if not read_only:
        target.data_path.mkdir(parents=True, exist_ok=True)
    for attempt in range(1, _ATTACH_TRIES + 1):
        try:
            con.execute(f"ATTACH 'ducklake:{_quote(target.catalog)}' AS {ALIAS}{options}")
            return
        except duckdb.Error as exc:
            if _CREATING not in str(exc) or attempt == _ATTACH_TRIES:
                raise LakeError(f"lake_unreachable: {str(exc).splitlines()[0]}") from exc
            time.sleep(0.2 * attempt)  # the other creator's transaction commits meanwhile


@contextmanager
def open_lake(target: LakeTarget) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection whose default catalog is the lake (same views as the file)."""
    con = duckdb.connect()
    try:
        attach(con, target, read_only=True)
        con.execute(f"USE {ALIAS}")
        yield con
    finally:
        con.close()


def _quote(text: str) -> str:
    return text.replace("'", "''")


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _columns(con: duckdb.DuckDBPyConnection, db: str) -> dict[str, list[tuple[str, str]]]:
    """Each table's (column, type) list, in one catalog query (one per table cost ~15 ms)."""
    rows = con.execute(
        "SELECT table_name, list((column_name, data_type) ORDER BY column_index) "
        "FROM duckdb_columns() WHERE database_name = ? AND schema_name = 'main' GROUP BY ALL",
        [db],
    ).fetchall()
    return {str(table): [(str(c[0]), str(c[1])) for c in cols] for table, cols in rows}


def _key(con: duckdb.DuckDBPyConnection, db: str, table: str) -> list[str]:
    rows = con.execute(
        "SELECT constraint_column_names FROM duckdb_constraints() WHERE database_name = ? "
        "AND schema_name = 'main' AND table_name = ? AND constraint_type = 'PRIMARY KEY'",
        [db, table],
    ).fetchall()
    return [str(c) for c in rows[0][0]] if rows else []


def _tables(con: duckdb.DuckDBPyConnection, db: str) -> list[str]:
    rows = con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = ? AND schema_name = 'main' "
        "ORDER BY table_name",
        [db],
    ).fetchall()
    return [str(r[0]) for r in rows if r[0] not in _SKIP]


def _watermarks(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    rows = con.execute(
        f"SELECT table_name, arg_max(next_rowid, published_at) FROM {ALIAS}.lake_watermarks "
        "GROUP BY ALL"
    ).fetchall()
    return {str(t): int(n) for t, n in rows}


def _ensure_table(con: duckdb.DuckDBPyConnection, db: str, table: str, same: bool) -> bool:
    """Create or re-create the lake's copy unless its columns are the `same`; True when new."""
    if same:
        return False
    name = _ident(table)
    con.execute(f"DROP TABLE IF EXISTS {ALIAS}.{name}")
    con.execute(f"CREATE TABLE {ALIAS}.{name} AS FROM {_ident(db)}.{name} LIMIT 0")
    return True


def _append(con: duckdb.DuckDBPyConnection, db: str, table: str, start: int, fresh: bool) -> int:
    """Rows past the watermark; returns the new watermark (or -1 when nothing is new)."""
    name, src = _ident(table), f"{_ident(db)}.{_ident(table)}"
    begin = 0 if fresh else start
    top = con.execute(f"SELECT max(rowid) FROM {src}").fetchone()
    if top is None or top[0] is None or top[0] < begin:
        return -1
    con.execute(
        f"INSERT INTO {ALIAS}.{name} SELECT * FROM {src} WHERE rowid BETWEEN ? AND ?",
        [begin, top[0]],
    )
    return int(top[0]) + 1


def _send_keys(con: duckdb.DuckDBPyConnection, db: str, table: str, types: dict[str, str]) -> int:
    """Delete the logged keys of `table` from the lake and insert the file's rows for them."""
    cols = [_ident(c) for c in CHANGE_KEYS[table]]
    typed = ", ".join(
        f"key[{n + 1}]::{types[c]} AS {col}"
        for n, (c, col) in enumerate(zip(CHANGE_KEYS[table], cols, strict=True))
    )
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE lake_keys AS SELECT DISTINCT {typed} FROM lake_sent "
        "WHERE table_name = ? AND key IS NOT NULL",
        [table],
    )
    dst, src = f"{ALIAS}.{_ident(table)}", f"{_ident(db)}.{_ident(table)}"
    match = " AND ".join(f"{dst}.{c} = k.{c}" for c in cols)
    con.execute(f"DELETE FROM {dst} USING lake_keys k WHERE {match}")
    on = " AND ".join(f"t.{c} = k.{c}" for c in cols)
    con.execute(f"INSERT INTO {dst} SELECT t.* FROM {src} t SEMI JOIN lake_keys k ON {on}")
    row = con.execute("SELECT count(*) FROM lake_keys").fetchone()
    return int(row[0]) if row else 0


def _diff(con: duckdb.DuckDBPyConnection, db: str, table: str) -> int:
    """Make the lake's rows of a table that is updated in place equal the file's."""
    name, src, dst = _ident(table), f"{_ident(db)}.{_ident(table)}", f"{ALIAS}.{_ident(table)}"
    key = [_ident(k) for k in _key(con, db, table)]
    con.execute(f"CREATE OR REPLACE TEMP TABLE lake_new AS FROM {src} EXCEPT FROM {dst}")
    if not key:
        changed = con.execute("SELECT count(*) FROM lake_new").fetchone()
        gone = con.execute(f"SELECT count(*) FROM (FROM {dst} EXCEPT FROM {src})").fetchone()
        if not (changed and changed[0]) and not (gone and gone[0]):
            return 0
        con.execute(f"DELETE FROM {dst}")
        con.execute(f"INSERT INTO {dst} FROM {src}")
        return int(changed[0]) if changed else 0
    cols = ", ".join(key)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE lake_gone AS SELECT {cols} FROM lake_new "
        f"UNION (SELECT {cols} FROM {dst} EXCEPT SELECT {cols} FROM {src})"
    )
    match = " AND ".join(f"{dst}.{k} = g.{k}" for k in key)
    con.execute(f"DELETE FROM {dst} USING lake_gone g WHERE {match}")
    con.execute(f"INSERT INTO {ALIAS}.{name} FROM lake_new")
    row = con.execute("SELECT count(*) FROM lake_gone").fetchone()  # keys added, changed, gone
    return int(row[0]) if row else 0


def _definitions(con: duckdb.DuckDBPyConnection, db: str) -> list[tuple[str, str]]:
    """(name, CREATE OR REPLACE ...) of the file's macros, then its views."""
    found: list[tuple[str, str]] = []
    macros = con.execute(
        "SELECT function_name, function_type, parameters, macro_definition FROM duckdb_functions()"
        " WHERE database_name = ? AND schema_name = 'main' AND NOT internal "
        "AND function_type IN ('macro', 'table_macro') ORDER BY function_name",
        [db],
    ).fetchall()
    for name, kind, params, body in macros:
        table = "TABLE " if kind == "table_macro" else ""
        args = ", ".join(params)
        found.append((name, f"CREATE OR REPLACE MACRO {name}({args}) AS {table}{body}"))
    views = con.execute(
        "SELECT view_name, sql FROM duckdb_views() WHERE database_name = ? "
        "AND schema_name = 'main' AND NOT internal ORDER BY view_name",
        [db],
    ).fetchall()
    for name, sql in views:
        found.append((name, "CREATE OR REPLACE " + str(sql).removeprefix("CREATE ")))
    return found


def _fingerprint(definitions: list[tuple[str, str]]) -> int:
    text = "\n".join(sql for _, sql in definitions)
    return int(hashlib.sha256(text.encode()).hexdigest()[:15], 16)


def _sync_definitions(con: duckdb.DuckDBPyConnection, db: str, published: int | None) -> bool:
    """Create the file's macros and views in the lake unless they are the ones last published
    (the lake prints them back in another form, so a fingerprint of the file's is compared);
    a view that needs one not made yet is tried again after the others, until a whole round
    makes no progress. True when they were created."""
    wanted = _definitions(con, db)
    fingerprint = _fingerprint(wanted)
    if fingerprint == published:
        return False
    con.execute(f"USE {ALIAS}")
    try:
        left = wanted
        while left:
            failed = []
            for name, sql in left:
                try:
                    con.execute(sql)
                except duckdb.CatalogException:
                    failed.append((name, sql))
            if len(failed) == len(left):
                raise LakeError(f"lake_views_unresolved: {', '.join(n for n, _ in failed)}")
            left = failed
    finally:
        con.execute(f"USE {_ident(db)}")
    _mark(con, _DEFINITIONS, fingerprint)
    return True


def _schema_version(con: duckdb.DuckDBPyConnection, db: str) -> int:
    row = con.execute(f"SELECT max(version) FROM {_ident(db)}.schema_migrations").fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def _logged(con: duckdb.DuckDBPyConnection, db: str) -> int:
    row = con.execute(f"SELECT count(*) FROM {_ident(db)}.lake_changes").fetchone()
    return int(row[0]) if row else 0


def _signature(con: duckdb.DuckDBPyConnection, db: str) -> tuple[object, ...]:
    """What the file holds, cheaply: columns, the last rowid of insert-only tables, the schema
    version, and the views and macros (no table is scanned)."""
    columns = _columns(con, db)
    found: list[object] = [_fingerprint(_definitions(con, db)), _schema_version(con, db)]
    for table in _tables(con, db):
        top = None
        if table in APPEND_ONLY:
            row = con.execute(f"SELECT max(rowid) FROM {_ident(db)}.{_ident(table)}").fetchone()
            top = row[0] if row else None
        found.append((table, str(columns.get(table)), top))
    return tuple(found)


#: (file, catalog) -> the signature of what this process last published there: a write that
#: changed nothing (a poll-state write with no news) then costs no lake round trip at all
_LAST_PUBLISHED: dict[tuple[str, str], tuple[object, ...]] = {}
#: connections of one process to one file share a DuckDB instance, and so its attached
#: databases: two threads publishing at once would both attach `lake` (the second fails with
#: "database with name lake already exists"), so a process publishes one at a time
_PUBLISHING = threading.Lock()


def publish(con: duckdb.DuckDBPyConnection, target: LakeTarget) -> Published:
    """Make the lake equal the DuckDB file `con` has open, in one lake transaction."""
    with _PUBLISHING:
        return _publish_if_changed(con, target)


def _publish_if_changed(con: duckdb.DuckDBPyConnection, target: LakeTarget) -> Published:
    started = time.monotonic()
    row = con.execute(
        "SELECT current_database(), (SELECT path FROM duckdb_databases() "
        "WHERE database_name = current_database())"
    ).fetchone()
    db, path = (str(row[0]), str(row[1])) if row else ("main", "")
    signature, where = _signature(con, db), (path, target.catalog)
    if _LAST_PUBLISHED.get(where) == signature and not _logged(con, db):
        return Published(0, 0, time.monotonic() - started)
    published = _publish(con, target, db, started)
    _LAST_PUBLISHED[where] = signature
    return published


def _mark(con: duckdb.DuckDBPyConnection, name: str, value: int) -> None:
    con.execute(f"INSERT INTO {ALIAS}.lake_watermarks VALUES (?, ?, now())", [name, value])


def _publish_table(
    con: duckdb.DuckDBPyConnection,
    db: str,
    table: str,
    marks: dict[str, int],
    how: tuple[bool, bool, dict[str, str]],
) -> tuple[int, bool]:
    """(rows sent, whether anything was) for one table; `how` is (columns the same as the
    lake's, whether in-place tables are compared in full, the table's column types)."""
    same, compare_all, types = how
    fresh = _ensure_table(con, db, table, same)
    if table in APPEND_ONLY:
        mark = _append(con, db, table, marks.get(table, 0), fresh)
        if mark < 0:
            return 0, False
        _mark(con, table, mark)
        return mark - (0 if fresh else marks.get(table, 0)), True
    row = con.execute(
        "SELECT count(*), count(*) FILTER (WHERE key IS NULL) FROM lake_sent WHERE table_name = ?",
        [table],
    ).fetchone()
    logged, whole = (int(row[0]), int(row[1])) if row else (0, 0)
    if fresh or compare_all or whole or table not in CHANGE_KEYS:
        return _diff(con, db, table), True
    if logged:
        return _send_keys(con, db, table, types), True
    return 0, False


def _publish(
    con: duckdb.DuckDBPyConnection, target: LakeTarget, db: str, started: float
) -> Published:
    attach(con, target, read_only=False)
    try:
        con.execute("BEGIN")
        try:
            con.execute(
                f"CREATE TABLE IF NOT EXISTS {ALIAS}.lake_watermarks (table_name VARCHAR, "
                "next_rowid BIGINT, published_at TIMESTAMPTZ)"
            )
            # the log as this transaction sees it: exactly these entries are sent and pruned
            con.execute(f"CREATE OR REPLACE TEMP TABLE lake_sent AS FROM {_ident(db)}.lake_changes")
            marks, rows, touched = _watermarks(con), 0, 0
            mine, theirs = _columns(con, db), _columns(con, ALIAS)
            schema = _schema_version(con, db)
            compare_all = marks.get(_SCHEMA) != schema
            for table in _tables(con, db):
                same = mine.get(table) == theirs.get(table)
                how = (same, compare_all, dict(mine.get(table, [])))
                sent, changed = _publish_table(con, db, table, marks, how)
                rows, touched = rows + sent, touched + changed
            touched += _sync_definitions(con, db, marks.get(_DEFINITIONS))
            if compare_all:
                _mark(con, _SCHEMA, schema)
            con.execute("COMMIT")
        except Exception:  # any failure: the lake keeps its last publication, whole
            con.execute("ROLLBACK")
            raise
        # the lake has them: prune what was sent (a crash before this sends them again, which
        # is harmless; entries logged since, by other threads, stay)
        con.execute(
            f"DELETE FROM {_ident(db)}.lake_changes WHERE seq IN (SELECT seq FROM lake_sent)"
        )
    except duckdb.Error as exc:
        raise LakeError(f"lake_publish_failed: {str(exc).splitlines()[0]}") from exc
    finally:
        con.execute(f"USE {_ident(db)}")
        con.execute(f"DETACH {ALIAS}")
    return Published(rows, touched, time.monotonic() - started)


def maintain(target: LakeTarget, keep_hours: float = 1.0) -> None:
    """Merge the small files each publication leaves, then expire snapshots older than
    `keep_hours` and delete the files only they held (a reader still on a snapshot that
    recent keeps its files)."""
    con = duckdb.connect()
    try:
        attach(con, target, read_only=False)
        older = f"now() - INTERVAL {float(keep_hours) * 3600:.0f} SECOND"
        con.execute(f"CALL ducklake_merge_adjacent_files('{ALIAS}')")
        con.execute(f"CALL ducklake_expire_snapshots('{ALIAS}', older_than => {older})")
        con.execute(f"CALL ducklake_cleanup_old_files('{ALIAS}', older_than => {older})")
    finally:
        con.close()
