"""The `wirewatch` command line.

Exit codes: 0 done, 1 the work failed, 2 usage (bad argument, setting, input file or query),
3 database locked or missing (see wirewatch/exits.py). Errors are one line on stderr (a query's
error is followed by DuckDB's own hint lines and caret); `wirewatch --debug COMMAND` adds the
traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
import threading
import traceback
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from wirewatch import __version__
from wirewatch.cli.args import build_parser
from wirewatch.cli.lakeops import cmd_lake_lost_runs, cmd_lake_rebuild
from wirewatch.exits import ExitCode, UsageError, WorkFailed, describe
from wirewatch.service.logs import configure_logging
from wirewatch.service.offline import apply_offline_defaults
from wirewatch.settings import Settings, open_reader

if TYPE_CHECKING:
    import duckdb

    from storage.browse import Filters


def cmd_run(args: argparse.Namespace) -> int:
    from wirewatch.service.orphans import guard_descendants

    guard_descendants()  # first: whatever this run starts dies with it, even on SIGKILL
    from wirewatch.service.runner_env import running_api

    api_url = running_api()
    if api_url:  # a server is up (`serve`'s, or PREFECT_API_URL): no temporary one
        os.environ["PREFECT_API_URL"] = api_url
    from flows.ingest import ingest
    from wirewatch.service.oneshot import OneShot, run_once
    from wirewatch.service.quiet import quiet_prefect_failures

    shot = OneShot(args.command)
    parameters = {"feeds_file": args.feeds, "db_path": args.db}
    with quiet_prefect_failures(not args.debug), _stop_at_once(shot.interrupted):
        state = asyncio.run(run_once(ingest, parameters, shot))
    totals = state.result(raise_on_failure=False)
    if isinstance(totals, BaseException):  # the run broke (a bad feeds file, a locked DB)
        raise totals
    print(" ".join(f"{k}={v}" for k, v in sorted(totals.items())))
    if state.is_failed():  # every feed or every page failed: the state's message says why
        raise WorkFailed(state.message or "the ingest cycle failed")
    return ExitCode.OK


def _read_only(db: str | None) -> AbstractContextManager[duckdb.DuckDBPyConnection]:
    """A read-only connection to `db` (default: settings; the lake in lake mode), waiting while
    a writer holds a DuckDB file."""
    return open_reader(Settings(), path=Path(db) if db else None)


def cmd_query(args: argparse.Namespace) -> int:
    import duckdb

    from storage.summary import query
    from wirewatch.outputs.tables import write_table

    if not args.sql.strip():
        raise UsageError("the query is empty: give one SQL statement, e.g. 'SELECT 1'")
    with _read_only(args.db) as con:
        try:
            table = query(con, args.sql)
        except duckdb.Error as exc:  # the user's SQL: a usage error, not a database fault
            hints = "\n".join(line for line in str(exc).splitlines() if line.strip())
            raise UsageError(f"query failed: {hints}") from exc  # DuckDB's hints and caret kept
    write_table(table, args.format)
    return ExitCode.OK


def cmd_summary(args: argparse.Namespace) -> int:
    from storage.summary import summary
    from wirewatch.outputs.tables import write_tables

    if args.format == "csv" and len(args.section or []) != 1:
        raise UsageError("csv holds one table: choose one with --section")
    with _read_only(args.db) as con:
        tables = summary(con, args.section)
    write_tables(tables, args.format)
    return ExitCode.OK


def _filters(args: argparse.Namespace) -> Filters:
    from storage.browse import Filters

    return Filters(
        since=args.since,
        event_id=getattr(args, "event", None),
        claimant=args.claimant,
        outlet=args.outlet,
    )


def cmd_figures(args: argparse.Namespace) -> int:
    from storage.browse import figure_rows, people_columns
    from wirewatch.outputs.tables import write_table

    with _read_only(args.db) as con:
        table = figure_rows(con, _filters(args), args.metric, args.all)
    # programs get every field (numbers as numbers, times with their zone); people a timeline
    write_table(table if args.format != "table" else people_columns(table), args.format)
    return ExitCode.OK


def cmd_chart(args: argparse.Namespace) -> int:
    from wirewatch.outputs.chart import write_chart
    from wirewatch.outputs.views import event_chart

    with _read_only(args.db) as con:
        chart = event_chart(con, args.event, args.metric)
    path = write_chart(chart, Path(args.output))
    print(f"{path}: {len(chart.series)} claimant series ({chart.title})")
    return ExitCode.OK


def cmd_report(args: argparse.Namespace) -> int:
    from wirewatch.outputs.report import write_report

    with _read_only(args.db) as con:
        path = write_report(con, Path(args.output), args.max_events, _filters(args))
    print(path)
    return ExitCode.OK


def cmd_diff(args: argparse.Namespace) -> int:
    from wirewatch.outputs.views import article_diff

    if len(args.versions) not in (0, 2):
        raise UsageError("give two versions to compare (V1 V2), or none for the last change")
    with _read_only(args.db) as con:
        sys.stdout.write(article_diff(con, args.article, *args.versions))
    return ExitCode.OK


def cmd_export(args: argparse.Namespace) -> int:
    from wirewatch.outputs.export import export_parquet

    with _read_only(args.db) as con:
        written = export_parquet(con, Path(args.to))
    for path, rows in written:
        print(f"{path}\t{rows} rows")
    return ExitCode.OK


def cmd_feeds_import(args: argparse.Namespace) -> int:
    from wirewatch.feedlist import import_opml

    feeds_file = Path(args.feeds or Settings().feeds_file)
    result = import_opml(Path(args.opml), feeds_file)
    for skipped in result.skipped:
        print(f"wirewatch: skipped {skipped}", file=sys.stderr)
    print(f"added {len(result.specs)} feeds to {feeds_file}")
    return ExitCode.OK


def cmd_feeds_list(args: argparse.Namespace) -> int:
    from storage.summary import Table
    from wirewatch.cli.feedadmin import list_feeds
    from wirewatch.outputs.tables import write_table

    rows = list_feeds(_feeds_settings(args))
    columns = list(rows[0]) if rows else ["feed", "url"]
    write_table(Table(columns, [tuple(row.values()) for row in rows]), args.format)
    return ExitCode.OK


def cmd_feeds_add(args: argparse.Namespace) -> int:
    from wirewatch.cli.feedadmin import add_feed

    settings = _feeds_settings(args)
    spec = add_feed(settings, args.url, args.name, discover=not args.no_discover)
    print(f"added {spec.url}" if spec else f"{args.url} is already in {settings.feeds_file}")
    return ExitCode.OK


def cmd_feeds_remove(args: argparse.Namespace) -> int:
    from wirewatch.cli.feedadmin import remove_feed

    settings = _feeds_settings(args)
    if not remove_feed(settings, args.url):
        raise WorkFailed(f"{args.url} is not in {settings.feeds_file}")
    print(f"removed {args.url} (what was stored from it stays in the database)")
    return ExitCode.OK


def _feeds_settings(args: argparse.Namespace) -> Settings:
    return command_settings(args)


def command_settings(args: argparse.Namespace) -> Settings:
    """The settings with the command line's `--db`, `--feeds` and `--port` over them."""
    overrides = {
        "feeds_file": getattr(args, "feeds", None),
        "db_path": getattr(args, "db", None),
        "prefect_port": getattr(args, "port", None) if args.command == "serve" else None,
    }
    return Settings(**{k: v for k, v in overrides.items() if v})


