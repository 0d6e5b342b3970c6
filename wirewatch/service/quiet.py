"""Keeps Prefect from printing a failed run's traceback: the CLI prints the cause in one line.

Prefect logs every task and flow failure at ERROR with the whole traceback (60-195 lines for
one bad setting). The exception still reaches the CLI, which says what went wrong in one line
(and shows the traceback with `--debug`), so those records are dropped while a command runs.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

RUN_LOGGERS = ("prefect.flow_runs", "prefect.task_runs")


def _not_a_failure(record: logging.LogRecord) -> bool:
    return record.levelno < logging.ERROR


@contextmanager
def quiet_prefect_failures(enabled: bool = True) -> Iterator[None]:
    """While the block runs, Prefect's run loggers keep warnings but drop errors."""
    loggers = [logging.getLogger(name) for name in RUN_LOGGERS] if enabled else []
    for logger in loggers:
        logger.addFilter(_not_a_failure)
    try:
        yield
    finally:
        for logger in loggers:
            logger.removeFilter(_not_a_failure)
