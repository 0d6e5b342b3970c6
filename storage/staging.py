"""The staging table between the fetch-and-extract workers and the one sequencer.

Workers append each batch they extracted to the keyless lake table `staged_rows`, in ONE lake
transaction per batch (hundreds of rows a commit: commits are the lake's shared limit, ~110 a
second over all writers). A batch is its poll, entry, page and fetch rows plus the body hashes
the workers computed, each row a JSON document of one `storage.records` dataclass (bytes as
base64, times as ISO 8601), so the sequencer rebuilds exactly the `Batch` a one-box run writes.

The sequencer's watermark is the set of batches it applied (`staging_applied`, migration 0035,
written in the same local transaction as the batch's records and published with them), not a
number: workers commit concurrently, so a batch id or commit order seen later may belong to a
batch that started earlier. Pending batches are read in the order their cycles started
(`started_at`, then shard and chunk) and written in generations of batches whose feeds do not
repeat, one write per generation, so a cycle's shards are sequenced as one batch, as one box
would (story and event assignment takes a batch's versions in its own canonical order).

Workers read feed state (validators, entries seen, the schedule) from the lake's mirror of the
sequencer's tables, which lags the sequencer by its last publication.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import duckdb
import pyarrow as pa

from storage import lake
from storage.lake import LakeError, LakeTarget
from storage.records import Batch, ClaimRow, EntryRow, FetchRow, PollRow, VersionRow

TABLE = "staged_rows"
_KINDS: dict[str, type[Any]] = {
    "poll": PollRow,
    "entry": EntryRow,
    "page": VersionRow,
    "fetch": FetchRow,
}
#: a staging commit that lost a race with another writer is tried again this many times
COMMIT_TRIES = 5


@dataclass(frozen=True, slots=True)
class StagedBatch:
    batch_id: str
    shard: int
    started_at: datetime  # when the worker's cycle started: the sequencing order
    chunk: int  # the batch's place in its worker run
    batch: Batch
    hashes: dict[tuple[str, str], frozenset[int]]

    @property
    def feed_ids(self) -> set[str]:
        return {p.feed_id for p in self.batch.polls} | {e.feed_id for e in self.batch.entries}


def shard_of(url: str, shards: int) -> int:
    """The shard of a feed: a stable hash of its host (and port, as politeness keys hosts),
    so one host's requests all come from one worker and keep its delays."""
    host = urlsplit(url).netloc.lower().encode()
    return int.from_bytes(hashlib.blake2b(host, digest_size=8).digest(), "big") % max(shards, 1)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"$t": value.isoformat()}
    if isinstance(value, bytes):
        return {"$b": base64.b64encode(value).decode("ascii")}
    if isinstance(value, ClaimRow):
        return {"$c": _fields(value)}
    if isinstance(value, tuple):
        return {"$l": [_plain(v) for v in value]}
    return value


