"""Progress of a long run (reprocess): a Prefect progress artifact and a bar on the terminal
(a plain log line per step when stderr is not a terminal)."""

from __future__ import annotations

import logging
import sys
from uuid import UUID

_LOG = logging.getLogger("wirewatch.ingest.progress")


def bar(done: int, total: int, width: int = 30) -> str:
    share = done / total if total else 1.0
    filled = round(share * width)
    return f"[{'#' * filled}{'.' * (width - filled)}] {share:4.0%} {done}/{total}"


class RunProgress:
    """`await start()`, then `await advance(n)` per batch; the artifact lives with the run."""

    def __init__(self, name: str, total: int) -> None:
        self.name, self.total, self.done = name, total, 0
        self._artifact: UUID | None = None

    async def start(self) -> None:
        from prefect.artifacts import acreate_progress_artifact

        self._artifact = await acreate_progress_artifact(
            0.0, key=f"{self.name}-progress", description=f"{self.name}: {self.total} to do"
        )
        self._show()

    async def advance(self, count: int) -> None:
        from prefect.artifacts import aupdate_progress_artifact

        self.done = min(self.total, self.done + count)
        if self._artifact is not None:
            percent = 100.0 * self.done / self.total if self.total else 100.0
            await aupdate_progress_artifact(self._artifact, percent)
        self._show()

    def _show(self) -> None:
        line = f"{self.name} {bar(self.done, self.total)}"
        if sys.stderr.isatty():
            end = "\n" if self.done >= self.total else ""
            print(f"\r{line}", end=end, file=sys.stderr, flush=True)
        else:
            _LOG.info(line)
