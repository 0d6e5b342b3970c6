"""The flow process freezes the heap it has once started, once: later objects are collected
as usual, and a second cycle in the same process does not freeze the first one's state."""

import gc
import weakref

from wirewatch.ingest import heap


class _Cycle:
    def __init__(self) -> None:
        self.me = self  # a reference cycle: only the collector frees it


def test_the_started_heap_is_frozen_once_and_later_garbage_is_still_collected(monkeypatch):
    monkeypatch.setattr(heap, "_frozen", False)
    try:
        heap.freeze_started_heap()
        assert gc.get_freeze_count() > 0

        _Cycle()
        assert gc.collect() > 0  # made after the freeze: collected

        survivor = _Cycle()  # alive during the second call, as a cycle's state would be
        watch = weakref.ref(survivor)
        heap.freeze_started_heap()
        del survivor
        gc.collect()
        # a frozen object is never collected: the survivor was, so the second call froze nothing
        assert watch() is None
    finally:
        gc.unfreeze()
