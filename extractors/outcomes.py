"""The fixed vocabulary of what happened to a poll or a page fetch.

Every failure is stored as a row with an `Outcome` and a fixed reason string, never as silence.
Reasons are short snake_case constants (listed in docs/decisions.md) or `http_<status>`.
"""

from __future__ import annotations

from enum import StrEnum


class Outcome(StrEnum):
    OK = "ok"
    NOT_MODIFIED = "not_modified"
    HTTP_ERROR = "http_error"
    TIMEOUT = "timeout"
    PARSE_ERROR = "parse_error"
    TOO_LARGE = "too_large"
    BLOCKED = "blocked"
    NOT_HTML = "not_html"
    EXTRACT_FAILED = "extract_failed"
    #: The body is not what its Content-Encoding says (reasons: content_encoding_invalid,
    #: content_encoding_unsupported, content_encoding_too_deep).
    DECODE_ERROR = "decode_error"
    #: A bug met one input: reason is the exception's class name, the traceback is logged,
    #: and the rest of the cycle goes on (see `wirewatch.ingest.isolation`).
    INTERNAL_ERROR = "internal_error"


#: Outcomes that are not failures.
SUCCESS = frozenset({Outcome.OK, Outcome.NOT_MODIFIED})
