"""Real revisions: rsspool-dev replayed snapshot by snapshot through the real ingest flow.

    python -m evals.revisions --stream ../shared/streams/rsspool-dev [--days dev|check|all]
                              [--snapshots A:B]

Each snapshot is one cycle of the ingest flow (Prefect, HTTP over loopback, extraction workers,
DuckDB) against the loopback site of evals/rsspool_site.py, run on the stream's clock: the cycle
runs as of the snapshot's capture time (the flow's `now`), not the machine's. Prints
- versions served vs stored per outlet: a link's served versions are its page's body changes
  over the replayed snapshots from the first that lists it (a headline-only or date-only change
  is not one); missed = served
  changes no fetch saw (no 200 for the page between the change and the next one); chrome =
  served changes a fetch saw that made no version (a new "Updated" stamp, an aggregator's
  source label flipping, a headline edit on a summary page: not the article's words);
  spurious = stored beyond served;
- events: how many, the largest (articles), and articles whose versions span several events;
- the revisions of the articles the stream's README lists: each stored version with its figures,
  and the toll line of its event.
Days: `dev` (2026-08-18/19) is what rules were developed on, `check` (2026-08-20/22) the held-out
rest; `all` is the whole stream.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import tempfile
import time
from collections import Counter, defaultdict
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb

from evals.rsspool_site import PoolSite, load_reader, snapshot_time
from wirewatch.sample_site.server import SiteServer

DAYS = {
    "dev": ("2026-08-18", "2026-08-19"),
    "check": ("2026-08-20", "2026-08-21", "2026-08-22"),
    "all": ("2026-08-18", "2026-08-19", "2026-08-20", "2026-08-21", "2026-08-22"),
}
_WS = re.compile(r"\s+")


def pick_snapshots(stream: Any, days: tuple[str, ...], span: str | None) -> list[int]:
    if span:
        first, _, last = span.partition(":")
        return list(range(int(first), int(last or len(stream.snapshots) - 1) + 1))
    return [s["index"] for s in stream.snapshots if s["time"][:10] in days]


def replay(stream: Any, snapshots: list[int], db: Path) -> tuple[PoolSite, list[float]]:
    os.environ["WIREWATCH_ALLOW_PRIVATE_ADDRESSES"] = "true"
    os.environ.setdefault("WIREWATCH_PER_HOST_CONCURRENCY", "16")
    # 41 outlets and ~10,000 pages on one loopback host: a 1 s delay would take hours
    os.environ.setdefault("WIREWATCH_POLITE_EXEMPT_HOSTS", '["127.0.0.1"]')
    for cap in (
        "MAX_PAGES_PER_FEED",
        "MAX_PAGES_PER_HOST",
        "MAX_REVISITS_PER_HOST",
        "CYCLE_BUDGET_S",
    ):
        os.environ.setdefault(f"WIREWATCH_{cap}", "0")  # one host serves every outlet: no caps
    from flows.ingest import ingest

    site, times = PoolSite(stream), []
    with SiteServer(site) as server:
        site.base_url = server.base_url
        # the feed list and the WARC files stay private to this replay: two replays keeping
        # their databases in one folder must not read each other's feed list (another site)
        work = Path(tempfile.mkdtemp(prefix="rsspool-replay-"))
        os.environ["WIREWATCH_WARC_DIR"] = str(work / "warc")
        feeds = work / "feeds.yaml"
        feeds.write_text(
            "feeds:\n"
            + "".join(
                f"- url: {site.base_url}/{s}/rss.xml\n  name: {s}\n  outlet: {s}\n"
                for s in sorted(stream.feeds)
            ),
            encoding="utf-8",
        )
        for k in snapshots:
            site.k, start = k, time.perf_counter()
            now = snapshot_time(stream, k).isoformat()  # the cycle runs on the stream's clock
            try:
                totals = asyncio.run(ingest(feeds_file=str(feeds), db_path=str(db), now=now))
            except Exception as exc:  # a failed cycle is reported, the next one goes on
                totals = {}
                print(f"snapshot {k} FAILED: {exc!r}")
            times.append(time.perf_counter() - start)
            print(f"snapshot {k}: {times[-1]:.1f} s, {totals.get('versions_added', 0)} versions")
    return site, times


def served_changes(
    stream: Any, link: str, snapshots: list[int], first: int | None = None
) -> list[int]:
    """The snapshots at which the link's page changed body over the replayed snapshots, from
    `first`, the first of them whose feeds list it (a page no feed has listed yet cannot be
    fetched; the page shown then counts as a change)."""
    first, last = first if first is not None else snapshots[0], snapshots[-1]
    changes: list[tuple[int, str]] = []
    for since, item in stream.versions(link):
        if since > last:
            break
        body = _WS.sub(" ", item["content"] or "").strip()
        if since <= first:
            changes = [(first, body)]
        elif not changes or changes[-1][1] != body:
            changes.append((since, body))
    return [since for since, _ in changes]


def first_listed(stream: Any, snapshots: list[int]) -> dict[str, int]:
    """link -> the first replayed snapshot whose feeds list it."""
    found: dict[str, int] = {}
    for k in snapshots:
        for ids in stream.snapshots[k]["feeds"].values():
            for i in ids:
                found.setdefault(stream.items[i]["link"], k)
    return found


def page_fetches(db: Path, site: PoolSite) -> dict[str, list[datetime]]:
    """link -> when its page was fetched with a 200 (on the stream's clock)."""
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            "SELECT url, final_url, fetched_at FROM fetches WHERE http_status = 200 ORDER BY 3"
        ).fetchall()
    found: defaultdict[str, list[datetime]] = defaultdict(list)
    for url, final_url, at in rows:
        link = site.link_of(final_url) or site.link_of(url)
        if link:
            found[link].append(at)
    return found


