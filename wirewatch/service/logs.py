"""Logging set-up for the shell: standard `logging` to stderr, one level for wirewatch and its
Prefect flow runs (flow and task logs also go to the Prefect API, so the UI shows them)."""

from __future__ import annotations

import logging
import os
import sys

FORMAT = "%(asctime)s | %(levelname)-7s | %(name)s - %(message)s"


def log_level(verbose: bool = False) -> str:
    """DEBUG with -v, else WIREWATCH_LOG_LEVEL, else INFO."""
    if verbose:
        return "DEBUG"
    return os.environ.get("WIREWATCH_LOG_LEVEL", "").strip().upper() or "INFO"


def configure_logging(verbose: bool = False) -> str:
    """Set the level before Prefect is imported (child processes inherit it); return it."""
    level = log_level(verbose)
    if verbose or "WIREWATCH_LOG_LEVEL" in os.environ:
        os.environ["PREFECT_LOGGING_LEVEL"] = level
    else:
        os.environ.setdefault("PREFECT_LOGGING_LEVEL", level)
    logger = logging.getLogger("wirewatch")
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter(FORMAT))
        logger.addHandler(handler)
        logger.propagate = False
    logger.setLevel(level)
    return level
