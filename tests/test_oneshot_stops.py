"""Clean stops of a one-shot `wirewatch run`, with real Prefect servers and real processes:

- its temporary Prefect server killed (SIGKILL) mid-run: the run stops within seconds with one
  line (`prefect_server_lost`) and exit 1; the next run on that Prefect home marks the flow run
  it left `Running` as `Crashed` (read back from the API of a `serve` started afterwards);
- the health watchdog calls a server lost within seconds of it ceasing to answer;
- a flow run is abandoned once the process its tag names (host, pid, start time) is gone;
- Ctrl-C on a run that uses a running `serve`'s server: one line, exit 130, and its flow run is
  `Cancelled` in that server;
- a second `serve` whose live-page port is busy says so in one line and starts nothing.
"""

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from tests.processes import wait_for
from tests.test_leftovers import StallingSite
from tests.test_serve import _free_port
from wirewatch.sample_site.server import Reply, Request, SiteServer
from wirewatch.service.ghosts import TAG_PREFIX, _gone, _started
from wirewatch.service.oneshot import HEALTH_EVERY_S, LOST_AFTER, watch_server

pytestmark = pytest.mark.integration
CLI = [sys.executable, "-m", "wirewatch.cli"]


class Lines:
    """A child's stderr, read as it comes; `since(mark)` is what came after a moment."""

    def __init__(self, proc: subprocess.Popen) -> None:
        self.lines: list[str] = []
        self._thread = threading.Thread(target=self._read, args=(proc,), daemon=True)
        self._thread.start()

    def _read(self, proc: subprocess.Popen) -> None:
        for line in proc.stderr:
            self.lines.append(line.rstrip("\n"))

    def since(self, mark: int) -> list[str]:
        self._thread.join(10)
        return self.lines[mark:]


def _site(stack, tmp_path: Path, name: str) -> tuple[StallingSite, Path]:
    app = StallingSite()
    server = stack.enter_context(SiteServer(app))
    app.base_url = server.base_url
    feeds = tmp_path / f"{name}.yaml"
    feeds.write_text(f"feeds:\n- url: {server.base_url}/rss.xml\n  name: {name}\n")
    return app, feeds


@pytest.fixture
def env(tmp_path):
    env = {
        **os.environ,
        "WIREWATCH_ALLOW_PRIVATE_ADDRESSES": "true",
        "WIREWATCH_EXTRACT_WORKERS": "0",
        "PREFECT_HOME": str(tmp_path / "prefect"),
        "PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS": "2",
    }
    env.pop("PREFECT_API_URL", None)
    return env


def _start_run(env: dict, feeds: Path, db: Path) -> tuple[subprocess.Popen, Lines]:
    argv = [*CLI, "run", "--feeds", str(feeds), "--db", str(db)]
    proc = subprocess.Popen(argv, env=env, stderr=subprocess.PIPE, text=True)
    return proc, Lines(proc)


def _temporary_server(run_pid: int) -> int:
    """Prefect's temporary server: the run's uvicorn child."""
    servers = []
    for entry in Path("/proc").iterdir():
        try:
            status = (entry / "status").read_text()
            argv = (entry / "cmdline").read_bytes()
        except OSError:  # gone, or not a process
            continue
        if f"\nPPid:\t{run_pid}\n" in status and b"uvicorn" in argv:
            servers.append(int(entry.name))
    assert len(servers) == 1, servers
    return servers[0]


def _runs(api: str) -> list[dict]:
    body = {"flows": {"name": {"any_": ["ingest"]}}, "flow_runs": {"tags": {"all_": ["one-shot"]}}}
    answer = httpx.post(f"{api}/flow_runs/filter", json=body, timeout=10, trust_env=False)
    answer.raise_for_status()
    return answer.json()


def _states(api: str) -> list[str]:
    return [run["state"]["type"] for run in _runs(api)]


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _healthy(api: str) -> bool:
    try:
        return httpx.get(f"{api}/health", timeout=2, trust_env=False).status_code == 200
    except httpx.TransportError:
        return False


def _serve(env: dict, feeds: Path, db: Path, port: int) -> subprocess.Popen:
    argv = [*CLI, "serve", "--no-web", "--port", str(port), "--feeds", str(feeds), "--db", str(db)]
    return subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


