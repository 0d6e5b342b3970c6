"""The arguments of `wirewatch`: every command with its help, examples and checked values.

Values that are known are `choices` (argparse then lists them in its usage error, exit 2);
numbers are checked for range here, so `serve --interval -5` is a usage error, not a traceback.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from storage.summary import SECTIONS
from wirewatch.outputs.tables import add_format_option

# What claims measure (the `metric` column); tests/test_cli_conventions.py keeps this in step
# with extractors/claim_vocab.py.
METRICS = (
    "killed", "injured", "captured", "released", "destroyed", "attacked", "arrested", "missing",
)  # fmt: skip
SUMMARY_SECTIONS = tuple(SECTIONS)
LAST_SAMPLE_STEP = 4

EXIT_CODES = """exit codes:
  0  done
  1  the work failed (e.g. every feed failed in `run`)
  2  usage: a bad argument, WIREWATCH_* setting, input file or query
  3  the database is locked by another process, or missing"""

EXAMPLES = """
  wirewatch run                                 # one ingest cycle now
  wirewatch summary | head -20
  wirewatch figures --metric killed --format csv > killed.csv
  wirewatch chart -o killed.svg && wirewatch report -o report.html
  wirewatch COMMAND --help                      # each command's options and examples"""

Handler = Callable[[argparse.Namespace], int]


def positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{text} must be more than 0")
    return value


def port_number(text: str) -> int:
    if not text.isdigit() or not 0 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port (0-65535; 0 picks a free one)")
    return int(text)