def _typed(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    if "$t" in value:
        return datetime.fromisoformat(value["$t"])
    if "$b" in value:
        return base64.b64decode(value["$b"])
    if "$c" in value:
        return ClaimRow(**{k: _typed(v) for k, v in value["$c"].items()})
    if "$l" in value:
        return tuple(_typed(v) for v in value["$l"])
    raise LakeError(f"staged_row_invalid: unknown value tag {sorted(value)}")


def _fields(row: Any) -> dict[str, Any]:
    return {f.name: _plain(getattr(row, f.name)) for f in fields(row)}


def encode(staged: StagedBatch) -> list[tuple[str, str]]:
    """(kind, JSON) for every row of a staged batch, in its order."""
    out = [("poll", json.dumps(_fields(r))) for r in staged.batch.polls]
    out += [("entry", json.dumps(_fields(r))) for r in staged.batch.entries]
    out += [("page", json.dumps(_fields(r))) for r in staged.batch.pages]
    out += [("fetch", json.dumps(_fields(r))) for r in staged.batch.fetches]
    out += [("hashes", json.dumps([k[0], k[1], sorted(v)])) for k, v in staged.hashes.items()]
    return out


def decode(head: tuple[str, int, datetime, int], rows: Iterable[tuple[str, str]]) -> StagedBatch:
    """The batch `encode` wrote (head: batch id, shard, started_at, chunk)."""
    parts: dict[str, list[Any]] = {kind: [] for kind in _KINDS}
    hashes: dict[tuple[str, str], frozenset[int]] = {}
    for kind, body in rows:
        value = json.loads(body)
        if kind == "hashes":
            hashes[(value[0], value[1])] = frozenset(value[2])
        elif kind in _KINDS:
            parts[kind].append(_KINDS[kind](**{k: _typed(v) for k, v in value.items()}))
        else:
            raise LakeError(f"staged_row_invalid: unknown kind {kind!r}")
    batch = Batch(parts["poll"], parts["entry"], parts["page"], parts["fetch"])
    return StagedBatch(head[0], head[1], head[2], head[3], batch, hashes)


_CREATE = (
    f"CREATE TABLE IF NOT EXISTS {lake.ALIAS}.{TABLE} (batch_id VARCHAR, shard INTEGER, "
    "started_at TIMESTAMPTZ, chunk INTEGER, staged_at TIMESTAMPTZ, seq INTEGER, kind VARCHAR, "
    "body VARCHAR)"
)


def stage(target: LakeTarget, staged: StagedBatch) -> int:
    """Append one batch to the lake in one lake transaction; returns its row count. A commit
    that loses a race with another writer (two creating the table at once) is tried again."""
    rows = encode(staged)
    now = datetime.now(UTC)
    table = pa.table(
        {
            "batch_id": [staged.batch_id] * len(rows),
            "shard": pa.array([staged.shard] * len(rows), pa.int32()),
            "started_at": [staged.started_at] * len(rows),
            "chunk": pa.array([staged.chunk] * len(rows), pa.int32()),
            "staged_at": [now] * len(rows),
            "seq": pa.array(range(len(rows)), pa.int32()),
            "kind": [kind for kind, _ in rows],
            "body": [body for _, body in rows],
        }
    )
    for attempt in range(COMMIT_TRIES):
        con = duckdb.connect()
        try:
            lake.attach(con, target, read_only=False)
            con.execute("BEGIN")
            con.execute(_CREATE)
            con.register("staged_arrow", table)
            con.execute(f"INSERT INTO {lake.ALIAS}.{TABLE} SELECT * FROM staged_arrow")
            con.execute("COMMIT")
            return len(rows)
        except duckdb.Error as exc:
            if attempt == COMMIT_TRIES - 1:
                raise LakeError(f"lake_stage_failed: {str(exc).splitlines()[0]}") from exc
        finally:
            con.close()
    return 0  # not reached: the last try raises


@contextmanager
def _lake_reader(target: LakeTarget) -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect()
    try:
        try:
            lake.attach(con, target, read_only=True)
        except LakeError:  # a lake nobody wrote yet cannot be read: attaching it creates it
            lake.attach(con, target, read_only=False)
        yield con
    finally:
        con.close()


def _has(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    found = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE database_name = ? AND table_name = ?",
        [lake.ALIAS, table],
    ).fetchone()
    return bool(found and found[0])


def pending(target: LakeTarget, applied: set[str], limit: int) -> list[StagedBatch]:
    """Up to `limit` staged batches not in `applied`, in the order their cycles started."""
    with _lake_reader(target) as con:
        if not _has(con, TABLE):
            return []
        heads = con.execute(
            f"SELECT DISTINCT batch_id, shard, started_at, chunk FROM {lake.ALIAS}.{TABLE} "
            "WHERE batch_id NOT IN (SELECT unnest(?)) ORDER BY started_at, shard, chunk, batch_id "
            "LIMIT ?",
            [sorted(applied), limit],
        ).fetchall()
        if not heads:
            return []
        rows = con.execute(
            f"SELECT batch_id, kind, body FROM {lake.ALIAS}.{TABLE} "
            "WHERE batch_id IN (SELECT unnest(?)) ORDER BY batch_id, seq",
            [[h[0] for h in heads]],
        ).fetchall()
    by_batch: dict[str, list[tuple[str, str]]] = {}
    for batch_id, kind, body in rows:
        by_batch.setdefault(batch_id, []).append((kind, body))
    return [decode(h, by_batch.get(h[0], [])) for h in heads]


def generations(batches: Sequence[StagedBatch]) -> list[list[StagedBatch]]:
    """Consecutive batches grouped while no feed repeats (a feed twice in one write would be
    two polls of it in one transaction): a cycle's shards make one generation."""
    found: list[list[StagedBatch]] = []
    seen: set[str] = set()
    for staged in batches:
        feeds = staged.feed_ids
        if not found or feeds & seen:
            found.append([])
            seen = set()
        found[-1].append(staged)
        seen |= feeds
    return found


def merge(generation: Sequence[StagedBatch]) -> tuple[Batch, dict[tuple[str, str], frozenset[int]]]:
    """One batch of a generation's rows, and their body hashes."""
    batches = [s.batch for s in generation]
    hashes: dict[tuple[str, str], frozenset[int]] = {}
    for staged in generation:
        hashes.update(staged.hashes)
    merged = Batch(
        polls=[r for b in batches for r in b.polls],
        entries=[r for b in batches for r in b.entries],
        pages=[r for b in batches for r in b.pages],
        fetches=[r for b in batches for r in b.fetches],
    )
    return merged, hashes


def applied_ids(con: duckdb.DuckDBPyConnection) -> set[str]:
    """The staged batches the sequencer's file holds (the authority; the lake may lag it)."""
    return {str(r[0]) for r in con.execute("SELECT batch_id FROM staging_applied").fetchall()}


def mark_applied(con: duckdb.DuckDBPyConnection, generation: Sequence[StagedBatch]) -> None:
    """Record a generation as applied (called inside its write transaction)."""
    for staged in generation:
        con.execute(
            "INSERT INTO staging_applied VALUES (?, ?, ?, now())",
            [staged.batch_id, staged.shard, staged.started_at],
        )


def prune_applied(target: LakeTarget) -> int:
    """Delete the staged rows of batches the lake says were applied (maintenance)."""
    con = duckdb.connect()
    try:
        lake.attach(con, target, read_only=False)
        if not (_has(con, TABLE) and _has(con, "staging_applied")):
            return 0
        row = con.execute(
            f"DELETE FROM {lake.ALIAS}.{TABLE} WHERE batch_id IN "
            f"(SELECT batch_id FROM {lake.ALIAS}.staging_applied)"
        ).fetchone()
        return int(row[0]) if row else 0
    finally:
        con.close()


@contextmanager
def lake_state(target: LakeTarget) -> Iterator[duckdb.DuckDBPyConnection | None]:
    """The lake's mirror of the sequencer's tables, as the default catalog (what workers read
    feed state from), or None before the sequencer first published."""
    with _lake_reader(target) as con:
        if not _has(con, "feeds") or not _has(con, "entries"):
            yield None
            return
        con.execute(f"USE {lake.ALIAS}")
        yield con
