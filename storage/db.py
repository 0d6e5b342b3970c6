"""Connections to the DuckDB file and the migrations that shape it.

DuckDB lets one process hold the file for writing and then nobody else can open it, not even
read-only. So connections are opened per batch and closed at once; when the file is locked,
we retry for a while and then fail with `DatabaseLocked`, which names the process holding it.
Read-only connections cannot touch any other file (no COPY TO, no read_csv, no ATTACH).
One ingest run at a time: `run_lock` holds an flock on a file beside the database.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

if TYPE_CHECKING:
    from storage.lake import LakeTarget


class StorageError(Exception):
    """Base of storage errors."""


class DatabaseLocked(StorageError):
    """Another process (a writer or a reader) holds the DuckDB file; the message says which."""


class RunInProgress(StorageError):
    """Another ingest run holds the run lock of this database."""


#: a lock held by another process, or (within this process) the file attached by a writer
_LOCK_MARKERS = ("Could not set lock", "Conflicting lock", "Unique file handle conflict")
#: One open or close at a time per process: batches are pipelined, so a poll and a write can
#: open the same file from two threads at once, and DuckDB's Python client once answered a write
#: made right then with "Table Function with name python_arrow_scan does not exist" (seen once
#: in 20 kill trials under load); the open costs 15-25 ms, so serializing it costs nothing.
_OPENING = threading.Lock()
#: A read-only connection may read the database file and nothing else, and cannot undo that.
_READ_ONLY_CONFIG = {"enable_external_access": False, "lock_configuration": True}
#: Rows per row group of what a writer appends (DuckDB's default is 122,880). A checkpoint
#: rewrites the last row group of every table a write appended to, and DuckDB appends to that
#: group rather than starting a new one when the table has an index, so with the default the
#: checkpoint after one new version rewrote up to 122,880 rows of `article_versions` (0.17-0.26
#: s at 1M versions with 17k rows in its last group). Smaller groups bound that, but every
#: checkpoint also writes something per row group of the whole file (a write to a one-row
#: table, at 1M versions: 0.025 s with the default, 0.041 s with 32,768, 0.106 s with 8,192);
#: 32,768 was the fastest 1-article cycle of the three measured (docs/decisions.md, Storage).
ROW_GROUP_SIZE = 32_768
#: The storage format of a file a writer creates (DuckDB's default is v1.0.0, for old readers).
#: Its checkpoint writes less for each row group of the file, changed or not: a one-row write's
#: close with 3,000 row groups stored took 0.020 s, against 0.060 s with v1.0.0, and the files
#: are 15% smaller. Only DuckDB 1.5 and later can open it; this project pins 1.5.5. A file
#: created with v1.0.0 keeps its format (attached with v1.5.0 it would only be relabelled: its
#: stored row groups keep the old metadata and the old cost).
STORAGE_VERSION = "v1.5.0"
#: catalog names DuckDB keeps for itself (`memory` is the writer instance's own)
_RESERVED_NAMES = frozenset({"memory", "main", "temp", "system"})


def describe_process(pid: int) -> str:
    """'PID 123 (wirewatch query ...)', or just 'PID 123' when its command line is unreadable."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            words = handle.read().split(b"\0")
    except OSError:
        return f"PID {pid}"
    command = " ".join(w.decode(errors="replace") for w in words if w)[:120]
    return f"PID {pid} ({command})" if command else f"PID {pid}"


def _holder(message: str) -> str:
    if "Unique file handle conflict" in message:
        return "another connection of this process"
    found = re.search(r"PID (\d+)", message)
    return describe_process(int(found.group(1))) if found else "another process"


def _open(path: Path, read_only: bool, retries: int, wait_s: float) -> duckdb.DuckDBPyConnection:
    config: dict[str, str | bool | int | float | list[str]] = (
        dict(_READ_ONLY_CONFIG) if read_only else {}
    )
    started = time.monotonic()
    for attempt in range(retries + 1):
        try:
            with _OPENING:
                if read_only:
                    return duckdb.connect(str(path), read_only=True, config=config)
                return _open_writer(path)
        except (duckdb.IOException, duckdb.BinderException) as exc:
            if not any(marker in str(exc) for marker in _LOCK_MARKERS):
                raise
            if attempt == retries:
                raise DatabaseLocked(
                    f"{path} is held by {_holder(str(exc))}; gave up after "
                    f"{time.monotonic() - started:.0f} s ({retries + 1} tries)"
                ) from exc
            time.sleep(wait_s)
    raise AssertionError("unreachable")