def sample_step(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= LAST_SAMPLE_STEP:
        raise argparse.ArgumentTypeError(f"{text!r} is not a step (1-{LAST_SAMPLE_STEP})")
    return int(text)


class _Help(argparse.RawDescriptionHelpFormatter):
    """Keeps the examples' line breaks."""


def _add(sub: Any, name: str, handler: Handler, summary: str, examples: str) -> Any:
    parser = sub.add_parser(
        name,
        help=summary,
        description=summary[0].upper() + summary[1:] + ".",
        epilog="examples:\n" + examples.strip("\n") + "\n\n" + EXIT_CODES,
        formatter_class=_Help,
    )
    parser.set_defaults(func=handler)
    return parser


def _db(parser: argparse.ArgumentParser) -> None:
    # SUPPRESS: when not given after the command, `wirewatch --db FILE COMMAND`'s value stays
    parser.add_argument(
        "--db",
        metavar="FILE",
        default=argparse.SUPPRESS,
        help="DuckDB file (default: WIREWATCH_DB_PATH)",
    )


def _feeds(parser: argparse.ArgumentParser, what: str = "feeds file") -> None:
    parser.add_argument(
        "--feeds",
        metavar="FILE",
        default=argparse.SUPPRESS,
        help=f"{what} (default: WIREWATCH_FEEDS_FILE)",
    )


def _ingest_commands(sub: Any, handlers: Mapping[str, Handler]) -> None:
    run = _add(
        sub,
        "run",
        handlers["run"],
        "run one ingest cycle now (a Prefect flow run)",
        """
  wirewatch run
  WIREWATCH_ALLOW_PRIVATE_ADDRESSES=true wirewatch run --feeds feeds.yaml --db data/x.duckdb""",
    )
    _feeds(run)
    _db(run)
    serve = _add(
        sub,
        "serve",
        handlers["serve"],
        "daemon: Prefect server + ingest on a schedule",
        """
  wirewatch serve                              # also the live page on 127.0.0.1:8780
  wirewatch serve --interval 5 --web-port 9000
  wirewatch serve --no-web""",
    )
    serve.add_argument(
        "--interval",
        type=positive_float,
        metavar="MINUTES",
        help="minutes between cycles (default: WIREWATCH_INTERVAL_MINUTES)",
    )
    serve.add_argument(
        "--port",
        type=port_number,
        metavar="PORT",
        help="port of the Prefect server it starts (default: WIREWATCH_PREFECT_PORT)",
    )
    _feeds(serve)
    _db(serve)
    web_options(serve)
    serve.add_argument("--no-web", action="store_true", help="do not serve the live page")
    repro = _add(
        sub,
        "reprocess",
        handlers["reprocess"],
        "re-extract claims from every stored version",
        "  wirewatch reprocess",
    )
    _db(repro)
    feeds_sub = _group(sub, "feeds", "manage the feeds file")
    imp = _add(
        feeds_sub,
        "import",
        handlers["feeds import"],
        "add the feeds of an OPML file",
        """
  wirewatch feeds import subscriptions.opml
  wirewatch feeds import subscriptions.opml --feeds my-feeds.yaml""",
    )
    imp.add_argument("opml", metavar="OPML_FILE")
    _feeds(imp, "feeds file to extend")
    _feeds_commands(feeds_sub, handlers)


def _feeds_commands(feeds_sub: Any, handlers: Mapping[str, Handler]) -> None:
    lst = _add(
        feeds_sub,
        "list",
        handlers["feeds list"],
        "the feeds with their health (failures, share of 304s, next poll due)",
        """
  wirewatch feeds list
  wirewatch feeds list --format json""",
    )
    _feeds(lst)
    _db(lst)
    add_format_option(lst)
    add = _add(
        feeds_sub,
        "add",
        handlers["feeds add"],
        "add a feed (given a page URL, the feed that page links to)",
        """
  wirewatch feeds add https://example.org/rss.xml --name "Example News"
  wirewatch feeds add https://example.org/ --no-discover""",
    )
    add.add_argument("url", metavar="URL")
    add.add_argument("--name", help="display name (default: the URL)")
    add.add_argument("--no-discover", action="store_true", help="add the URL as it is")
    _feeds(add)
    rm = _add(
        feeds_sub,
        "remove",
        handlers["feeds remove"],
        "remove a feed from the feeds file (what was stored from it stays)",
        "  wirewatch feeds remove https://example.org/rss.xml",
    )
    rm.add_argument("url", metavar="URL")
    _feeds(rm)


def _group(sub: Any, name: str, help_text: str) -> Any:
    """A command of commands (`wirewatch NAME COMMAND`): its subparsers."""
    description = help_text[0].upper() + help_text[1:] + "."
    group = sub.add_parser(name, help=help_text, description=description)
    return group.add_subparsers(dest=f"{name}_command", required=True, metavar="COMMAND")


def _lake_commands(sub: Any, handlers: Mapping[str, Handler]) -> None:
    lake_sub = _group(sub, "lake", "operate lake mode's stages")
    rebuild = _add(
        lake_sub,
        "rebuild",
        handlers["lake rebuild"],
        "build a new sequencer DuckDB file from the lake (WIREWATCH_LAKE)",
        "  wirewatch lake rebuild --db data/wirewatch.duckdb",
    )
    rebuild.add_argument("--db", metavar="NEW_FILE", required=True, help="a file not there yet")
    lost = _add(
        lake_sub,
        "lost-runs",
        handlers["lake lost-runs"],
        "make Prefect set Crashed the stages' runs whose heartbeats stopped (PREFECT_API_URL)",
        "  PREFECT_API_URL=http://prefect-host:4200/api wirewatch lake lost-runs --within 90",
    )
    lost.add_argument(
        "--within", type=positive_float, default=90.0, metavar="SECONDS",
        help="silence after a heartbeat that marks a run lost (default 90; heartbeats every 30)",
    )  # fmt: skip


def _read_commands(sub: Any, handlers: Mapping[str, Handler]) -> None:
    query = _add(
        sub,
        "query",
        handlers["query"],
        "run read-only SQL against the database",
        """
  wirewatch query "SELECT outlet, count(*) FROM articles GROUP BY 1"
  wirewatch query "SELECT * FROM figure_history" --format csv > figures.csv""",
    )
    query.add_argument("sql", metavar="SQL")
    add_format_option(query)
    _db(query)
    summ = _add(
        sub,
        "summary",
        handlers["summary"],
        "print what the database holds",
        """
  wirewatch summary
  wirewatch summary --section errors --format csv
  wirewatch summary --format json | jq .totals""",
    )
    summ.add_argument(
        "--section",
        action="append",
        choices=SUMMARY_SECTIONS,
        help="only this section (repeatable; csv needs exactly one)",
    )
    add_format_option(summ)
    _db(summ)
    figures = _add(
        sub,
        "figures",
        handlers["figures"],
        "print how each claimed figure changed",
        """
  wirewatch figures --metric killed
  wirewatch figures --event d62cb45406ba9d29.1 --format jsonl
  wirewatch figures --claimant BLA --since 2025-02-01 --format csv > bla.csv
  (json, jsonl and csv hold value, value_high, qualifier, metric, subject, claimant,
   claimant_kind, event_id, outlet, url and the times with their zone)""",
    )
    filter_options(figures)
    figures.add_argument("--metric", choices=METRICS, help="only this metric")
    figures.add_argument("--all", action="store_true", help="include unattributed figures")
    add_format_option(figures)
    _db(figures)


def _view_commands(sub: Any, handlers: Mapping[str, Handler]) -> None:
    chart = _add(
        sub,
        "chart",
        handlers["chart"],
        "draw one event's figures over time (PNG/SVG)",
        """
  wirewatch chart                           # the event with the most claimants, killed
  wirewatch chart --metric injured -o injured.svg
  wirewatch chart --event d62cb45406ba9d29.1 -o bla.png""",
    )
    chart.add_argument("--event", metavar="EVENT_ID", help="default: the most disputed event")
    chart.add_argument("--metric", choices=METRICS, default="killed", help="default: killed")
    chart.add_argument(
        "-o",
        "--output",
        metavar="FILE.png|FILE.svg",
        default="data/chart.png",
        type=_chart_path,
        help="where to write it; the suffix picks the format",
    )
    _db(chart)
    report = _add(
        sub,
        "report",
        handlers["report"],
        "write a self-contained HTML report",
        """
  wirewatch report
  wirewatch report -o /tmp/wirewatch.html && xdg-open /tmp/wirewatch.html
  wirewatch report --claimant BLA --since 2025-02-01""",
    )
    report.add_argument("-o", "--output", metavar="FILE", default="data/report.html")
    report.add_argument(
        "--max-events", type=int, metavar="N", help="only the N newest events (default: all)"
    )
    filter_options(report)
    _db(report)
    diff = _add(
        sub,
        "diff",
        handlers["diff"],
        "show what changed between versions (word level)",
        """
  wirewatch diff https://example.com/news/story.html       # the last change
  wirewatch diff 3f2a9c0d1e2b4a5f 1 3                        # version 1 against version 3""",
    )
    diff.add_argument("article", metavar="URL|ARTICLE_ID")
    diff.add_argument("versions", metavar="V", type=int, nargs="*", help="two version numbers")
    _db(diff)
    export = _add(
        sub,
        "export",
        handlers["export"],
        "write every table and view as Parquet",
        """
  wirewatch export --to data/parquet
  python -c "import duckdb; duckdb.read_parquet('data/parquet/figure_history.parquet').show()"
  python -c "import pyarrow.parquet as pq; print(pq.read_table('data/parquet/claims.parquet'))\"""",
    )
    export.add_argument("--to", metavar="DIR", required=True, help="folder to write into")
    _db(export)


def web_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--web-port" if parser.prog.endswith("serve") else "--port",
        dest="web_port",
        type=port_number,
        metavar="N",
        help="port of the live page on 127.0.0.1 (default: WIREWATCH_WEB_PORT; 0: a free one)",
    )


