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
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tests.processes import wait_for

PREFECT = str(Path(sys.executable).with_name("prefect"))
REPO = Path(__file__).resolve().parent.parent
FETCH = "fetch-extract/wirewatch-fetch-extract"
SEQUENCE = "sequence/wirewatch-sequence"
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

    def crash(self, run_id: str) -> None:
        """Mark a run whose process was lost as crashed, as an operator (`prefect flow-run
        cancel`) or zombie detection would: until then it holds its deployment's
        concurrency slot, and with CANCEL_NEW the next runs are cancelled."""
        state = {"type": "CRASHED", "name": "Crashed", "message": "its worker was lost"}
        found = self._call("POST", f"/flow_runs/{run_id}/set_state", json={"state": state})
        assert found["status"] == "ACCEPT", found

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
    """A Prefect server with the two work pools and the deployments of `prefect.yaml`."""
    port = _free_port()
    cluster = Cluster(f"http://127.0.0.1:{port}/api", base)
    env = cluster.env("server", PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED="false")
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
        names = ["wirewatch-fetch-extract", "wirewatch-sequence", "wirewatch-lake-maintenance"]
        cluster.cli("--no-prompt", "deploy", *[a for n in names for a in ("--name", n)])
        yield cluster
    finally:
        for worker in list(cluster.workers):
            cluster.kill(worker)
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=30)


def _healthy(api: str) -> bool:
    try:
        return httpx.get(f"{api}/health", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False
