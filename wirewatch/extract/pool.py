"""Extraction workers kept for the life of the process, for the warm runner of `serve`: started
and warmed once, reused by every flow run the process executes."""

from __future__ import annotations

import atexit

from wirewatch.extract.workers import WorkerPool

_POOLS: dict[int, WorkerPool] = {}


def shared_pool(workers: int) -> WorkerPool:
    """Extraction workers kept for the life of this process (started once, warmed once)."""
    pool = _POOLS.get(workers)
    if pool is not None and not pool.broken:
        return pool
    if pool is not None:  # a worker died: its jobs failed; stop the others, start afresh
        pool.close()
    from extractors.process import warm_up

    pool = _POOLS[workers] = WorkerPool(workers, warm_up)
    return pool


@atexit.register
def _close_pools() -> None:
    for pool in _POOLS.values():
        pool.close()
    _POOLS.clear()
