"""The flow process freezes the heap it has once started, once: later objects are collected
as usual, and a second cycle in the same process does not freeze the first one's state."""

import gc

from wirewatch.ingest import heap


class _Cycle:
    def __init__(self) -> None:
        self.me = self  # a reference cycle: only the collector frees it


def test_the_started_heap_is_frozen_once_and_later_garbage_is_still_collected(monkeypatch):
    monkeypatch.setattr(heap, "_frozen", False)
    try:
        heap.freeze_started_heap()
        frozen = gc.get_freeze_count()
        assert frozen > 0

        _Cycle()
        assert gc.collect() > 0  # made after the freeze: collected
        heap.freeze_started_heap()
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()