def unseen_changes(stream: Any, changes: list[int], fetched: list[datetime]) -> int:
    """Served changes (`served_changes`) no fetch saw: none of the page's 200s fell between the
    change and the next one (a change is seen when a fetch read it, made a version or not)."""
    ends = [snapshot_time(stream, k) for k in changes[1:]] + [None]
    unseen = 0
    for since, end in zip(changes, ends, strict=True):
        start = snapshot_time(stream, since)
        if not any(start <= at and (end is None or at < end) for at in fetched):
            unseen += 1
    return unseen


def stored(db: Path, site: PoolSite) -> dict[str, tuple[int, list[str | None]]]:
    """link -> (versions stored, event of each version)."""
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            "SELECT a.canonical_url, v.version, e.event_id FROM article_versions v "
            "JOIN articles a USING (article_id) "
            "LEFT JOIN version_stories s USING (article_id, version) "
            "LEFT JOIN story_events e USING (story_id) ORDER BY 1, 2"
        ).fetchall()
    found: defaultdict[str, list[str | None]] = defaultdict(list)
    for url, _version, event in rows:
        link = site.link_of(url)
        if link:
            found[link].append(event)
    return {link: (len(events), events) for link, events in found.items()}


def version_table(
    stream: Any, snapshots: list[int], kept: dict[str, Any], fetched: dict[str, list[datetime]]
) -> dict[str, Counter]:
    """Per outlet (the link's home source): links, served, stored, missed (served changes no
    fetch saw), chrome (changes a fetch saw that made no version), spurious."""
    seen = first_listed(stream, snapshots)
    table: defaultdict[str, Counter] = defaultdict(Counter)
    for link, first in seen.items():
        row = table[stream.home(link) or "?"]
        changes = served_changes(stream, link, snapshots, first)
        served = len(changes)
        n = kept.get(link, (0, []))[0]
        row.update(links=1, served=served, stored=n, not_stored=int(n == 0))
        if n:
            unseen = unseen_changes(stream, changes, fetched.get(link, []))
            row.update(
                missed=unseen,
                chrome=max(0, served - unseen - n),
                spurious=max(0, n - served),
            )
    return table


def print_versions(table: dict[str, Counter]) -> None:
    print(f"{'outlet':34} {'links':>6} {'served':>7} {'stored':>7} {'missed':>7} "
          f"{'chrome':>7} {'spurious':>8} {'no page':>7}")  # fmt: skip
    total: Counter = Counter()
    for outlet in sorted(table):
        total.update(table[outlet])
        _row(outlet, table[outlet])
    _row("ALL", total)


def _row(name: str, r: Counter) -> None:
    print(
        f"{name:34} {r['links']:>6} {r['served']:>7} {r['stored']:>7} {r['missed']:>7} "
        f"{r['chrome']:>7} {r['spurious']:>8} {r['not_stored']:>7}"
    )


def print_events(kept: dict[str, tuple[int, list[str | None]]]) -> None:
    sizes: Counter = Counter()
    split = []
    for link, (_n, events) in kept.items():
        for event in set(events):
            sizes[event] += 1
        if len({e for e in events if e}) > 1:
            split.append(link)
    sizes.pop(None, None)
    largest = sizes.most_common(1)[0][1] if sizes else 0
    print(
        f"events: {len(sizes)}; largest {largest} articles; articles whose versions span "
        f"events: {len(split)} of {sum(1 for n, _ in kept.values() if n > 1)} with 2+ versions"
    )
    for link in sorted(split)[:10]:
        print(f"  split: {link}")


