"""Exit codes of the `wirewatch` command, and the one line a failure prints.

| code | meaning |
|---|---|
| 0 | done |
| 1 | the work failed (every feed failed in `run`, a flow raised, an unexpected error) |
| 1 | `run`'s Prefect server stopped answering mid-run (`prefect_server_lost`) |
| 2 | usage: a bad argument, setting, input file or query |
| 3 | the database is locked by another process, missing, or not a wirewatch database |
| 130 | interrupted: Ctrl-C or SIGTERM (`run`'s flow run is left `Cancelled`) |
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    FAILED = 1
    USAGE = 2
    DATABASE = 3
    INTERRUPTED = 130  # Ctrl-C or SIGTERM (128 + SIGINT, as shells report it)


class UsageError(Exception):
    """A bad argument found after parsing (exit 2)."""


class WorkFailed(Exception):
    """The command ran but its work did not get done (exit 1)."""


def _settings_message(exc: Exception) -> str:
    """`WIREWATCH_RETRIES='abc': Input should be a valid integer` for each bad field."""
    parts = []
    for error in exc.errors():  # type: ignore[attr-defined]
        name = "WIREWATCH_" + "_".join(str(p) for p in error["loc"]).upper()
        parts.append(f"{name}={error.get('input')!r}: {error['msg']}")
    return "invalid setting " + "; ".join(parts)


def _os_message(exc: OSError) -> str:
    where = f"{exc.filename}: " if exc.filename else ""
    return f"{where}{exc.strerror or exc}"


def describe(exc: BaseException) -> tuple[ExitCode, str]:
    """The exit code and the one-line message for an exception that ended a command."""
    import duckdb
    from pydantic import ValidationError

    from storage.db import StorageError
    from wirewatch.feedlist import FeedListError

    if isinstance(exc, ValidationError):
        return ExitCode.USAGE, _settings_message(exc)
    if isinstance(exc, UsageError | FeedListError):
        return ExitCode.USAGE, str(exc)
    if isinstance(exc, OSError):
        return ExitCode.USAGE, _os_message(exc)
    if isinstance(exc, UnicodeDecodeError):
        return ExitCode.USAGE, f"input is not UTF-8 text ({exc.reason} at byte {exc.start})"
    if isinstance(exc, StorageError | duckdb.Error):
        return ExitCode.DATABASE, str(exc).splitlines()[0]
    if isinstance(exc, WorkFailed):
        return ExitCode.FAILED, str(exc)
    first_line = (str(exc).splitlines() or [""])[0]
    return ExitCode.FAILED, f"{type(exc).__name__}: {first_line} (--debug shows the traceback)"
