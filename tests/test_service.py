"""`wirewatch serve` as a service, end to end: two scheduled cycles log their INFO lines, publish a
feed-health table artifact and a `wirewatch.figure.changed` event (read back through Prefect's
API), the automation posts that event to a loopback webhook, and the UI answers on 127.0.0.1."""

import json
import os
import re
import signal
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import httpx
import pytest

from tests.test_serve import _free_port, _wait_for

pytestmark = pytest.mark.integration
CHANGED = "wirewatch.figure.changed"


class _Hook(BaseHTTPRequestHandler):
    """A webhook receiver: keeps each POSTed JSON body."""

    bodies: ClassVar[list] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("content-length", "0")))
        self.bodies.append(json.loads(body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def _collect(stream, lines: list[str]) -> None:
    for line in stream:
        lines.append(line)


def _post(api: str, path: str, body: dict) -> list:
    return httpx.post(f"{api}{path}", json=body, timeout=10, trust_env=False).json()


@pytest.mark.timeout(480)  # a server, two scheduled cycles, background event persistence
def test_serve_logs_publishes_artifacts_and_figure_change_events(tmp_path, news_site):
    _, site = news_site
    feeds, db = tmp_path / "feeds.yaml", str(tmp_path / "db.duckdb")
    feeds.write_text(site.feeds_yaml())
    hook = ThreadingHTTPServer(("127.0.0.1", 0), type("Hook", (_Hook,), {"bodies": []}))
    threading.Thread(target=hook.serve_forever, daemon=True).start()
    port = _free_port()
    api = f"http://127.0.0.1:{port}/api"
    env = {
        **os.environ,
        "WIREWATCH_FEEDS_FILE": str(feeds),
        "WIREWATCH_DB_PATH": db,
        "WIREWATCH_ALLOW_PRIVATE_ADDRESSES": "true",
        "WIREWATCH_PREFECT_PORT": str(port),
        "WIREWATCH_LOG_LEVEL": "INFO",
        "WIREWATCH_NOTIFY_WEBHOOK_URL": f"http://127.0.0.1:{hook.server_address[1]}/figures",
        "PREFECT_HOME": str(tmp_path / "prefect"),
        "PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS": "2",
        "PREFECT_RUNNER_POLL_FREQUENCY": "2",
    }
    env.pop("PREFECT_API_URL", None)
    daemon = subprocess.Popen(
        [sys.executable, "-m", "wirewatch.cli", "serve", "--interval", "0.5"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []
    reader = threading.Thread(target=_collect, args=(daemon.stdout, lines), daemon=True)
    reader.start()

    def cycles() -> list[str]:
        return [line for line in lines if "ingest cycle:" in line]

    try:
        assert _wait_for(lambda: len(cycles()) >= 1, 150), "".join(lines[-40:])
        site.set_step(3)  # The Frontier Times updates its copy: the BLA now claims 200 killed
        assert _wait_for(lambda: len(cycles()) >= 2, 150), "".join(lines[-40:])
        first, second = cycles()[:2]
        assert "INFO" in first and "5 feeds polled (ok=5), 3 articles and 3 versions added" in first
        assert re.search(r"[1-9]\d* figures changed", second), second
        done = {"tags": {"all_": ["wirewatch"]}, "state": {"type": {"any_": ["COMPLETED"]}}}
        runs: list = []

        def two_runs_done() -> bool:  # a run publishes its artifacts after logging its line
            runs[:] = _post(api, "/flow_runs/filter", {"flow_runs": done})
            return len(runs) >= 2

        assert _wait_for(two_runs_done, 60), runs
        ui = httpx.get(f"http://127.0.0.1:{port}/ui-settings", timeout=10).json()
        assert ui["api_url"] == api  # the UI talks to this server, not to port 4200
        assert all(r["name"].startswith("ingest-") for r in runs)
        artifacts = _post(
            api, "/artifacts/filter", {"artifacts": {"key": {"any_": ["feed-health"]}}}
        )
        assert len(artifacts) >= 2 and artifacts[0]["type"] == "table"
        table = artifacts[0]["data"]
        table = json.loads(table) if isinstance(table, str) else table
        assert {"feed", "outcome", "reason", "entries_new", "duration_ms"} <= set(table[0])
        changes = _post(
            api, "/artifacts/filter", {"artifacts": {"key": {"any_": ["figure-changes"]}}}
        )
        assert any(re.search(r"-> [a-z ]*200 ", str(a["data"])) for a in changes), changes
        events: list = []

        def bla_events() -> list:  # events are persisted by the server in the background
            events[:] = _post(api, "/events/filter", {"filter": {"event": {"name": [CHANGED]}}})[
                "events"
            ]
            return [
                e["payload"]
                for e in events
                if e["payload"]["metric"] == "killed" and e["payload"]["new"] == 200
            ]

        assert _wait_for(bla_events, 60), events
        bla = bla_events()
        assert bla[0]["subject"] == "security_forces"
        assert "Liberation Army" in bla[0]["claimant"] and bla[0]["previous"] in (80, 84)
        assert "frontier-times" in bla[0]["url"]
        assert events[0]["resource"]["prefect.resource.id"].startswith("wirewatch.event.")
        assert _wait_for(lambda: len(hook.RequestHandlerClass.bodies) > 0, 60), "no webhook call"
        posted = hook.RequestHandlerClass.bodies[0]
        assert posted["event"] == "wirewatch.figure.changed" and "new" in posted["payload"]
        ui = httpx.get(f"http://127.0.0.1:{port}/", timeout=10, trust_env=False)
        assert ui.status_code == 200 and "<html" in ui.text.lower()
    finally:
        daemon.send_signal(signal.SIGTERM)
        daemon.wait(timeout=60)
        reader.join(timeout=10)
        hook.shutdown()
    assert daemon.returncode == 0, "".join(lines[-40:])
    assert any("Prefect UI at http://127.0.0.1:" in line for line in lines)
