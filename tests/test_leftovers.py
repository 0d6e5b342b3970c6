"""Nothing left behind: `wirewatch run` and `wirewatch serve`, killed with SIGKILL (the process
alone, not its group), leave no process running, and starting again works at once."""

import os
import signal
import socket
import subprocess
import sys
import threading

import httpx
import pytest

from tests.faultsite import PAGE, rss
from tests.processes import children_token, wait_for
from wirewatch.sample_site.server import Reply, Request, SiteServer
from wirewatch.service.orphans import TOKEN_VAR, marked_processes

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def _token(pid):
    token = children_token(pid)
    assert token, f"no child of {pid} carries {TOKEN_VAR}"
    return token


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class StallingSite:
    """One feed, one page that hangs until released: the run is mid-cycle while it waits."""

    def __init__(self):
        self.base_url, self.reached, self.release = "", threading.Event(), threading.Event()

    def __call__(self, request: Request) -> Reply:
        if request.path == "/rss.xml":
            return Reply(200, rss(self.base_url, ["/page.html"]), {"Content-Type": "text/xml"})
        self.reached.set()
        self.release.wait(120)
        return Reply(200, PAGE, {"Content-Type": "text/html"})


@pytest.fixture
def stalling(tmp_path):
    app = StallingSite()
    with SiteServer(app) as server:
        app.base_url = server.base_url
        feeds = tmp_path / "feeds.yaml"
        feeds.write_text(f"feeds:\n- url: {server.base_url}/rss.xml\n  name: s\n")
        env = {
            **os.environ,
            "WIREWATCH_ALLOW_PRIVATE_ADDRESSES": "true",
            "WIREWATCH_EXTRACT_WORKERS": "2",  # a fork server and two workers to leave behind
            "WIREWATCH_FEEDS_FILE": str(feeds),
            "WIREWATCH_DB_PATH": str(tmp_path / "db.duckdb"),
        }
        env.pop("PREFECT_API_URL", None)
        yield app, env
        app.release.set()


def test_a_killed_run_leaves_no_process_and_a_rerun_works_at_once(stalling):
    app, env = stalling
    run = subprocess.Popen([sys.executable, "-m", "wirewatch.cli", "run"], env=env)
    try:
        assert app.reached.wait(120), "the run never fetched its page"
        token = _token(run.pid)
        # Prefect's temporary server, the fork server, its two workers
        assert len(marked_processes(token)) >= 4, marked_processes(token)
    finally:
        run.kill()  # SIGKILL to the run alone
        run.wait()
    assert wait_for(lambda: not marked_processes(token), 30), marked_processes(token)
    app.release.set()
    rerun = subprocess.run(
        [sys.executable, "-m", "wirewatch.cli", "run"], env=env, capture_output=True, timeout=240
    )
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    assert b"articles_added=1" in rerun.stdout


def test_a_killed_serve_leaves_no_process_and_restarts_on_the_same_port(stalling, tmp_path):
    _, env = stalling
    port = _free_port()
    env = {**env, "WIREWATCH_PREFECT_PORT": str(port), "PREFECT_HOME": str(tmp_path / "p")}
    health = f"http://127.0.0.1:{port}/api/health"

    def healthy():
        try:
            return httpx.get(health, timeout=2, trust_env=False).status_code == 200
        except httpx.TransportError:
            return False

    serve = subprocess.Popen([sys.executable, "-m", "wirewatch.cli", "serve"], env=env)
    try:
        assert wait_for(healthy, 120, 0.5), "the Prefect server never came up"
        token = _token(serve.pid)
        # the Prefect server, then the ingest runner once the server is healthy
        assert wait_for(lambda: len(marked_processes(token)) >= 2, 60), marked_processes(token)
    finally:
        serve.kill()
        serve.wait()
    assert wait_for(lambda: not marked_processes(token), 30), marked_processes(token)
    assert wait_for(lambda: not healthy(), 10)  # port 4200's stand-in is free again
    again = subprocess.Popen(
        [sys.executable, "-m", "wirewatch.cli", "serve"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert wait_for(healthy, 120, 0.5), "serve could not start again after the kill"
        assert again.poll() is None
    finally:
        again.send_signal(signal.SIGTERM)
        output, _ = again.communicate(timeout=90)
    assert again.returncode == 0, output[-2000:]
