"""Environment defaults that keep Prefect local and quiet on the network; applied before Prefect
is imported. (The log level is `wirewatch.service.logs`' business.)"""

from __future__ import annotations

import os

DEFAULTS = {
    "DO_NOT_TRACK": "1",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_UI_ENABLED": "false",
    "PREFECT_HOME": os.path.abspath(".prefect"),
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "60",
}


def apply_offline_defaults() -> None:
    """Set each default unless the user set it already."""
    for name, value in DEFAULTS.items():
        os.environ.setdefault(name, value)
