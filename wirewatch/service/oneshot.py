"""A one-shot `wirewatch run` under a Prefect server that may go away.

The run creates its ingest flow run itself (tagged with its process, see
`wirewatch.service.ghosts`), so it knows the run's id and its server's address. While the flow
works, a watchdog thread asks the server's `/health` every second: after `LOST_AFTER` failures
in a row the server is gone (killed, or its machine) and the run stops at once with one line
(`prefect_server_lost`) and exit 1, instead of Prefect's engine retrying its state reports and
event sockets for minutes. Ctrl-C or SIGTERM set the flow run `Cancelled` (when the server still
answers) before exit 130. A run whose server died cannot report anything: the next `run` or
`serve` marks it `Crashed` (`crash_ghost_runs`). Exiting at once loses nothing: a batch is
written in one transaction, the run lock is an flock, and whatever the run started dies with it
(`guard_descendants`).
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from wirewatch.exits import ExitCode
from wirewatch.service.ghosts import crash_ghost_runs, owner_tag, set_run_state

SERVER_LOST = "prefect_server_lost"
LOST_AFTER = 3  # failed health checks in a row: a busy server still answers within HEALTH_TIMEOUT_S
HEALTH_EVERY_S = 1.0
HEALTH_TIMEOUT_S = 2.0


@dataclass
class OneShot:
    """The flow run a one-shot command is running, once it exists."""

    command: str
    api_url: str = ""
    run_id: str = ""

    def interrupted(self) -> None:
        """Ctrl-C or SIGTERM: the flow run `Cancelled` if the server answers; one line; 130."""
        if self.run_id:
            message = "cancelled: interrupted (Ctrl-C or SIGTERM)"
            set_run_state(self.api_url, self.run_id, "CANCELLED", message, timeout_s=2.0)
        _exit(f"wirewatch {self.command}: interrupted", ExitCode.INTERRUPTED)

    def server_lost(self) -> None:
        _exit(
            f"wirewatch {self.command}: {SERVER_LOST}: the Prefect server at {self.api_url} "
            f"stopped answering; flow run {self.run_id} stopped",
            ExitCode.FAILED,
        )


def _exit(line: str, code: int) -> None:
    print(line, file=sys.stderr, flush=True)
    os._exit(code)  # now: no engine retries, no atexit hooks waiting on a dead server


def server_healthy(api_url: str) -> bool:
    try:
        answer = httpx.get(f"{api_url}/health", timeout=HEALTH_TIMEOUT_S, trust_env=False)
    except httpx.TransportError:
        return False
    return answer.status_code == 200


def watch_server(api_url: str, on_lost: Callable[[], None], stop: threading.Event) -> None:
    """Call `on_lost` once the server failed `LOST_AFTER` health checks in a row (or `stop`).
    While it fails, Prefect's API log handler keeps its errors to itself: it writes
    `--- Error logging to API ---` for every batch it cannot send, unless the stdlib's
    `logging.raiseExceptions` is off (the setting meant for that)."""
    failures, raise_before = 0, logging.raiseExceptions
    try:
        while not stop.wait(HEALTH_EVERY_S):
            failures = 0 if server_healthy(api_url) else failures + 1
            logging.raiseExceptions = raise_before if failures == 0 else False
            if failures >= LOST_AFTER:
                on_lost()
                return
    finally:
        logging.raiseExceptions = raise_before


async def run_once(flow: Any, parameters: dict[str, Any], shot: OneShot) -> Any:
    """Run `flow` once as a new flow run; return its final state."""
    from prefect.client.orchestration import get_client
    from prefect.flow_engine import run_flow_async

    async with get_client() as client:  # starts the temporary server when none is up
        shot.api_url = str(client.api_url).rstrip("/")
        crash_ghost_runs(shot.api_url)
        run = await client.create_flow_run(
            flow, parameters=parameters, tags=["wirewatch", "one-shot", owner_tag()]
        )
    shot.run_id = str(run.id)
    stop = threading.Event()
    watchdog = threading.Thread(
        target=watch_server, args=(shot.api_url, shot.server_lost, stop), daemon=True
    )
    watchdog.start()
    try:
        return await run_flow_async(flow, flow_run=run, parameters=parameters, return_type="state")
    finally:
        stop.set()
