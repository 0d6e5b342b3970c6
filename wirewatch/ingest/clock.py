"""The clock of one cycle: the machine's, or one that starts at `settings.now` (replays, tests).

Every time a cycle records (polls, fetches, entries, what is due next) is read from it, so a
replay run "as of" a stream's snapshot time stores its versions on the stream's clock.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from wirewatch.settings import Settings


@dataclass(frozen=True, slots=True)
class Clock:
    start: datetime  # the cycle's start, on its clock
    started: float  # time.monotonic() at that start

    def now(self) -> datetime:
        return self.start + timedelta(seconds=time.monotonic() - self.started)


def cycle_clock(settings: Settings) -> Clock:
    """A clock starting now, or at `settings.now` when set."""
    return Clock(settings.now or datetime.now(UTC), time.monotonic())
