"""What `wirewatch serve` adds around the daemon's processes: the runner's environment (the
served interval: the schedule's runs pass `poll="due"`, runs started by hand poll every feed),
the Prefect UI address, and the figure-change automation."""

from __future__ import annotations

import asyncio
import logging
import os

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
    return {
        "WIREWATCH_INTERVAL_MINUTES": f"{interval_minutes:g}",
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
