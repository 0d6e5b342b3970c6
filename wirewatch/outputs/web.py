"""The live page: `wirewatch web`, and what `serve` starts beside its cycles.

A read-only Starlette app on 127.0.0.1: the events (newest first, searchable, paged), an event
(the report's section for it), an article's versions and word diff, and the feeds' health. Each
request opens the DuckDB file read-only, reads what the page shows, closes it, and only then
renders (charts included), so a reader holds the file only while it reads and the next cycle's
writer gets it back at once. While a cycle writes, a request waits as any reader does
(`open_db`'s retries) and then answers 503 "busy" rather than hold anything. Pages come from
`report_html`, the renderer `wirewatch report` uses; they load nothing from elsewhere.
"""

from __future__ import annotations

import contextlib
import socket
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

import duckdb
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from storage import browse
from storage.db import DatabaseLocked, StorageError
from storage.summary import Table, counts
from wirewatch.outputs import report_html
from wirewatch.outputs.views import version_diff
from wirewatch.settings import Settings, open_db

PER_PAGE = 50
#: Nothing but what the page itself holds: no scripts, styles, images or frames from anywhere.
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'"
T = TypeVar("T")


def _since(text: str) -> datetime | None:
    """A `since` filter: an ISO date or time (UTC when no zone is given); '' is none."""
    if not text:
        return None
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _filters(request: Request) -> tuple[browse.Filters, dict[str, str]]:
    params = {k: request.query_params.get(k, "").strip() for k in ("q", "claimant", "outlet")}
    since = request.query_params.get("since", "").strip()
    query = {k: v for k, v in {**params, "since": since}.items() if v}
    filters = browse.Filters(
        since=_since(since),
        claimant=params["claimant"] or None,
        outlet=params["outlet"] or None,
        text=params["q"] or None,
    )
    return filters, query


def _html(text: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(text, status, headers={"Content-Security-Policy": CSP})


class Pages:
    """The page's routes over one database file."""

    def __init__(self, settings: Settings, db: Path) -> None:
        self.settings, self.db = settings, db

    def _read(self, reader: Callable[[duckdb.DuckDBPyConnection], T]) -> T:
        with open_db(self.settings, read_only=True, path=self.db) as con:
            return reader(con)

    def _guarded(self, render: Callable[[], Response]) -> Response:
        try:
            return render()
        except DatabaseLocked:
            text = "An ingest cycle is writing the database; reload in a moment."
            return _html(report_html.message_page("busy", text), 503)
        except StorageError as exc:
            return _html(report_html.message_page("no data yet", str(exc)), 503)
        except ValueError as exc:  # a bad `since` or page number
            return _html(report_html.message_page("bad request", str(exc)), 400)

    def events(self, request: Request) -> Response:
        def render() -> Response:
            filters, query = _filters(request)
            number = max(1, int(request.query_params.get("page", "1") or 1))

            def read(
                con: duckdb.DuckDBPyConnection,
            ) -> tuple[Table, dict[str, int], int]:
                found = browse.events(con, filters, PER_PAGE, (number - 1) * PER_PAGE)
                return found, counts(con), browse.count_events(con, filters)

            found, totals, n_events = self._read(read)
            return _html(report_html.events_page(found, totals, query, number, n_events, PER_PAGE))

        return self._guarded(render)

    def event(self, request: Request) -> Response:
        from wirewatch.outputs.views import read_event

        event_id = request.path_params["event_id"]

        def render() -> Response:
            def read(con: duckdb.DuckDBPyConnection) -> tuple[object, set[str]]:
                return read_event(con, event_id), set(browse.updated_articles(con))

            event, updated = self._read(read)
            if event is None:
                page = report_html.message_page("no such event", f"no event {event_id!r}")
                return _html(page, 404)
            return _html(report_html.event_page(event, updated))  # type: ignore[arg-type]

        return self._guarded(render)

    def diff(self, request: Request) -> Response:
        article_id = request.path_params["article_id"]

        def render() -> Response:
            def read(con: duckdb.DuckDBPyConnection) -> tuple[object, list[browse.Version]]:
                versions = browse.article_versions(con, article_id)
                return (version_diff(con, article_id) if versions else None), versions

            found, versions = self._read(read)
            if not versions:
                page = report_html.message_page("no such article", f"no article {article_id!r}")
                return _html(page, 404)
            return _html(report_html.diff_page(found, tuple(versions)))  # type: ignore[arg-type]

        return self._guarded(render)

    def feeds(self, request: Request) -> Response:
        def render() -> Response:
            def read(con: duckdb.DuckDBPyConnection) -> tuple[Table, Table]:
                return browse.feed_health_table(con), browse.recent_errors(con)

            return _html(report_html.health_page(*self._read(read)))

        return self._guarded(render)


def build_app(settings: Settings, db: Path) -> Starlette:
    pages = Pages(settings, db)
    return Starlette(
        routes=[
            Route("/", pages.events),
            Route("/event/{event_id}", pages.event),
            Route("/diff/{article_id}", pages.diff),
            Route("/feeds", pages.feeds),
        ]
    )


def bind(port: int) -> socket.socket:
    """A listening socket on 127.0.0.1:`port` (0: a free port)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    sock.listen(128)  # connections wait from now on, so the printed address answers at once
    return sock


def free_port() -> int:
    with bind(0) as sock:
        return int(sock.getsockname()[1])


def serve_web(settings: Settings, db: Path, port: int) -> int:
    """Serve the page until interrupted; print its address first."""
    import uvicorn

    sock = bind(port)
    print(f"web page on http://127.0.0.1:{sock.getsockname()[1]}/ (database {db})", flush=True)
    config = uvicorn.Config(
        build_app(settings, db), log_level="warning", access_log=False, lifespan="off"
    )
    with contextlib.suppress(KeyboardInterrupt):  # uvicorn stops cleanly, then re-raises it
        uvicorn.Server(config).run(sockets=[sock])
    print("web page stopped", file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":  # what `wirewatch serve` starts: PORT DB
    from wirewatch.service.offline import apply_offline_defaults

    apply_offline_defaults()
    sys.exit(serve_web(Settings(), Path(sys.argv[2]), int(sys.argv[1])))
