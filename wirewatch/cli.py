"""The `wirewatch` command line."""

from __future__ import annotations

import argparse
import asyncio
import sys
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING

from wirewatch.offline import apply_offline_defaults
from wirewatch.settings import Settings, open_db

if TYPE_CHECKING:
    import duckdb


def cmd_run(args: argparse.Namespace) -> int:
    from wirewatch.orphans import guard_descendants

    guard_descendants()  # first: whatever this run starts dies with it, even on SIGKILL
    from flows.ingest import ingest

    totals = asyncio.run(ingest(feeds_file=args.feeds, db_path=args.db))
    print(" ".join(f"{k}={v}" for k, v in sorted(totals.items())))
    return 0


def _read_only(db: str | None) -> AbstractContextManager[duckdb.DuckDBPyConnection]:
    """A read-only connection to `db` (default: settings), waiting while a writer holds it."""
    return open_db(Settings(), read_only=True, path=Path(db) if db else None)


def cmd_query(args: argparse.Namespace) -> int:
    from storage.summary import query
    from wirewatch.tables import format_table

    with _read_only(args.db) as con:
        print(format_table(query(con, args.sql)))
    return 0


def cmd_summary(args: argparse.Namespace) -> int:
    from storage.summary import summary
    from wirewatch.tables import format_table

    with _read_only(args.db) as con:
        for title, table in summary(con).items():
            print(f"\n== {title}\n{format_table(table)}")
    return 0


def cmd_feeds_import(args: argparse.Namespace) -> int:
    from wirewatch.feedlist import import_opml

    feeds_file = Path(args.feeds or Settings().feeds_file)
    added = import_opml(Path(args.opml), feeds_file)
    print(f"added {added} feeds to {feeds_file}")
    return 0


def cmd_sample_site(args: argparse.Namespace) -> int:
    from wirewatch.sample_site.cli import serve_sample_site

    return serve_sample_site(args.port, args.step, args.write_feeds)


def cmd_demo(args: argparse.Namespace) -> int:
    from wirewatch.demo import run_demo

    return run_demo(Path(args.db), Path(args.workdir))


def cmd_serve(args: argparse.Namespace) -> int:
    from wirewatch.orphans import guard_descendants

    guard_descendants()  # first: whatever serve starts dies with it, even on SIGKILL
    from wirewatch.daemon import serve

    return serve(Settings(), args.interval)


def _read_text(name: str) -> tuple[str, str]:
    """(text, title) of a plain-text or HTML file; `-` is standard input."""
    from extractors.pages import Article, Page, extract_article

    data = sys.stdin.buffer.read() if name == "-" else Path(name).read_bytes()
    head = data[:2048].lstrip().lower()
    if head.startswith(b"<") or b"<html" in head or b"<body" in head:
        article = extract_article(Page(f"file:{name}", "text/html", data))
        return (article.text, article.title) if isinstance(article, Article) else ("", "")
    return data.decode("utf-8", errors="replace"), ""


def cmd_claims(args: argparse.Namespace) -> int:
    import json

    from extractors.claims import extract_claims

    for name in args.files:
        try:
            text, title = _read_text(name)
        except OSError as exc:
            print(f"wirewatch claims: {name}: {exc.strerror}", file=sys.stderr)
            return 2
        for claim in extract_claims(text, context=title):
            print(json.dumps({**claim.as_json(), "file": name}, ensure_ascii=False))
    return 0


def cmd_figures(args: argparse.Namespace) -> int:
    from storage.summary import figure_timeline
    from wirewatch.tables import format_table

    with _read_only(args.db) as con:
        print(format_table(figure_timeline(con, args.event, args.metric, args.all)))
    return 0


def cmd_reprocess(args: argparse.Namespace) -> int:
    from flows.reprocess import reprocess

    totals = asyncio.run(reprocess(db_path=args.db))
    print(" ".join(f"{k}={v}" for k, v in sorted(totals.items())))
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="wirewatch", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run one ingest cycle now (a Prefect flow run)")
    run.add_argument("--feeds", help="feeds file (default: settings)")
    run.add_argument("--db", help="DuckDB file (default: settings)")
    run.set_defaults(func=cmd_run)
    serve = sub.add_parser("serve", help="daemon: Prefect server + ingest on a schedule")
    serve.add_argument("--interval", type=float, help="minutes between cycles")
    serve.set_defaults(func=cmd_serve)
    query = sub.add_parser("query", help="run read-only SQL against the DB")
    query.add_argument("sql")
    query.add_argument("--db")
    query.set_defaults(func=cmd_query)
    claims = sub.add_parser("claims", help="print the claims in text or HTML files (JSON lines)")
    claims.add_argument("files", nargs="+", help="files to read; - for standard input")
    claims.set_defaults(func=cmd_claims)
    figures = sub.add_parser("figures", help="print how each claimed figure changed")
    figures.add_argument("--event", help="only this event_id")
    figures.add_argument("--metric", help="only this metric (killed, injured, ...)")
    figures.add_argument("--all", action="store_true", help="include unattributed figures")
    figures.add_argument("--db")
    figures.set_defaults(func=cmd_figures)
    repro = sub.add_parser("reprocess", help="re-extract claims from every stored version")
    repro.add_argument("--db")
    repro.set_defaults(func=cmd_reprocess)
    summ = sub.add_parser("summary", help="print what the DB holds")
    summ.add_argument("--db")
    summ.set_defaults(func=cmd_summary)
    feeds = sub.add_parser("feeds", help="manage the feeds file").add_subparsers(
        dest="feeds_command", required=True
    )
    imp = feeds.add_parser("import", help="add the feeds of an OPML file")
    imp.add_argument("opml")
    imp.add_argument("--feeds", help="feeds file to extend (default: settings)")
    imp.set_defaults(func=cmd_feeds_import)
    site = sub.add_parser("sample-site", help="serve the bundled sample news site")
    site.add_argument("--port", type=int, default=8765)
    site.add_argument("--step", type=int, default=1)
    site.add_argument("--write-feeds", help="write a feeds file for this site and exit")
    site.set_defaults(func=cmd_sample_site)
    demo = sub.add_parser("demo", help="replay the sample site through the pipeline")
    demo.add_argument("--db", default="data/demo.duckdb")
    demo.add_argument("--workdir", default="data/demo")
    demo.set_defaults(func=cmd_demo)
    return parser


def main(argv: list[str] | None = None) -> int:
    apply_offline_defaults()
    args = _parser().parse_args(argv)
    import duckdb

    from storage.db import StorageError
    from wirewatch.feedlist import FeedListError

    try:
        return int(args.func(args))
    except (StorageError, FeedListError, duckdb.Error) as exc:
        print(f"wirewatch: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
