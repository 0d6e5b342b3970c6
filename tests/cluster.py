"""The stages as they run on several machines, on this one: a real Prefect server (its own
home, scheduler off: runs are started by hand), the deployments of `prefect.yaml` deployed
with `prefect deploy`, and `prefect worker start` processes, each with its own Prefect home
and environment, as on separate machines. Flow runs are created and followed over the REST
API (httpx on 127.0.0.1)."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tests.postgres import Postgres, running_postgres
from tests.processes import wait_for

PREFECT = str(Path(sys.executable).with_name("prefect"))
REPO = Path(__file__).resolve().parent.parent
FETCH = "fetch-extract/wirewatch-fetch-extract"
SEQUENCE = "sequence/wirewatch-sequence"
MAINTAIN = "lake-maintenance/wirewatch-lake-maintenance"
DONE = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _quiet_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "WIREWATCH_"))}
    env.update(
        {
            "PREFECT_HOME": str(home),
            "DO_NOT_TRACK": "1",
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "PREFECT_UI_ENABLED": "false",
        }
    )
    return env


@dataclass
class Worker:
    name: str
    proc: subprocess.Popen[bytes]
    log: Path
    settings: dict[str, str]  # the WIREWATCH_* environment of its machine

    def ran(self, run_id: str) -> bool:
        return run_id in self.log.read_text(errors="replace")


@dataclass
class Cluster:
    api: str
    base: Path
    workers: list[Worker] = field(default_factory=list)

    def env(self, name: str, **extra: str) -> dict[str, str]:
        home = self.base / f"home-{name}"
        home.mkdir(exist_ok=True)
        return {**_quiet_env(home), "PREFECT_API_URL": self.api, **extra}

    def cli(self, *args: str) -> str:
        done = subprocess.run(
            [PREFECT, *args], env=self.env("cli"), cwd=REPO, capture_output=True, text=True,
            timeout=180,
        )  # fmt: skip
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
        return done.stdout

    def start_worker(self, name: str, pool: str, **env: str) -> Worker:
        """A `prefect worker start` of `pool` that runs one flow run at a time, polling every
        second; WIREWATCH_* settings in `env`, as that machine's environment."""
        log = self.base / f"worker-{name}.log"
        args = [PREFECT, "worker", "start", "--pool", pool, "--name", name, "--limit", "1"]
        extra = {"PREFECT_WORKER_QUERY_SECONDS": "1", "PREFECT_WORKER_PREFETCH_SECONDS": "1"}
        with open(log, "wb") as out:
            proc = subprocess.Popen(
                args, env=self.env(name, **extra, **env), cwd=self.base, stdout=out,
                stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        settings = {k: v for k, v in env.items() if k.startswith("WIREWATCH_")}
        worker = Worker(name, proc, log, settings)
        self.workers.append(worker)
        return worker

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        """One API call; a 503 (the server's SQLite busy: Prefect's own client retries it
        too) is tried again for up to a minute."""
        answers: list[httpx.Response] = []

        def answered() -> bool:
            with httpx.Client(base_url=self.api, timeout=30) as client:
                answers.append(client.request(method, path, **kwargs))
            return answers[-1].status_code != 503

        wait_for(answered, 60, 0.5)
        return answers[-1].raise_for_status().json()

    def run(self, deployment: str, **parameters: Any) -> str:
        """Create a flow run of `deployment` (flow/deployment) now; its id."""
        found = self._call("GET", f"/deployments/name/{deployment}")
        path, body = f"/deployments/{found['id']}/create_flow_run", {"parameters": parameters}
        return str(self._call("POST", path, json=body)["id"])

    def state(self, run_id: str) -> str:
        return str(self._call("GET", f"/flow_runs/{run_id}")["state"]["type"])

    def message(self, run_id: str) -> str:
        return str(self._call("GET", f"/flow_runs/{run_id}")["state"]["message"])

    def ran_from_to(self, run_id: str) -> tuple[str, str]:
        """When the run started and ended (ISO 8601 times of the server)."""
        found = self._call("GET", f"/flow_runs/{run_id}")
        return str(found["start_time"]), str(found["end_time"])

    def crashed_after(self, run_id: str, since: float, timeout_s: float = 240) -> float:
        """Wait, touching nothing, until the server's lost-runs automation has set the run
        Crashed (its process is gone, so its heartbeats stopped); the seconds from `since`
        (a `time.monotonic()`). Until then the run holds its deployment's concurrency slot,
        and with CANCEL_NEW the next runs would be cancelled."""
        assert wait_for(lambda: self.state(run_id) == "CRASHED", timeout_s, 1), (
            self.state(run_id),
            self.logs(),
        )
        return time.monotonic() - since

    def wait(self, *run_ids: str, timeout_s: float = 240) -> None:
        """Wait for the runs to end; each must have COMPLETED."""
        assert wait_for(lambda: all(self.state(r) in DONE for r in run_ids), timeout_s, 0.5), [
            self.state(r) for r in run_ids
        ]
        states = [self.state(r) for r in run_ids]
        assert states == ["COMPLETED"] * len(run_ids), (states, self.logs())

    def logs(self) -> str:
        return "\n".join(w.log.read_text(errors="replace")[-3000:] for w in self.workers)

    def kill(self, worker: Worker) -> None:
        """SIGKILL a worker and every process under it (its flow run's), like a machine lost."""
        for pid in [*_descendants(worker.proc.pid), worker.proc.pid]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        worker.proc.wait(timeout=30)
        self.workers.remove(worker)


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        parent = int(status.split("\nPPid:\t", 1)[1].split("\n", 1)[0])
        children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def run_pid(run_id: str) -> int | None:
    """The process running flow run `run_id` (the process worker gives it this variable)."""
    wanted = f"PREFECT__FLOW_RUN_ID={run_id}".encode()
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and wanted in (entry / "environ").read_bytes().split(b"\0"):
                return int(entry.name)
        except OSError:
            continue
    return None


@contextmanager
def prefect_cluster(base: Path) -> Iterator[Cluster]:
    """A Prefect server on PostgreSQL with the two work pools, the deployments of
    `prefect.yaml` and the lost-runs automation."""
    with running_postgres() as database:
        yield from _cluster(base, database)


def _cluster(base: Path, database: Postgres) -> Iterator[Cluster]:
    port = _free_port()
    cluster = Cluster(f"http://127.0.0.1:{port}/api", base)
    # on PostgreSQL, as Prefect's docs advise beyond one machine: on its default SQLite the
    # automation's writes (a bucket per heartbeat) met "database is locked" and the API
    # stopped answering for minutes on two loaded cores
    url = f"postgresql+asyncpg://postgres@/{database.dbname}?host={database.socket_dir}"
    env = cluster.env(
        "server",
        PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED="false",
        PREFECT_SERVER_DATABASE_CONNECTION_URL=url,
    )
    with open(base / "server.log", "wb") as out:
        server = subprocess.Popen(
            [PREFECT, "server", "start", "--host", "127.0.0.1", "--port", str(port), "--no-ui",
             "--analytics-off"],
            env=env, cwd=base, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    try:
        assert wait_for(lambda: _healthy(cluster.api), 120, 0.5), (base / "server.log").read_text()
        for pool in ("wirewatch-workers", "wirewatch-sequencer"):
            cluster.cli("work-pool", "create", pool, "--type", "process")
        # one run at a time on the sequencer's pool: maintenance never meets a publication
        cluster.cli("work-pool", "set-concurrency-limit", "wirewatch-sequencer", "1")
        names = ["wirewatch-fetch-extract", "wirewatch-sequence", "wirewatch-lake-maintenance"]
        cluster.cli("--no-prompt", "deploy", *[a for n in names for a in ("--name", n)])
        _wirewatch(cluster, "lake", "lost-runs", "--within", str(LOST_WITHIN_S))
        yield cluster
    finally:
        for worker in list(cluster.workers):
            cluster.kill(worker)
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=30)


#: silence after a heartbeat (every 30 s) that marks a run lost, as the README's command
LOST_WITHIN_S = 90


def _wirewatch(cluster: Cluster, *args: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "wirewatch.cli", *args], env=cluster.env("cli"), cwd=REPO,
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]


def _healthy(api: str) -> bool:
    try:
        return httpx.get(f"{api}/health", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False
