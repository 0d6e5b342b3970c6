"""A real headless Chromium, driven over the DevTools protocol, for the report's tests.

`load_page(url)` opens a page and returns what a person's browser would have said about it:
console errors and uncaught exceptions, every request it made, a value computed in the page,
and a full-page screenshot. Chromium comes from Debian's package (`make test` installs it when
missing and running as root); the flags are the ones that work on a machine with no network.
"""

from __future__ import annotations

import base64
import itertools
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from websockets.sync.client import ClientConnection, connect

CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--remote-debugging-port=0", "--window-size=1200,900",
)  # fmt: skip


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@dataclass
class PageLoad:
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    value: Any = None
    screenshot: bytes = b""


class _DevTools:
    """One page's DevTools session: commands with ids, events collected on the way."""

    def __init__(self, socket: ClientConnection) -> None:
        self.socket, self.ids, self.events = socket, itertools.count(1), []  # type: ignore[var-annotated]

    def call(self, method: str, deadline: float, **params: Any) -> dict[str, Any]:
        ident = next(self.ids)
        self.socket.send(json.dumps({"id": ident, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv(timeout=max(0.1, deadline - time.monotonic())))
            if message.get("id") == ident:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return dict(message.get("result", {}))
            self.events.append(message)

    def wait_for(self, method: str, deadline: float) -> None:
        while not any(e.get("method") == method for e in self.events):
            self.events.append(
                json.loads(self.socket.recv(timeout=max(0.1, deadline - time.monotonic())))
            )


def _wait_for_port(profile: Path, deadline: float) -> int:
    marker = profile / "DevToolsActivePort"
    while time.monotonic() < deadline:
        if marker.exists() and marker.read_text().strip():
            return int(marker.read_text().split()[0])
        time.sleep(0.05)  # polling a file Chromium writes once it listens, under a deadline
    raise TimeoutError("Chromium did not open its DevTools port")


def _errors(events: list[dict[str, Any]]) -> list[str]:
    found = []
    for event in events:
        method, params = event.get("method"), event.get("params", {})
        if method == "Runtime.exceptionThrown":
            found.append("exception: " + json.dumps(params.get("exceptionDetails", {}))[:300])
        elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            found.append("console: " + json.dumps(params.get("args", []))[:300])
        elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
            found.append("log: " + params["entry"].get("text", ""))
    return found


def _drive(port: int, url: str, expression: str, deadline: float) -> PageLoad:
    targets = httpx.get(f"http://127.0.0.1:{port}/json/list", timeout=10).json()
    page = next(t for t in targets if t.get("type") == "page")
    with connect(page["webSocketDebuggerUrl"], max_size=None, open_timeout=10) as socket:
        tools = _DevTools(socket)
        for domain in ("Page", "Runtime", "Log", "Network"):
            tools.call(f"{domain}.enable", deadline)
        tools.call("Page.navigate", deadline, url=url)
        tools.wait_for("Page.loadEventFired", deadline)
        value = tools.call("Runtime.evaluate", deadline, expression=expression, returnByValue=True)
        shot = tools.call(
            "Page.captureScreenshot", deadline, format="png", captureBeyondViewport=True
        )
    requests = [
        e["params"]["request"]["url"]
        for e in tools.events
        if e.get("method") == "Network.requestWillBeSent"
    ]
    return PageLoad(
        _errors(tools.events),
        requests,
        value["result"].get("value"),
        base64.b64decode(shot["data"]),
    )


def load_page(url: str, expression: str = "null", timeout_s: float = 60.0) -> PageLoad:
    """Open `url` in a fresh headless Chromium, evaluate `expression` once it has loaded."""
    binary = chromium_path()
    if binary is None:
        raise FileNotFoundError("chromium is not installed (`make test` installs it as root)")
    deadline = time.monotonic() + timeout_s
    with tempfile.TemporaryDirectory(prefix="wirewatch-chromium-") as profile:
        proc = subprocess.Popen(
            [binary, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
        try:
            return _drive(_wait_for_port(Path(profile), deadline), url, expression, deadline)
        finally:
            os.killpg(proc.pid, signal.SIGTERM)  # its own session: renderers and helpers too
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