@pytest.mark.timeout(400)
def test_a_lost_server_stops_the_run_and_a_ctrl_c_cancels_its_flow_run(env, tmp_path):
    with ExitStack() as stack:
        stalled, stalled_feeds = _site(stack, tmp_path, "stalled")
        run, lines = _start_run(env, stalled_feeds, tmp_path / "a.duckdb")
        try:
            assert stalled.reached.wait(180), "the run never fetched its page"
            mark, killed_at = len(lines.lines), time.monotonic()
            os.kill(_temporary_server(run.pid), signal.SIGKILL)
            run.wait(30)
        finally:
            if run.poll() is None:
                run.kill()
            stalled.release.set()
        assert time.monotonic() - killed_at < 15  # seconds, not minutes
        after = lines.since(mark)
        assert run.returncode == 1, after
        assert len(after) == 1 and "wirewatch run: prefect_server_lost:" in after[0], after

        # the next run (its own temporary server again) marks the abandoned flow run Crashed
        served, served_feeds = _site(stack, tmp_path, "served")
        served.release.set()
        rerun = subprocess.run(
            [*CLI, "run", "--feeds", str(served_feeds), "--db", str(tmp_path / "a.duckdb")],
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert rerun.returncode == 0, rerun.stderr[-2000:]
        rerun_ended = datetime.now(UTC)

        # read back through a `serve` on that Prefect home: Crashed by the rerun, none Running
        port = _free_port()
        api = f"http://127.0.0.1:{port}/api"
        serve = _serve(env, served_feeds, tmp_path / "s.duckdb", port)
        try:
            assert wait_for(lambda: _healthy(api), 120, 0.5), "serve's Prefect server never came up"
            assert sorted(_states(api)) == ["COMPLETED", "CRASHED"], _runs(api)
            crashed = [run["state"] for run in _runs(api) if run["state"]["type"] == "CRASHED"]
            assert "gone" in crashed[0]["message"]
            assert _when(crashed[0]["timestamp"]) < rerun_ended

            # Ctrl-C on a one-shot run that uses serve's server: Cancelled there, exit 130
            interrupted, feeds = _site(stack, tmp_path, "interrupted")
            run, lines = _start_run(env, feeds, tmp_path / "b.duckdb")
            try:
                assert interrupted.reached.wait(120), "the second run never fetched its page"
                mark = len(lines.lines)
                run.send_signal(signal.SIGINT)
                run.wait(30)
            finally:
                if run.poll() is None:
                    run.kill()
                interrupted.release.set()
            after = lines.since(mark)
            assert run.returncode == 130, after
            assert after == ["wirewatch run: interrupted"], after
            assert sorted(_states(api)) == ["CANCELLED", "COMPLETED", "CRASHED"], _runs(api)
        finally:
            serve.send_signal(signal.SIGTERM)
            serve.wait(90)


def test_a_second_serve_on_a_busy_web_port_says_so_and_starts_nothing(env, tmp_path):
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text("feeds:\n- url: http://127.0.0.1:9/rss.xml\n  name: none\n")
    api_port = _free_port()
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        web_port = busy.getsockname()[1]
        argv = [*CLI, "serve", "--feeds", str(feeds), "--port", str(api_port)]
        argv += ["--web-port", str(web_port)]
        started = time.monotonic()
        done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2, done.stderr
    assert time.monotonic() - started < 20
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and f"web port {web_port} is in use" in lines[0], lines
    assert not _healthy(f"http://127.0.0.1:{api_port}/api")  # no Prefect server was started


def _health(request: Request) -> Reply:
    return Reply(200, b"true", {"Content-Type": "application/json"})


def test_the_watchdog_calls_a_server_lost_within_seconds():
    lost = threading.Event()
    stop = threading.Event()
    with SiteServer(_health) as server:
        watchdog = threading.Thread(
            target=watch_server, args=(f"{server.base_url}/api", lost.set, stop), daemon=True
        )
        watchdog.start()
        assert not lost.wait(2 * HEALTH_EVERY_S + 0.5)  # healthy: nothing happens
    stopped_at = time.monotonic()
    assert lost.wait(10), "the watchdog never noticed the server was gone"
    assert time.monotonic() - stopped_at < (LOST_AFTER + 1) * HEALTH_EVERY_S + 1
    stop.set()


def test_a_flow_run_is_abandoned_once_its_process_is_gone():
    proc = subprocess.Popen([sys.executable, "-c", "input()"], stdin=subprocess.PIPE)
    tag = f"{TAG_PREFIX}{socket.gethostname()}:{proc.pid}:{_started(proc.pid)}"
    assert not _gone([tag])
    assert _gone([tag.rsplit(":", 1)[0] + ":1"])  # its pid, another start time: a reused pid
    assert not _gone([f"{TAG_PREFIX}elsewhere:{proc.pid}:1"])  # another host's: not ours to judge
    assert not _gone(["wirewatch", "one-shot"])  # untagged: started by something else
    proc.communicate(b"\n", timeout=10)
    assert _gone([tag])
