"""`wirewatch demo` (what `make demo` runs): replay the sample site through the real pipeline.

Starts the sample news site on 127.0.0.1, runs the ingest flow once per replay step, runs the
last step again to show that a re-run adds nothing, stops the site, prints a summary read
back from DuckDB, writes the figure chart and the HTML report, and ends with three next steps
(the page, a query of the demo's database, the daemon), each a command that runs as written.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from storage.db import connect
from storage.summary import counts, disputes, figure_timeline, summary
from wirewatch.outputs.chart import write_chart
from wirewatch.outputs.report import write_report
from wirewatch.outputs.tables import format_table, terminal_width
from wirewatch.outputs.views import event_chart
from wirewatch.sample_site.app import NewsSite
from wirewatch.sample_site.newsroom import LAST_STEP
from wirewatch.sample_site.server import Reply, Request, SiteServer


async def _replay(site: NewsSite, feeds: Path, db: Path) -> dict[str, int]:
    from flows.ingest import ingest

    for step in range(1, LAST_STEP + 1):
        site.set_step(step)
        totals = await ingest(feeds_file=str(feeds), db_path=str(db))
        print(f"step {step}: " + " ".join(f"{k}={v}" for k, v in sorted(totals.items())))
    with connect(db, read_only=True) as con:
        before = counts(con)
    await ingest(feeds_file=str(feeds), db_path=str(db))
    with connect(db, read_only=True) as con:
        after = counts(con)
    return {k: after[k] - before[k] for k in after}


def next_steps(db: Path, report: Path) -> str:
    """What to try after the demo: the page, a query, the daemon (each runs as written)."""
    wirewatch = ".venv/bin/wirewatch"
    return f"""
next steps:
  1. open the page:   {wirewatch} web --db {db}    then http://127.0.0.1:8780/
                      (or the file {report})
  2. query the data:  {wirewatch} query --db {db} "SELECT claimant, figure, first_published_at FROM figure_history LIMIT 5"
  3. run it live:     {wirewatch} sample-site &   then
                      WIREWATCH_ALLOW_PRIVATE_ADDRESSES=true {wirewatch} serve    (page on http://127.0.0.1:8780/)
"""  # noqa: E501


def run_demo(db: Path, workdir: Path, verbose: bool = False) -> int:
    # The sample site lives on loopback, which the default address policy refuses.
    os.environ["WIREWATCH_ALLOW_PRIVATE_ADDRESSES"] = "true"
    os.environ.setdefault("WIREWATCH_MIN_HOST_DELAY_S", "0")  # the sample site is our own
    if not verbose and not os.environ.get("WIREWATCH_LOG_LEVEL"):
        os.environ["PREFECT_LOGGING_LEVEL"] = "WARNING"  # each step's own line says enough
    workdir.mkdir(parents=True, exist_ok=True)
    db.unlink(missing_ok=True)
    holder: list[NewsSite] = []

    def app(request: Request) -> Reply:
        return holder[0](request)

    with SiteServer(app) as server:
        holder.append(NewsSite(server.base_url))
        feeds = workdir / "feeds.yaml"
        feeds.write_text(holder[0].feeds_yaml(), encoding="utf-8")
        print(f"sample site on {server.base_url}; database {db}")
        added = asyncio.run(_replay(holder[0], feeds, db))
    print("\nre-running the last step added: " + " ".join(f"{k}={v}" for k, v in added.items()))
    width = terminal_width(sys.stdout)  # in a terminal, each row one line; piped, whole
    with connect(db, read_only=True) as con:
        for title, table in summary(con, ["totals", "events"]).items():
            print(f"\n== {title}\n{format_table(table, width=width)}")
        print("\n== each kind of claimant's latest figure, side by side (figure_disputes)")
        print(format_table(disputes(con), width=width))
        print("\n== who claimed how many were killed, as the story unfolded (figure_history)")
        print(format_table(figure_timeline(con, metric="killed"), width=width))
        chart = write_chart(event_chart(con, None, "killed"), workdir / "chart.png")
        report = write_report(con, workdir / "report.html")
    print(f"\nchart of the figures over time: {chart}")
    print(f"report (one HTML file, opens offline): {report}")
    print(next_steps(db, report), end="")
    return 0