def iso_time(text: str) -> datetime:
    """A `--since` value: an ISO date or time; UTC when it names no zone."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a date or time (YYYY-MM-DD or YYYY-MM-DDTHH:MM[+zone])"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def filter_options(parser: argparse.ArgumentParser, event: bool = True) -> None:
    """--since, --event, --claimant, --outlet (`figures`, `report`)."""
    parser.add_argument(
        "--since", type=iso_time, metavar="TIME", help="figures published since (UTC if no zone)"
    )
    if event:
        parser.add_argument("--event", metavar="EVENT_ID", help="only this event")
    parser.add_argument("--claimant", metavar="TEXT", help="claimants whose name holds TEXT")
    parser.add_argument("--outlet", metavar="TEXT", help="outlets whose name holds TEXT")


def _chart_path(text: str) -> str:
    if not text.lower().endswith((".png", ".svg")):
        raise argparse.ArgumentTypeError(f"{text!r}: the file name must end in .png or .svg")
    return text


def _other_commands(sub: Any, handlers: Mapping[str, Handler]) -> None:
    claims = _add(
        sub,
        "claims",
        handlers["claims"],
        "print the claims in text or HTML files or pages (JSON lines)",
        """
  wirewatch claims story.txt page.html
  wirewatch claims https://example.com/story        # fetched as the ingest fetches pages
  curl -s https://example.com/story | wirewatch claims -""",
    )
    claims.add_argument(
        "files", nargs="+", metavar="FILE|URL", help="files or http(s) URLs to read; - for stdin"
    )
    web = _add(
        sub,
        "web",
        handlers["web"],
        "serve the live page over an existing database (read-only, 127.0.0.1)",
        """
  wirewatch web --db data/demo.duckdb          # then open http://127.0.0.1:8780/
  wirewatch web --port 0                        # a free port, printed at start-up""",
    )
    web_options(web)
    _db(web)
    site = _add(
        sub,
        "sample-site",
        handlers["sample-site"],
        "serve the bundled sample news site",
        """
  wirewatch sample-site --port 8765
  wirewatch sample-site --write-feeds feeds.yaml""",
    )
    site.add_argument("--port", type=port_number, default=8765)
    site.add_argument("--step", type=sample_step, default=1, help=f"1-{LAST_SAMPLE_STEP}")
    site.add_argument("--write-feeds", metavar="FILE", help="write a feeds file and exit")
    demo = _add(
        sub,
        "demo",
        handlers["demo"],
        "replay the sample site through the pipeline",
        """
  wirewatch demo""",
    )
    demo.add_argument("--db", metavar="FILE", default="data/demo.duckdb")
    demo.add_argument("--workdir", metavar="DIR", default="data/demo")


def build_parser(
    handlers: Mapping[str, Handler], version: str, description: str | None
) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="wirewatch",
        description=description,
        epilog="examples:\n" + EXAMPLES.strip("\n") + "\n\n" + EXIT_CODES,
        formatter_class=_Help,
    )
    parser.add_argument("--version", action="version", version=f"wirewatch {version}")
    parser.add_argument("--debug", action="store_true", help="print tracebacks of failures")
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="log at DEBUG level (WIREWATCH_LOG_LEVEL)"
    )
    parser.add_argument("--db", metavar="FILE", help="DuckDB file, before or after the command")
    parser.add_argument("--feeds", metavar="FILE", help="feeds file, before or after the command")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add_commands in (
        _ingest_commands, _read_commands, _view_commands, _other_commands, _lake_commands,
    ):  # fmt: skip
        add_commands(sub, handlers)
    return parser
