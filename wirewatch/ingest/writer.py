"""The one writer of an ingest run: batches are written one at a time, in batch order, off
the event loop (so polling, fetching and extraction go on while a group is written).

Each batch runs inside `batch(index)`; its first write waits until every earlier batch has
ended (written all its groups, or failed), so the order of writes does not depend on which
batch's pages were extracted first.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager

import duckdb

from storage import records
from storage.db import DatabaseLocked
from wirewatch.fetch import polling
from wirewatch.ingest import archive, cycle
from wirewatch.sequence.grouping import Grouping
from wirewatch.settings import Settings, open_db

#: body hashes kept from one group to the next (~50 KB each): a copy found in a later group
#: is compared with hashes the workers made, not hashed again from its stored text
KEEP_HASHES = 1000


class Writer:
    def __init__(self, settings: Settings, run_id: str, grouping: Grouping) -> None:
        self.settings, self.run_id, self.grouping = settings, run_id, grouping
        self._hashes: OrderedDict[tuple[str, str], frozenset[int]] = OrderedDict()
        self._ended: set[int] = set()
        self._turns = asyncio.Condition()

    @asynccontextmanager
    async def batch(self, index: int) -> AsyncIterator[None]:
        """The body of batch `index` (batches are numbered from 0, in order)."""
        try:
            yield
        finally:
            async with self._turns:
                self._ended.add(index)
                self._turns.notify_all()

    async def write(
        self,
        index: int,
        polled: Sequence[cycle.Polled],
        done: Sequence[cycle.Done],
        log: logging.Logger | logging.LoggerAdapter[logging.Logger],
    ) -> records.BatchResult | None:
        """Write one group of batch `index` once the batches before it have ended; None when
        readers held the file past `db_write_wait_s` (the group is left to the next cycle,
        which polls its feeds again and finds their entries new)."""
        async with self._turns:
            await self._turns.wait_for(lambda: self._ended.issuperset(range(index)))
        try:
            return await asyncio.to_thread(self._write, polled, done)
        except DatabaseLocked as exc:
            log.warning("batch deferred to the next cycle: %s", exc)
            return None

    def _write(
        self, polled: Sequence[cycle.Polled], done: Sequence[cycle.Done]
    ) -> records.BatchResult:
        batch = cycle.assemble_batch(polled, done, self.run_id, self.settings)
        self._hashes.update(cycle.body_hashes(done))
        while len(self._hashes) > max(KEEP_HASHES, len(done)):
            self._hashes.popitem(last=False)
        group = self.grouping.with_hashes(self._hashes)
        with open_db(self.settings) as con:
            # one thread: a group's statements are small, and DuckDB's second thread would
            # take the core an extraction worker needs (~0.1-0.2 CPU ms a page less); the
            # setting is the database instance's, so a read opened meanwhile has it too
            con.execute(f"SET threads = {int(self.settings.write_threads)}")
            return apply_batch(con, batch, group, self.settings)


def apply_batch(
    con: duckdb.DuckDBPyConnection,
    batch: records.Batch,
    group: Grouping,
    settings: Settings,
    before_commit: Callable[[duckdb.DuckDBPyConnection], None] | None = None,
) -> records.BatchResult:
    """The write half of a cycle, for the one-box writer and the sequencer alike: a batch's
    rows in one transaction (versions, stories, events, claims), then its feeds' schedule."""
    result = records.write_batch(
        con,
        batch,
        group=group,
        archive=archive.raw_archive(settings),
        before_commit=before_commit,
    )
    polling.schedule_polls(con, batch.polls, settings)  # lost with a crash: polled again
    return result