def _open_writer(path: Path) -> duckdb.DuckDBPyConnection:
    """A write connection: the file attached with `ROW_GROUP_SIZE` (an ATTACH option only) to
    an in-memory instance named for the file, so this process's writers share one instance as
    `duckdb.connect(path)` would share it, and the file is checkpointed when the last closes.
    The attached catalog takes the name `duckdb.connect` gives it (the file's stem), or
    `<stem>_db` where DuckDB keeps that name for itself. A new file gets `STORAGE_VERSION`."""
    resolved = path.resolve()
    instance = hashlib.blake2b(str(resolved).encode(), digest_size=8).hexdigest()
    con = duckdb.connect(f":memory:wirewatch-{instance}")
    try:
        name = path.stem if path.stem.lower() not in _RESERVED_NAMES else f"{path.stem}_db"
        alias = _identifier(name)
        options = f"ROW_GROUP_SIZE {ROW_GROUP_SIZE}"
        if not resolved.exists():
            options += f", STORAGE_VERSION '{STORAGE_VERSION}'"
        con.execute(f"ATTACH IF NOT EXISTS {_literal(str(resolved))} AS {alias} ({options})")
        attached = con.execute(
            "SELECT path FROM duckdb_databases() WHERE database_name = ?", [name]
        ).fetchall()
        if [row[0] for row in attached] != [str(resolved)]:
            raise StorageError(f"{path}: the name {name!r} is attached to another database")
        con.execute(f"USE {alias}")
    except BaseException:
        con.close()
        raise
    return con


def _identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@contextmanager
def run_lock(path: Path) -> Iterator[None]:
    """Hold the ingest run lock of the database at `path` (a file beside it); raise
    `RunInProgress` naming the holder when another run has it. The kernel drops an flock
    when its process dies, so a killed run never leaves the lock behind."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lock_path = path.with_name(path.name + ".run-lock")
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip()
            who = describe_process(int(holder)) if holder.isdigit() else "another process"
            raise RunInProgress(
                f"an ingest run is already in progress on {path} ({who}); this run exits"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield
    finally:
        os.close(fd)


@contextmanager
def connect(
    path: Path,
    *,
    read_only: bool = False,
    retries: int = 20,
    wait_s: float = 0.25,
    lake: LakeTarget | None = None,
) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the file briefly; writers also bring the schema up to date, and in lake mode
    publish what they wrote to the lake before the file is let go (storage/lake.py)."""
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    elif not path.exists():
        raise StorageError(f"{path} does not exist yet: run an ingest first")
    con = _open(path, read_only, retries, wait_s)
    try:
        if not read_only:
            apply_migrations(con)
        yield con
        if lake is not None and not read_only:
            from storage.lake import publish

            publish(con, lake)
        elif not read_only:  # nothing publishes and prunes the changed-keys log here
            from storage.changes import fold_if_long

            fold_if_long(con)
    finally:
        with _OPENING:
            con.close()


def _migrations() -> list[tuple[int, str, str]]:
    folder = resources.files("storage") / "migrations"
    found = []
    for item in folder.iterdir():
        if item.name.endswith(".sql"):
            number = int(item.name.split("_", 1)[0])
            found.append((number, item.name, item.read_text(encoding="utf-8")))
    return sorted(found)


def apply_migrations(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Apply each pending migration in its own transaction, with its record."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        "version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, "
        "applied_at TIMESTAMPTZ NOT NULL)"
    )
    rows = con.execute("SELECT version FROM schema_migrations").fetchall()
    done = {row[0] for row in rows}
    applied = []
    for number, name, sql in _migrations():
        if number in done:
            continue
        con.execute("BEGIN")
        try:
            con.execute(sql)
            con.execute(
                "INSERT INTO schema_migrations VALUES (?, ?, ?)", [number, name, datetime.now(UTC)]
            )
            con.execute("COMMIT")
        except Exception:  # any failure: leave the schema exactly as it was
            con.execute("ROLLBACK")
            raise
        applied.append(name)
    return applied


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """One transaction around a change (and its changed-keys log entry): all of it lands or
    none. Not for a caller already in one (a failed BEGIN would abort the caller's, so there
    is no "join if open")."""
    con.execute("BEGIN")
    try:
        yield
        con.execute("COMMIT")
    except Exception:  # the change lands whole or not at all
        con.execute("ROLLBACK")
        raise
