"""Connections to the DuckDB file and the migrations that shape it.

DuckDB lets one process hold the file for writing and then nobody else can open it, not even
read-only. So connections are opened per batch and closed at once; when the file is locked,
we retry for a while and then fail with `DatabaseLocked`, which says who to wait for.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

import duckdb


class StorageError(Exception):
    """Base of storage errors."""


class DatabaseLocked(StorageError):
    """Another process (an ingest run) holds the DuckDB file."""


_LOCK_MARKERS = ("Could not set lock", "Conflicting lock")


def _open(path: Path, read_only: bool, retries: int, wait_s: float) -> duckdb.DuckDBPyConnection:
    for attempt in range(retries + 1):
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except duckdb.IOException as exc:
            if not any(marker in str(exc) for marker in _LOCK_MARKERS):
                raise
            if attempt == retries:
                raise DatabaseLocked(
                    f"{path} is locked by another process (an ingest run is writing); "
                    f"gave up after {retries + 1} tries, try again in a moment"
                ) from exc
            time.sleep(wait_s)
    raise AssertionError("unreachable")


@contextmanager
def connect(
    path: Path, *, read_only: bool = False, retries: int = 20, wait_s: float = 0.25
) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the file briefly; writers also bring the schema up to date."""
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    elif not path.exists():
        raise StorageError(f"{path} does not exist yet: run an ingest first")
    con = _open(path, read_only, retries, wait_s)
    try:
        if not read_only:
            apply_migrations(con)
        yield con
    finally:
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
