"""Finding the processes a `wirewatch run` or `serve` started (see `wirewatch.service.orphans`)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from wirewatch.service.orphans import TOKEN_VAR


def children_token(pid: int) -> str | None:
    """The token the children of `pid` carry (its own /proc environ predates setting it)."""
    prefix = f"{TOKEN_VAR}=".encode()
    for entry in Path("/proc").iterdir():
        try:
            status = (entry / "status").read_text()
            environ = (entry / "environ").read_bytes().split(b"\0")
        except OSError:
            continue
        if f"\nPPid:\t{pid}\n" in status:
            found = [v[len(prefix) :].decode() for v in environ if v.startswith(prefix)]
            if found:
                return found[0]
    return None


def wait_for(predicate: Callable[[], object], timeout_s: float, step_s: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step_s)  # polling a condition with a deadline
    return False
