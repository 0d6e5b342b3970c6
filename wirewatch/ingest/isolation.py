"""The boundary around the work for one feed or one page.

Anything that goes wrong inside it (a bug meeting an input nobody foresaw) becomes an outcome
row, `internal_error` with the exception's class name as the reason, and the traceback goes to
the log, so no single input can abort a cycle for every other feed.
"""

from __future__ import annotations

import logging

from extractors.outcomes import Outcome

log = logging.getLogger("wirewatch.ingest.isolation")

INTERNAL_ERROR = Outcome.INTERNAL_ERROR


def contain(exc: BaseException, what: str, subject: str) -> str:
    """Log `exc` with its traceback; return the fixed reason stored for it."""
    reason = type(exc).__name__
    log.error("internal_error while %s %s: %s", what, subject, reason, exc_info=exc)
    return reason
