"""The lake maintenance flow: staged rows already sequenced deleted, small files merged, old
snapshots expired and their files removed (`storage/lake.py:maintain`). Scheduled hourly in
`prefect.yaml` on the sequencer's pool.

Inputs: `keep_hours` (snapshots younger than this stay readable, with their files).
Output: how many staged rows were deleted.
Settings used: `WIREWATCH_LAKE` (required), `WIREWATCH_LAKE_DATA_PATH`.
"""

from __future__ import annotations

import asyncio

from prefect import flow, get_run_logger

from storage import staging
from storage.lake import LakeError, maintain
from wirewatch.settings import Settings


@flow(name="lake-maintenance")
async def maintain_lake(keep_hours: float = 1.0) -> int:
    """Prune applied staging rows, then compact and expire the lake."""
    target = Settings().lake_target()
    if target is None:
        raise LakeError("lake_required: nothing to maintain without WIREWATCH_LAKE")
    pruned = await asyncio.to_thread(staging.prune_applied, target)
    await asyncio.to_thread(maintain, target, keep_hours)
    get_run_logger().info("lake maintained: %d staged rows pruned", pruned)
    return pruned