def readme_links(folder: Path) -> list[str]:
    """The example articles the stream's README lists (its "Examples" section)."""
    text = (folder / "README.md").read_text(encoding="utf-8")
    examples = text.split("### Examples", 1)[-1]
    return re.findall(r"^\s+(https?://\S+)\s*$", examples, flags=re.M)


def replayed_base_url(db: Path) -> str:
    """The loopback site's address a kept file was replayed from ("http://127.0.0.1:41983"), so
    that `--scores-of` finds the README's articles under it ('' when nothing is stored)."""
    with duckdb.connect(str(db), read_only=True) as con:
        row = con.execute(
            "SELECT regexp_extract(min(canonical_url), '^https?://[^/]+') FROM articles"
        ).fetchone()
    return str(row[0] or "") if row else ""


def print_revisions(db: Path, site: PoolSite, links: list[str]) -> None:
    with duckdb.connect(str(db), read_only=True) as con:
        for link in links:
            print(f"{link}")
            rows = con.execute(
                "SELECT v.version, v.fetched_at, e.event_id, list(c.figure || ' ' || c.metric "
                "|| ' ' || c.subject || ' (' || coalesce(nullif(c.claimant, ''), '-') || ', ' "
                "|| c.scope || ')' ORDER BY c.ordinal) FILTER (WHERE c.metric IS NOT NULL) "
                "FROM article_versions v JOIN articles a USING (article_id) "
                "LEFT JOIN version_stories s USING (article_id, version) "
                "LEFT JOIN story_events e USING (story_id) "
                "LEFT JOIN claims c ON c.article_id = v.article_id AND c.version = v.version "
                "WHERE a.canonical_url = ? GROUP BY ALL ORDER BY 1",
                [site.link_map(link)],
            ).fetchall()
            if not rows:
                print("  (not stored)")
            for version, fetched, event, figures in rows:
                print(f"  v{version} {fetched:%m-%d %H:%M} event {event}: {figures or []}")
            events = sorted({r[2] for r in rows if r[2]})
            _print_toll_lines(con, events)


def _print_toll_lines(con: duckdb.DuckDBPyConnection, events: list[str]) -> None:
    """The events' toll lines, one per (metric, subject, side): "killed/people official: 3
    (mayor) -> 5 (authorities)"; a file kept from before migration 0050 has one line per
    (metric, subject), shown as side "any"."""
    tables = {r[0] for r in con.execute("SELECT view_name FROM duckdb_views()").fetchall()}
    if "toll_lines" not in tables or not events:
        return
    columns = {r[0] for r in con.execute("DESCRIBE toll_lines").fetchall()}
    side = "side" if "side" in columns else "'any'"
    rows = con.execute(
        f"SELECT event_id, metric, subject, {side}, figure, said_by, previous_figure, "
        "previous_said_by, reported_at FROM toll_lines WHERE event_id IN (SELECT unnest(?)) "
        "ORDER BY 1, 2, 3, 4, 9",
        [events],
    ).fetchall()
    for event, metric, subject, on, figure, who, before, before_who, at in rows:
        step = f"{before} ({before_who}) -> " if before is not None else ""
        print(
            f"  toll line {event} {metric}/{subject} {on}: {step}{figure} ({who}) "
            f"at {at:%m-%d %H:%M}"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--stream", type=Path, required=True)
    parser.add_argument("--days", choices=sorted(DAYS), default="all")
    parser.add_argument("--snapshots", help="A:B, snapshot indexes (overrides --days)")
    parser.add_argument("--keep", type=Path, help="keep the DuckDB file here")
    parser.add_argument("--scores-of", type=Path, help="score a kept DuckDB file, no replay")
    args = parser.parse_args()
    if not (args.stream / "rsspool.py").exists():
        print(f"skipped: {args.stream} is absent (the rsspool-dev stream lives in ../shared)")
        return
    stream = load_reader(args.stream).Stream(str(args.stream))
    snapshots = pick_snapshots(stream, DAYS[args.days], args.snapshots)
    with tempfile.TemporaryDirectory() as tmp:
        db = args.keep or Path(tmp) / "replay.duckdb"
        if args.scores_of:
            db, site, times = args.scores_of, PoolSite(stream), []
            site.base_url = replayed_base_url(db)
        else:
            site, times = replay(stream, snapshots, db)
        kept = stored(db, site)
        print(f"rsspool-dev {args.days} snapshots {snapshots[0]}-{snapshots[-1]}: "
              f"{len(snapshots)} cycles, {sum(times):.0f} s")  # fmt: skip
        print_versions(version_table(stream, snapshots, kept, page_fetches(db, site)))
        print_events(kept)
        print_revisions(db, site, readme_links(args.stream))


if __name__ == "__main__":
    main()