def check_config(args: argparse.Namespace) -> None:
    """Before anything starts (Prefect, workers): one warning per unknown `WIREWATCH_*`
    variable; for `run` and `serve` the settings and the feeds file, each error one line."""
    from wirewatch.settings import unknown_variables

    for warning in unknown_variables(os.environ):
        print(f"wirewatch: warning: {warning}", file=sys.stderr)
    settings = command_settings(args)
    if args.command in ("run", "serve"):
        from wirewatch.feedlist import load_feeds

        load_feeds(settings.feeds_file)


def cmd_sample_site(args: argparse.Namespace) -> int:
    from wirewatch.sample_site.cli import serve_sample_site

    return serve_sample_site(args.port, args.step, args.write_feeds)


def cmd_demo(args: argparse.Namespace) -> int:
    from wirewatch.cli.demo import run_demo

    return run_demo(Path(args.db), Path(args.workdir), args.verbose)


def cmd_serve(args: argparse.Namespace) -> int:
    from wirewatch.service.orphans import guard_descendants

    guard_descendants()  # first: whatever serve starts dies with it, even on SIGKILL
    from wirewatch.service.daemon import serve

    settings = command_settings(args)
    if args.web_port is not None:
        settings = settings.model_copy(update={"web_port": args.web_port})
    return serve(settings, args.interval, web=not args.no_web)


def cmd_web(args: argparse.Namespace) -> int:
    from wirewatch.outputs.web import serve_web

    settings = command_settings(args)
    db = settings.db_path
    if not db.exists():
        raise UsageError(f"{db} does not exist yet: give --db, or run `wirewatch run` first")
    port = settings.web_port if args.web_port is None else args.web_port
    return serve_web(settings, db, port)


