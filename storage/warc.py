"""Raw HTML outside the database: WARC files in one folder, rotated by size, with each version's
(file, offset, length) in `article_versions` and each file in `warc_files` (migration 0010).

The writer appends records that the extraction workers built (`extractors.archive`) while it
holds the DuckDB write lock, so appends are serialized like the rows. Records are written and
synced before the batch's transaction commits, so a row never points at nothing; bytes that a
killed or rolled-back batch left after the last committed record are cut off by the next
append, so the files stay clean sequences of records that any WARC tool can read.
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb

from extractors.archive import read_response_body
from storage.changes import log_keys
from storage.db import transaction


@dataclass(frozen=True, slots=True)
class Pointer:
    warc_file: str
    offset: int
    length: int


@dataclass(frozen=True, slots=True)
class WarcArchive:
    """Where records go: `folder`, a new file once the current one passes `rotate_bytes`."""

    folder: Path
    rotate_bytes: int = 100 * 1024 * 1024

    def append(self, con: duckdb.DuckDBPyConnection, records: Sequence[bytes]) -> list[Pointer]:
        """Append the records to the current file (in one write); register a new file in
        `warc_files` inside the caller's transaction. Returns each record's pointer."""
        if not records:
            return []
        self.folder.mkdir(parents=True, exist_ok=True)
        name = self._current(con)
        path = self.folder / name
        path.touch()
        with path.open("r+b") as out:
            start = _committed_end(con, name)
            out.truncate(start)  # drop what a killed or rolled-back batch left behind
            out.seek(start)
            out.write(b"".join(records))
            out.flush()
            os.fsync(out.fileno())  # durable before the rows that point at it commit
        pointers, offset = [], start
        for record in records:
            pointers.append(Pointer(name, offset, len(record)))
            offset += len(record)
        return pointers

    def _current(self, con: duckdb.DuckDBPyConnection) -> str:
        row = con.execute(
            "SELECT warc_file FROM warc_files WHERE expired_at IS NULL "
            "ORDER BY created_at DESC, warc_file DESC LIMIT 1"
        ).fetchall()
        if row and _size(self.folder / row[0][0]) < self.rotate_bytes:
            return str(row[0][0])
        now = datetime.now(UTC)
        name = f"wirewatch-{now:%Y%m%dT%H%M%S%f}.warc.gz"
        log_keys(con, "warc_files", "SELECT ?", [name])  # in the caller's transaction
        con.execute("INSERT INTO warc_files VALUES (?, ?, NULL)", [name, now])
        return name


def _committed_end(con: duckdb.DuckDBPyConnection, name: str) -> int:
    """Where the file's last committed record ends (the file is append-only and warc_file is
    written in order, so min/max pruning keeps this to the newest row groups)."""
    row = con.execute(
        "SELECT coalesce(max(warc_offset + warc_length), 0) FROM article_versions "
        "WHERE warc_file = ?",
        [name],
    ).fetchall()
    return int(row[0][0])


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def expire_files(
    con: duckdb.DuckDBPyConnection, folder: Path, older_than_days: float, now: datetime
) -> list[str]:
    """Delete WARC files created more than `older_than_days` ago (never the newest one, which
    may still be appended to); mark them expired. Rows keep their pointers. Returns the names."""
    cutoff = now - timedelta(days=older_than_days)
    names = [
        str(row[0])
        for row in con.execute(
            "SELECT warc_file FROM warc_files WHERE expired_at IS NULL AND created_at < ? "
            "AND warc_file <> (SELECT arg_max(warc_file, (created_at, warc_file)) "
            "FROM warc_files) ORDER BY warc_file",
            [cutoff],
        ).fetchall()
    ]
    for name in names:
        (folder / name).unlink(missing_ok=True)
    if names:
        with transaction(con):
            log_keys(con, "warc_files", "SELECT unnest(?)", [names])
            con.execute(
                "UPDATE warc_files SET expired_at = ? WHERE warc_file IN (SELECT unnest(?))",
                [now, names],
            )
    return names


def read_raw_html(
    con: duckdb.DuckDBPyConnection, folder: Path, article_id: str, version: int
) -> bytes | None:
    """The raw response body of one version: from its WARC record, or from `raw_html_z` for
    versions stored before the archive; None when its file has expired (or was lost)."""
    rows = con.execute(
        "SELECT v.raw_html_z, v.warc_file, v.warc_offset, v.warc_length, w.expired_at "
        "FROM article_versions v LEFT JOIN warc_files w USING (warc_file) "
        "WHERE v.article_id = ? AND v.version = ?",
        [article_id, version],
    ).fetchall()
    if not rows:
        raise KeyError(f"no version {version} of article {article_id}")
    raw_z, name, offset, length, expired = rows[0]
    if name is None:
        return zlib.decompress(raw_z) if raw_z else None
    path = folder / name
    if expired is not None or not path.exists():
        return None
    with path.open("rb") as archive:
        archive.seek(offset)
        return read_response_body(archive.read(length))


def place_records(
    con: duckdb.DuckDBPyConnection, archive: WarcArchive | None, records: Sequence[bytes]
) -> list[dict[str, object]]:
    """The columns that locate each version's raw body: WARC pointers when archiving, else the
    body back in `raw_html_z` (a record never gets lost for want of an archive)."""
    if archive is None:
        return [
            {"raw_html_z": zlib.compress(read_response_body(r), 3)} if r else {} for r in records
        ]
    pointers = iter(archive.append(con, [r for r in records if r]))
    placed: list[dict[str, object]] = []
    for record in records:
        if not record:
            placed.append({})
            continue
        pointer = next(pointers)
        placed.append(
            {
                "warc_file": pointer.warc_file,
                "warc_offset": pointer.offset,
                "warc_length": pointer.length,
            }
        )
    return placed
