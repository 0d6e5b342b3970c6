"""`wirewatch serve`: the daemon.

It starts a Prefect server on 127.0.0.1 (or attaches to the one in PREFECT_API_URL), then a
runner process that serves the ingest flow on an interval schedule (Prefect's local mode cannot
schedule). It restarts a child that dies, and on SIGINT/SIGTERM stops everything it started.
Flow runs that fail (a broken feed never fails a run; a locked DB file can) do not stop it.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import timedelta

import httpx

from wirewatch.exits import UsageError
from wirewatch.service.ghosts import crash_ghost_runs
from wirewatch.service.offline import apply_offline_defaults
from wirewatch.service.runner_env import port_in_use, service_env, serving_marker
from wirewatch.settings import Settings

DEPLOYMENT = "wirewatch-ingest"


class PortBusy(UsageError):
    """The Prefect server's port is taken: nothing was started (exit 2)."""


def _log(message: str) -> None:
    logging.getLogger("wirewatch.serve").info("wirewatch serve: %s", message)


def _start(args: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    # Own process group: stopping the child stops what it spawned (uvicorn, flow-run processes).
    return subprocess.Popen(args, env=env, start_new_session=True)


def _stop(proc: subprocess.Popen[bytes], grace_s: float = 15.0) -> None:
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGINT)
    try:
        proc.wait(grace_s)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def wait_until_healthy(api_url: str, stop: threading.Event, timeout_s: float = 90.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and not stop.is_set():
        try:
            if httpx.get(f"{api_url}/health", timeout=2, trust_env=False).status_code == 200:
                return True
        except httpx.TransportError:
            pass  # not listening yet
        stop.wait(0.5)
    return False


def _server_args(port: int, ui: bool = False) -> list[str]:
    return [
        sys.executable,
        "-m",
        "prefect",
        "server",
        "start",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--ui" if ui else "--no-ui",
        "--analytics-off",
    ]


def _runner_args(interval_minutes: float) -> list[str]:
    return [sys.executable, "-m", "wirewatch.service.daemon", str(interval_minutes)]


class _Child:
    """A supervised process, restarted when it dies (at most `max_restarts` times an hour)."""

    def __init__(self, name: str, start: Callable[[], subprocess.Popen[bytes]]) -> None:
        self.name, self._start, self.restarts = name, start, []  # type: ignore[var-annotated]
        self.proc = start()

    def check(self, max_restarts: int = 10) -> bool:
        if self.proc.poll() is None:
            return True
        now = time.monotonic()
        self.restarts = [t for t in self.restarts if now - t < 3600] + [now]
        if len(self.restarts) > max_restarts:
            _log(f"{self.name} keeps dying (exit {self.proc.returncode}); giving up")
            return False
        _log(f"{self.name} exited with {self.proc.returncode}; restarting it")
        self.proc = self._start()
        return True


def _web_child(settings: Settings, env: dict[str, str]) -> _Child:
    """The live page (wirewatch/outputs/web.py), its own process on its own port."""
    from wirewatch.outputs.web import free_port

    port = settings.web_port or free_port()
    args = [sys.executable, "-m", "wirewatch.outputs.web", str(port), str(settings.db_path)]
    _log(f"web page on http://127.0.0.1:{port}/ (read-only; --no-web turns it off)")
    return _Child("web page", lambda: _start(args, env))


def _check_ports(settings: Settings, api_url: str, web: bool) -> None:
    """A port another process holds: one line, nothing started (the API port only when this
    `serve` starts its own server; the web page's only when it has a fixed port)."""
    if not api_url and port_in_use(settings.prefect_port):
        raise PortBusy(
            f"port {settings.prefect_port} is in use (another `wirewatch serve`?): "
            "stop it, or choose another with --port"
        )
    if web and settings.web_port and port_in_use(settings.web_port):
        raise PortBusy(
            f"web port {settings.web_port} is in use (another `wirewatch serve` or `web`?): "
            "stop it, or choose another with --web-port (--no-web turns the page off)"
        )


def serve(settings: Settings, interval_minutes: float | None = None, web: bool = True) -> int:
    interval = interval_minutes or settings.interval_minutes
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    env = dict(os.environ)
    api_url = env.get("PREFECT_API_URL", "")
    _check_ports(settings, api_url, web)  # before starting anything
    children: list[_Child] = [_web_child(settings, env)] if web else []
    if not api_url:
        api_url = f"http://127.0.0.1:{settings.prefect_port}/api"
        server_args = _server_args(settings.prefect_port, settings.prefect_ui)
        # the UI's own API address defaults to port 4200 whatever --port says
        server_env = {**env, "PREFECT_UI_API_URL": env.get("PREFECT_UI_API_URL") or api_url}
        children.append(_Child("prefect server", lambda: _start(server_args, server_env)))
    _log(f"Prefect API at {api_url}")
    try:
        if not wait_until_healthy(api_url, stop):
            _log("the Prefect server did not become healthy")
            return 1 if not stop.is_set() else 0
        env["PREFECT_API_URL"] = api_url
        crash_ghost_runs(api_url)  # runs a killed `run` or `serve` left `Running`
        env.update(service_env(settings, interval, api_url))
        env.setdefault("WIREWATCH_KEEP_WARM", "true")  # runs execute in the warm runner
        children.append(_Child("ingest runner", lambda: _start(_runner_args(interval), env)))
        _log(f"serving deployment {DEPLOYMENT!r} every {interval:g} minutes; Ctrl-C stops")
        with serving_marker(api_url):  # a one-shot `wirewatch run` uses this server meanwhile
            while not stop.wait(1.0):
                if not all(child.check() for child in children):
                    return 1
        return 0
    finally:
        for child in reversed(children):
            _stop(child.proc)
        _log("stopped")


def _run_runner(interval_minutes: float) -> None:
    """The runner child: serve the ingest flow on the schedule (blocks until interrupted)."""
    apply_offline_defaults()
    if Settings().keep_warm:
        _run_warm(interval_minutes)
        return
    from prefect.schedules import Interval

    from flows.ingest import ingest
    from wirewatch.service.warm import SCHEDULED_PARAMETERS

    ingest.serve(
        name=DEPLOYMENT,
        schedule=Interval(timedelta(minutes=interval_minutes), parameters=SCHEDULED_PARAMETERS),
        tags=["wirewatch", "ingest"],
        limit=1,
        pause_on_shutdown=False,
    )


def _run_warm(interval_minutes: float) -> None:
    """The warm runner child (wirewatch/service/warm.py): flow runs execute in this one process."""
    import asyncio
    import contextlib

    from prefect.settings import get_current_settings

    from wirewatch.service.warm import serve_warm

    poll_s = min(2.0, float(get_current_settings().runner.poll_frequency))
    with contextlib.suppress(KeyboardInterrupt):  # SIGINT from `wirewatch serve`: stop quietly
        asyncio.run(serve_warm(DEPLOYMENT, interval_minutes, poll_s))


if __name__ == "__main__":
    _run_runner(float(sys.argv[1]))
