"""What `wirewatch serve` adds around the daemon's processes: the runner's environment (the
served interval: the schedule's runs pass `poll="due"`, runs started by hand poll every feed),
the Prefect UI address, and the figure-change automation."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from wirewatch.settings import Settings

_LOG = logging.getLogger("wirewatch.serve")


def service_env(settings: Settings, interval_minutes: float, api_url: str) -> dict[str, str]:
    """Environment for the runner: due feeds are chosen around the served interval.
    Also sets up the notification automation (once the API is up)."""
    if settings.prefect_ui:
        ui = api_url.removesuffix("/api")
        _LOG.info("wirewatch serve: Prefect UI at %s (flow runs, logs, artifacts, events)", ui)
    if settings.notify_webhook_url:
        _install_automation(settings.notify_webhook_url, api_url)
    return {  # `serve --db/--feeds` reach the runner's flow runs through their settings
        "WIREWATCH_INTERVAL_MINUTES": f"{interval_minutes:g}",
        "WIREWATCH_DB_PATH": str(settings.db_path),
        "WIREWATCH_FEEDS_FILE": str(settings.feeds_file),
    }


def _install_automation(webhook_url: str, api_url: str) -> None:
    from wirewatch.service.automation import ensure_figure_automation

    os.environ["PREFECT_API_URL"] = api_url  # this process talks to the served API too
    try:
        automation_id = asyncio.run(ensure_figure_automation(webhook_url))
    except Exception as exc:  # any failure: serve without notifications rather than not at all
        _LOG.warning("wirewatch serve: could not create the figure-change automation: %r", exc)
        return
    _LOG.info(
        "wirewatch serve: automation %s posts wirewatch.figure.changed events to %s",
        automation_id,
        webhook_url,
    )


def port_in_use(port: int) -> bool:
    """Whether something already listens on 127.0.0.1:`port` (another `serve`, say)."""
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _marker() -> Path:
    """Where a running `serve` leaves its API address (in this project's PREFECT_HOME)."""
    home = os.environ.get("PREFECT_HOME") or str(Path.home() / ".prefect")
    return Path(home) / "wirewatch-serve.json"


@contextmanager
def serving_marker(api_url: str) -> Iterator[None]:
    """While `serve` runs, its API address and pid are in the marker file."""
    marker = _marker()
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text(json.dumps({"api_url": api_url, "pid": os.getpid()}), encoding="utf-8")
    try:
        yield
    finally:
        marker.unlink(missing_ok=True)


def _served_api() -> str:
    try:
        served = json.loads(_marker().read_text(encoding="utf-8"))
        os.kill(int(served["pid"]), 0)  # still running?
    except (OSError, ValueError, KeyError, TypeError):
        return ""  # no marker, a bad one, or its `serve` is gone
    return str(served["api_url"])


def running_api() -> str | None:
    """The API of a Prefect server already up: PREFECT_API_URL, else the one a running `serve`
    of this PREFECT_HOME uses (a one-shot `run` then records its flow run there, starting no
    temporary server); None when there is none, or it does not answer."""
    import httpx

    api_url = os.environ.get("PREFECT_API_URL") or _served_api()
    if not api_url:
        return None
    try:
        answer = httpx.get(f"{api_url}/health", timeout=2, trust_env=False)
    except httpx.TransportError:
        return None
    return api_url if answer.status_code == 200 else None
