"""Nothing left behind: when `wirewatch run` or `serve` dies, even by SIGKILL, every process it
started dies too.

Prefect's temporary API server (uvicorn), the multiprocessing fork server and its extraction
workers are not in the caller's process group, and after the caller dies they are re-parented,
so neither process groups nor parent-death signals reach all of them. Instead every process of
the tree carries a token in its environment (children inherit it, exec or fork), and a small
watchdog, forked before anything else starts, waits for the caller to die (its end of a pipe
closes) and then kills every process whose environment carries the token.
"""

from __future__ import annotations

import os
import signal
import uuid
from pathlib import Path

TOKEN_VAR = "WIREWATCH_PROCESS_TREE"
_ROUNDS = 20  # a dying tree can fork once more while it is being killed


def marked_processes(token: str, proc: Path = Path("/proc")) -> list[int]:
    """PIDs of the processes whose environment carries `token` (the watchdog excluded)."""
    needle = f"{TOKEN_VAR}={token}".encode()
    found = []
    for entry in proc.iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            environ = (entry / "environ").read_bytes()
        except OSError:  # gone already, or not ours
            continue
        if needle in environ.split(b"\0"):
            found.append(int(entry.name))
    return found


def kill_marked(token: str) -> int:
    """SIGKILL every marked process, round after round until none is left; return how many."""
    killed = 0
    for _ in range(_ROUNDS):
        pids = marked_processes(token)
        if not pids:
            break
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
                killed += 1
            except ProcessLookupError:
                pass
    return killed


def _watch(read_fd: int, token: str) -> None:
    os.setsid()  # out of the caller's process group: killing the group must not kill us
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    os.closerange(3, read_fd)
    os.closerange(read_fd + 1, 1024)  # hold nothing of the caller's (pipes, sockets, files)
    while os.read(read_fd, 1):
        pass  # nothing is ever written: read returns b"" once the caller is gone
    kill_marked(token)


def guard_descendants() -> str:
    """Mark this process's future children and fork the watchdog; return the token.
    Call it first thing, before threads or children exist."""
    token = uuid.uuid4().hex
    os.environ[TOKEN_VAR] = token
    read_fd, write_fd = os.pipe()  # not inherited by exec'd children (PEP 446)
    if os.fork() == 0:
        try:
            os.close(write_fd)
            _watch(read_fd, token)
        finally:
            os._exit(0)
    os.close(read_fd)
    return token  # write_fd stays open, unused, until this process exits
