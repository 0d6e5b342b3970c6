"""The revisit schedule's cost per cycle (issue 18 item 1) at 10k and 100k stored articles.

    python -m bench.revisits --sizes 10000,100000 [--hosts 50] [--cycles 8]

For each size N: a DuckDB file of N stored entries on `--hosts` hosts (two feeds each), first
seen evenly over the revisit horizon, each with a page ETag and its next revisit due as the
schedule says (steady state). Then `--cycles` cycles 15 minutes apart through the real planner
(`storage.records.load_due_entries`, `wirewatch.ingest.plan`) under the default caps, writing
back through `storage.records.write_batch` the rows a 304 gives (page unchanged). Prints, per
size: revisits due per cycle, requests per host per cycle (mean, max), the backlog the caps
leave, and the seconds per cycle of the DB read, the planner and the write.

Then one loopback measurement of what a revisit costs: the same page fetched and extracted
(200) against fetched with its ETag (304), in-process, without politeness delays.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from statistics import mean

import numpy as np

from extractors.feeds import FeedEntry
from storage.db import connect
from storage.records import Batch, EntryRow, FeedState, load_due_entries, write_batch
from wirewatch.ingest import plan
from wirewatch.settings import Settings

NOW = datetime(2026, 3, 1, tzinfo=UTC)
CYCLE = timedelta(minutes=15)


def _feeds(hosts: int) -> list[FeedState]:
    return [
        FeedState(f"h{h}-f{f}", f"https://host{h}.example/f{f}.xml", f"h{h}f{f}", f"o{h}", "", "")
        for h in range(hosts)
        for f in range(2)
    ]


def _steady_due(ages_h: np.ndarray, rng: np.random.Generator, settings: Settings) -> list[datetime]:
    """Each entry's next revisit as if it had been revisited on schedule so far."""
    step_h = np.where(
        ages_h < settings.revisit_every_cycle_hours,
        0.0,
        np.where(ages_h < settings.revisit_hourly_hours, 1.0, 24.0),
    )
    since_h = rng.random(len(ages_h)) * np.maximum(step_h, CYCLE.total_seconds() / 3600)
    due_h = step_h - since_h  # hours from NOW
    return [NOW + timedelta(hours=float(h)) for h in due_h]


def build(path: Path, size: int, feeds: list[FeedState], settings: Settings) -> None:
    rng = np.random.default_rng(18)
    ages_h = rng.random(size) * settings.revisit_horizon_hours
    dues = _steady_due(ages_h, rng, settings)
    rows = [
        EntryRow(
            feed_id=feeds[k % len(feeds)].feed_id,
            entry_key=f"e{k}",
            url=f"https://host{(k % len(feeds)) // 2}.example/a/{k}",
            article_id=f"a{k}",
            marker="",
            state="ok",
            attempts=0,
            first_seen_at=NOW - timedelta(hours=float(ages_h[k])),
            title=f"story {k}",
            etag=f'"{k:x}"',
            due_at=dues[k],
        )
        for k in range(size)
    ]
    with connect(path) as con:
        write_batch(con, Batch(entries=rows))


def run_cycles(
    path: Path, feeds: list[FeedState], settings: Settings, cycles: int
) -> dict[str, float]:
    by_id = {feed.feed_id: feed for feed in feeds}
    found: dict[str, list[float]] = {k: [] for k in ("due", "taken", "left", "host_mean")}
    found.update({k: [] for k in ("host_max", "read_s", "plan_s", "write_s")})
    for n in range(cycles):
        now = NOW + n * CYCLE
        t0 = time.perf_counter()
        with connect(path) as con:
            due = load_due_entries(con, list(by_id), plan.due_by(now, settings))
        t1 = time.perf_counter()
        grouped = plan.by_feed(due)
        jobs = [
            job
            for feed_id, mine in grouped.items()
            for job in plan.candidates(by_id[feed_id], [], mine, now, settings)
        ]
        taken, left = plan.choose(jobs, settings)
        rows = [
            plan.fetched_row(job, _not_modified(job, now), settings) for job in taken
        ]  # every revisit a 304: the schedule's whole cost
        t2 = time.perf_counter()
        with connect(path) as con:
            write_batch(con, Batch(entries=rows))
        t3 = time.perf_counter()
        per_host = Counter(job.entry.url.split("/")[2] for job in taken)
        found["due"].append(len(jobs))
        found["taken"].append(len(taken))
        found["left"].append(len(left))
        found["host_mean"].append(mean(per_host.values()) if per_host else 0)
        found["host_max"].append(max(per_host.values(), default=0))
        found["read_s"].append(t1 - t0)
        found["plan_s"].append(t2 - t1)
        found["write_s"].append(t3 - t2)
    return {key: round(mean(values), 3) for key, values in found.items()}


def _not_modified(job: plan.Job, now: datetime) -> plan.Fetched:
    prior = job.prior
    assert prior is not None
    return plan.Fetched(now, True, prior.article_id, prior.etag)


def measure_304(pages: int = 30) -> dict[str, float]:
    """ms per page: fetched and extracted (200) against a 304 to its ETag, over loopback."""
    from wirewatch.ingest import cycle
    from wirewatch.sample_site.server import Reply, Request, SiteServer

    body = (
        "<html><head><title>Strike</title></head><body><article><h1>Strike</h1>"
        + "<p>Officials said 12 people were killed in the strike on the market on Tuesday.</p>" * 60
        + "</article></body></html>"
    ).encode()

    def app(request: Request) -> Reply:
        if request.headers.get("if-none-match") == '"v1"':
            return Reply(304, b"", {"ETag": '"v1"'})
        return Reply(200, body, {"Content-Type": "text/html", "ETag": '"v1"'})

    with tempfile.TemporaryDirectory() as folder, SiteServer(app) as server:
        settings = Settings(
            db_path=Path(folder) / "x.duckdb",
            allow_private_addresses=True,
            min_host_delay_s=0,
            respect_robots=False,
            extract_workers=0,
            per_host_concurrency=1,
        )
        feed = FeedState("f", server.base_url + "/f.xml", "f", "o", "", "")
        timings = {}
        for label, etag in (("full_200_ms", ""), ("conditional_304_ms", '"v1"')):
            jobs = []
            for k in range(pages):
                url = f"{server.base_url}/p/{k}"
                prior = EntryRow("f", f"k{k}", url, "a", "", "ok", 0, NOW, etag=etag)
                entry = FeedEntry(f"k{k}", url, "", None, None)
                jobs.append(plan.Job(feed, entry, prior, plan.Purpose.REVISIT))
            started = time.perf_counter()
            asyncio.run(cycle.fetch_and_extract(jobs, settings, None))
            timings[label] = round((time.perf_counter() - started) * 1000 / pages, 2)
        timings["page_kb"] = round(len(body) / 1024, 1)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--hosts", type=int, default=50)
    parser.add_argument("--cycles", type=int, default=8)
    args = parser.parse_args()
    settings = Settings()
    feeds = _feeds(args.hosts)
    for size in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "revisits.duckdb"
            build(path, size, feeds, settings)
            figures = run_cycles(path, feeds, settings, args.cycles)
        print(json.dumps({"stored_articles": size, "hosts": args.hosts, **figures}))
    print(json.dumps({"revisit_request": measure_304()}))


if __name__ == "__main__":
    main()