def _fetch_page(url: str) -> tuple[str, str, bytes]:
    """(final URL, content type, body) of a page, fetched as the ingest fetches pages (the
    address policy, robots.txt, size caps, retries); a failed fetch is the work failing."""
    from extractors.outcomes import Outcome
    from wirewatch.cli.feedadmin import fetch_once

    response = fetch_once(url, Settings())
    if response.outcome is not Outcome.OK:
        raise WorkFailed(f"{url}: {response.reason}")
    return response.final_url, response.content_type, response.body


def _read_text(name: str) -> tuple[str, str]:
    """(text, title) of a plain-text or HTML file or an http(s) URL; `-` is standard input."""
    from extractors.pages import Article, Page, extract_article

    source, kind = f"file:{name}", "text/html"
    if name.startswith(("http://", "https://")):
        source, kind, data = _fetch_page(name)
    else:
        data = sys.stdin.buffer.read() if name == "-" else Path(name).read_bytes()
    head = data[:2048].lstrip().lower()
    if "html" in kind and (head.startswith(b"<") or b"<html" in head or b"<body" in head):
        article = extract_article(Page(source, kind, data))
        return (article.text, article.title) if isinstance(article, Article) else ("", "")
    return data.decode("utf-8", errors="replace"), ""


def cmd_claims(args: argparse.Namespace) -> int:
    import json

    from extractors.claims import extract_claims

    for name in args.files:
        text, title = _read_text(name)
        for claim in extract_claims(text, context=title):
            print(json.dumps({**claim.as_json(), "file": name}, ensure_ascii=False))
    return ExitCode.OK


def cmd_reprocess(args: argparse.Namespace) -> int:
    from flows.reprocess import reprocess
    from wirewatch.service.quiet import quiet_prefect_failures

    with quiet_prefect_failures(not args.debug):
        totals = asyncio.run(reprocess(db_path=args.db))
    print(" ".join(f"{k}={v}" for k, v in sorted(totals.items())))
    return ExitCode.OK


COMMANDS = {
    "run": cmd_run,
    "serve": cmd_serve,
    "query": cmd_query,
    "summary": cmd_summary,
    "figures": cmd_figures,
    "chart": cmd_chart,
    "report": cmd_report,
    "diff": cmd_diff,
    "export": cmd_export,
    "claims": cmd_claims,
    "web": cmd_web,
    "reprocess": cmd_reprocess,
    "feeds import": cmd_feeds_import,
    "feeds list": cmd_feeds_list,
    "feeds add": cmd_feeds_add,
    "feeds remove": cmd_feeds_remove,
    "sample-site": cmd_sample_site,
    "demo": cmd_demo,
    "lake rebuild": cmd_lake_rebuild,
    "lake lost-runs": cmd_lake_lost_runs,
}


def _quiet_broken_pipe() -> int:
    """The reader went away (`wirewatch summary | head -1`): stop without a traceback."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())  # later flushes at exit go nowhere, quietly
    return ExitCode.OK


@contextmanager
def _stop_at_once(on_signal: Callable[[], None]) -> Iterator[None]:
    """While a run works, Ctrl-C or SIGTERM call `on_signal`, which stops it at once (one
    line, exit 130). Prefect's engine would otherwise try to report the interruption to a
    server that Ctrl-C has just stopped too (the temporary one is in the same process group),
    for over a minute."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    signals = (signal.SIGINT, signal.SIGTERM)
    before = {sig: signal.signal(sig, lambda *_: on_signal()) for sig in signals}
    try:
        yield
    finally:
        for sig, handler in before.items():
            signal.signal(sig, handler)


def main(argv: list[str] | None = None) -> int:
    apply_offline_defaults()
    args = build_parser(COMMANDS, __version__, __doc__).parse_args(argv)
    try:
        check_config(args)  # a bad setting or feeds file is one clear line before anything
        configure_logging(args.verbose)
        code = int(args.func(args))
        sys.stdout.flush()
        return code
    except BrokenPipeError:
        return _quiet_broken_pipe()
    except KeyboardInterrupt:  # Ctrl-C in any other command: one line, no traceback
        print(f"wirewatch {args.command}: interrupted", file=sys.stderr)
        return int(ExitCode.INTERRUPTED)
    except Exception as exc:  # the command line's edge: every failure becomes one line
        code, message = describe(exc)
        if args.debug:
            traceback.print_exc()
        print(f"wirewatch {args.command}: {message}", file=sys.stderr)
        return int(code)


if __name__ == "__main__":
    sys.exit(main())
