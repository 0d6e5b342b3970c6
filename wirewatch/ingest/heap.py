"""The flow process's heap and Python's cyclic garbage collector.

A run's process holds ~250k long-lived objects once it has started (imported modules, Prefect's
state, httpx, DuckDB and Arrow bindings). The collector's older generations walk all of them
again and again while a cycle allocates its pages, rows and results. Freezing what exists once
the process has started moves it out of the collector's sight for good (`gc.freeze`); what is
made later is collected as usual.
"""

from __future__ import annotations

import atexit
import gc

_frozen = False


def freeze_started_heap() -> None:
    """Collect, then freeze what survives; once per process (the warm daemon's later cycles
    keep the first freeze: a second would also freeze the state of the cycle before)."""
    global _frozen
    if _frozen:
        return
    gc.collect()  # garbage is collected first, so none of it is frozen for good
    gc.freeze()
    # at exit the heap goes back to the collector: DuckDB's bindings report every object of
    # theirs left uncollected then as a leak ("nanobind: leaked 27 instances!")
    atexit.register(gc.unfreeze)
    _frozen = True
