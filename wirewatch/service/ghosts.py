"""No ghost runs: an ingest flow run left `Running` by a process that is gone is marked `Crashed`.

A process that dies without reporting (SIGKILL, a lost Prefect server, a power cut) leaves its
flow run `Running` in the server's database for ever, and the UI shows a cycle that never ends.
The process that executes an ingest flow run (a one-shot `run`, `serve`'s warm runner) tags it
with its host, pid and start time (`/proc/<pid>/stat`: a reused pid has another start time), so
on the next start of `serve` or `run` a `Running` run of this host whose process is gone is
known to be dead, and is set `Crashed` with a message saying so. Runs without the tag, or of
another host, are left alone. Plain HTTP calls to the API: `serve` does not import Prefect.
"""

from __future__ import annotations

import logging
import os
import socket
from pathlib import Path

import httpx

TAG_PREFIX = "wirewatch-run:"
GHOST_MESSAGE = "crashed: the process running this flow run is gone (found by a later start)"
_LOG = logging.getLogger("wirewatch.ghosts")


def _started(pid: int) -> str | None:
    """When process `pid` started (clock ticks since boot), None when there is no such process."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rpartition(")")[2].split()[19]  # field 22; the name in parentheses may hold spaces


def owner_tag() -> str:
    """The tag that ties a flow run to this process: host, pid and start time."""
    pid = os.getpid()
    return f"{TAG_PREFIX}{socket.gethostname()}:{pid}:{_started(pid)}"


def _gone(tags: list[str]) -> bool:
    """Whether the tags name a process of this host that no longer runs."""
    for tag in tags:
        parts = tag.removeprefix(TAG_PREFIX).split(":") if tag.startswith(TAG_PREFIX) else []
        if len(parts) == 3 and parts[0] == socket.gethostname() and parts[1].isdigit():
            return _started(int(parts[1])) != parts[2]
    return False


def set_run_state(api_url: str, run_id: str, kind: str, message: str, timeout_s: float) -> bool:
    """Force flow run `run_id` into state `kind` (CRASHED, CANCELLED); whether the API took it."""
    body = {"state": {"type": kind, "name": kind.title(), "message": message}, "force": True}
    try:
        answer = httpx.post(
            f"{api_url}/flow_runs/{run_id}/set_state", json=body, timeout=timeout_s, trust_env=False
        )
    except httpx.TransportError:
        return False  # the server is gone too: the next start's sweep marks the run
    return answer.status_code in (200, 201)


def _running_ingest_runs(api_url: str, timeout_s: float) -> list[dict[str, object]]:
    body = {
        "flows": {"name": {"any_": ["ingest"]}},
        "flow_runs": {"state": {"type": {"any_": ["RUNNING"]}}},
    }
    url = f"{api_url}/flow_runs/filter"
    answer = httpx.post(url, json=body, timeout=timeout_s, trust_env=False)
    answer.raise_for_status()
    runs: list[dict[str, object]] = answer.json()
    return runs


def crash_ghost_runs(api_url: str, timeout_s: float = 10.0) -> list[str]:
    """Mark `Crashed` every `Running` ingest flow run whose process tree is gone; return their
    names. A failure to ask is logged and ignored: ghosts must not stop a start."""
    try:
        runs = _running_ingest_runs(api_url, timeout_s)
    except (httpx.HTTPError, ValueError) as exc:  # a busy or odd server: try on the next start
        _LOG.warning("wirewatch: could not look for abandoned flow runs: %r", exc)
        return []
    crashed = []
    for run in runs:
        tags = run.get("tags")
        if not isinstance(tags, list) or not _gone(tags):
            continue  # not ours to judge, or its process still runs
        if set_run_state(api_url, str(run["id"]), "CRASHED", GHOST_MESSAGE, timeout_s):
            crashed.append(str(run.get("name")))
    if crashed:
        _LOG.info("wirewatch: marked %d abandoned flow run(s) Crashed: %s", len(crashed), crashed)
    return crashed
