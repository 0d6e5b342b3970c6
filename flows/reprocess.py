"""The reprocess flow: run the current claim extractor over every stored article version.

Inputs: the DuckDB path (flow parameter, else `WIREWATCH_DB_PATH`).
Output: counts (versions read, claims written).
Settings used: db_path, db_lock_*, extract_workers, and batch size `reprocess_batch_size`.

Each batch replaces the current extractor version's claims of its article versions in one
transaction; claims written by other extractor versions stay queryable. Re-running is safe.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from extractors.claims import EXTRACTOR_VERSION, extract_claims
from flows.ingest import extraction_pool
from storage import records
from wirewatch.extract.workers import WorkerPool
from wirewatch.ingest.cycle import claim_row
from wirewatch.ingest.progress import RunProgress
from wirewatch.settings import Settings, open_db

Version = tuple[str, int, str]  # article_id, version, text


def claims_of(item: Version) -> tuple[str, int, tuple[records.ClaimRow, ...]]:
    """Worker function: the claims of one stored version."""
    article_id, version, text = item
    return article_id, version, tuple(claim_row(c) for c in extract_claims(text))


@task(cache_policy=NO_CACHE)
def read_batch(after: tuple[str, int], settings: Settings) -> list[Version]:
    with open_db(settings) as con:
        return records.load_versions(con, after, settings.reprocess_batch_size)


@task(cache_policy=NO_CACHE)
async def extract_batch(
    batch: list[Version], pool: WorkerPool | None
) -> list[tuple[str, int, tuple[records.ClaimRow, ...]]]:
    if pool is None:
        return [claims_of(item) for item in batch]
    return list(await asyncio.gather(*(pool.run(claims_of, item) for item in batch)))


@task(cache_policy=NO_CACHE)
def write_batch(
    found: list[tuple[str, int, tuple[records.ClaimRow, ...]]], settings: Settings
) -> int:
    now = datetime.now(UTC)
    sets = [
        (article_id, version, EXTRACTOR_VERSION, claims, now)
        for article_id, version, claims in found
    ]
    with open_db(settings) as con:
        return records.replace_claims(con, sets)


@task(cache_policy=NO_CACHE)
def count_versions(settings: Settings) -> int:
    with open_db(settings) as con:
        return records.count_versions(con)


@flow(name="reprocess", log_prints=True)
async def reprocess(db_path: str | None = None) -> dict[str, int]:
    """Re-extract claims from every stored article version with the current extractor."""
    overrides: dict[str, Any] = {"db_path": db_path} if db_path else {}
    settings = Settings(**overrides)
    totals = {"versions": 0, "claims": 0}
    after: tuple[str, int] = ("", 0)
    progress = RunProgress("reprocess", count_versions(settings))
    await progress.start()
    with extraction_pool(settings.extract_workers) as pool:
        while batch := read_batch(after, settings):
            found = await extract_batch(batch, pool)
            totals["claims"] += write_batch(found, settings)
            totals["versions"] += len(batch)
            after = (batch[-1][0], batch[-1][1])
            await progress.advance(len(batch))
    print(f"reprocess done with {EXTRACTOR_VERSION}: {totals}")
    return totals
