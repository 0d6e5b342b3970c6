"""A real PostgreSQL 15 for tests: the image's initdb/pg_ctl, a cluster in a temp dir, reached
only on a Unix socket in that dir (no TCP port at all).

PostgreSQL refuses to run as root, so as root the cluster belongs to the unprivileged
`postgres` user (commands go through `runuser`); as any other user it simply runs as that user.
`.ci/run` installs the packages on a fresh machine; elsewhere, without them, the tests that
need a server are skipped with the reason.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

BIN = Path(os.environ.get("WIREWATCH_PG_BIN", "/usr/lib/postgresql/15/bin"))


@dataclass(frozen=True)
class Postgres:
    socket_dir: Path
    dbname: str = "postgres"

    @property
    def dsn(self) -> str:
        return f"dbname={self.dbname} host={self.socket_dir} user=postgres"


def missing() -> str | None:
    """Why no server can be started here, or None."""
    if not (BIN / "initdb").exists():
        return f"PostgreSQL is not installed ({BIN}/initdb missing; .ci/run installs it)"
    if os.geteuid() == 0 and not shutil.which("runuser"):
        return "running as root without runuser: cannot start PostgreSQL as `postgres`"
    return None


def _as_owner(args: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return args
    pwd.getpwnam("postgres")  # KeyError names the missing user
    return ["runuser", "-u", "postgres", "--", *args]


def _run(args: list[str]) -> None:
    done = subprocess.run(_as_owner(args), capture_output=True, text=True, timeout=120)
    if done.returncode:
        raise RuntimeError(f"{args[0]} failed ({done.returncode}): {done.stderr.strip()[-500:]}")


@contextmanager
def running_postgres() -> Iterator[Postgres]:
    """Start a throwaway cluster; stop it and remove its folder afterwards."""
    base = Path(tempfile.mkdtemp(prefix="wirewatch-pg-"))
    data, log = base / "data", base / "server.log"
    if os.geteuid() == 0:
        entry = pwd.getpwnam("postgres")
        os.chown(base, entry.pw_uid, entry.pw_gid)
    os.chmod(base, 0o755)
    try:
        _run([str(BIN / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust",
              "-E", "UTF8", "--locale=C.UTF-8"])  # fmt: skip
        with open(data / "postgresql.conf", "a", encoding="utf-8") as conf:
            conf.write(f"listen_addresses = ''\nunix_socket_directories = '{base}'\n")
        _run([str(BIN / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", "start"])
        try:
            yield Postgres(base)
        finally:
            _run([str(BIN / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"])
    finally:
        shutil.rmtree(base, ignore_errors=True)
