"""`make bench-scale`: does a cycle cost the same at 10k, 100k and 1M stored versions?

For each size: build a database through the storage code (`storage.bulk.bulk_insert`, synthetic
rows shaped like the real stream, see `bench.scale_data`), then in a fresh process
(`bench.scale_cycle`) time a 1-new-article cycle and an idle 100-feed cycle as the warm daemon
runs them, and its peak memory; then the README's example queries (best of two, the whole
result fetched as Arrow; the time to turn it into Python tuples is in the detail) and bytes per
1,000 versions.

    python -m bench.scale [--sizes 10000,100000,1000000] [--out data/bench/scale.json]
                          [--lake-sizes 1000000 | --lake-sizes all | --lake-sizes none]

Prints a table and writes `{"<versions>": {"cycle_s", "idle_cycle_s", "peak_rss_mb",
"bytes_per_1000", "query_s", "lake"}}`. A measuring process that grows past `--rss-cap-mb` is
stopped and its figures are reported as missing (a cycle that needs more memory than the machine).

Lake mode, at the `--lake-sizes`: a throwaway PostgreSQL 15 (the image's, as the tests start
it) holds a DuckLake catalog; the built file is published to it once (timed), then the same
1-article and idle cycles run in lake mode in a fresh process, with the lake commits each makes
and the lag from the new version's fetch to a lake reader seeing it; then the README queries
on the lake. A second table prints them beside the embedded figures, with ratios.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb

from bench import scale_data
from storage import summaries
from storage.bulk import bulk_insert, database_size, indexes_set_aside
from storage.db import connect
from storage.lake import LakeTarget, open_lake, publish

CHUNK = 100_000
#: The cycles run twice: with the default story window (900 days, which holds the whole
#: synthetic history) and with a window shorter than the largest history, as a deployment at
#: this rate would set it (copies of a wire story appear within hours).
SHORT_WINDOW_DAYS = 1.0
README_QUERIES = {
    "changed articles": (
        "SELECT a.outlet, v.version, v.fetched_at, v.title "
        "FROM article_versions v JOIN articles a USING (article_id) "
        "WHERE article_id IN (SELECT article_id FROM article_versions WHERE version > 1) "
        "ORDER BY a.outlet, v.version"
    ),
    "fetch errors": "SELECT outcome, reason, count(*) FROM fetch_errors GROUP BY ALL",
    "figure history": (
        "SELECT first_published_at, claimant, figure, previous_value, n_sources "
        "FROM figure_history WHERE metric = 'killed' AND subject = 'security_forces'"
    ),
}
VIEW_QUERIES = {
    "stories limit 20": "SELECT * FROM stories LIMIT 20",
    "events limit 20": "SELECT * FROM events LIMIT 20",
}


def build(path: Path, versions: int) -> float:
    """Build a database of `versions` versions; returns seconds taken."""
    started = time.perf_counter()
    plan = scale_data.plan_rows(versions)
    with connect(path) as con:
        con.execute("SET enable_progress_bar = false")
        with indexes_set_aside(con):  # the anchor index (0040), built once after the load
            bulk_insert(con, {"feeds": scale_data.feeds_table()})
            for start in range(0, versions, CHUNK):
                stop = min(start + CHUNK, versions)
                bulk_insert(con, scale_data.version_tables(plan, start, stop))
            bulk_insert(con, {"grouping_df": scale_data.grouping_df(plan)})
        summaries.rebuild(con)  # what the write path keeps, from the loaded versions
        con.execute("CHECKPOINT")
    return time.perf_counter() - started


def _timed(con: duckdb.DuckDBPyConnection, sql: str, tuples: bool = False) -> float:
    """Seconds to run `sql` and hold its whole result as Arrow (or as Python tuples)."""
    started = time.perf_counter()
    if tuples:
        con.execute(sql).fetchall()
    else:
        con.sql(sql).to_arrow_table()
    return time.perf_counter() - started


def query_times(
    path: Path, tuples: bool = False, lake: LakeTarget | None = None
) -> dict[str, float]:
    """Best of two runs of each README query and view, in one read-only connection (to the
    lake, when given one)."""
    with open_lake(lake) if lake else connect(path, read_only=True) as con:
        return {
            name: round(min(_timed(con, sql, tuples) for _ in range(2)), 3)
            for name, sql in {**README_QUERIES, **VIEW_QUERIES}.items()
        }


def _tree(pid: int) -> list[int]:
    """A process and its descendants (Linux /proc)."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        try:
            kids = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue  # exited meanwhile
        found.append(current)
        todo.extend(int(k) for k in kids)
    return found


def _rss_mb(pids: list[int]) -> float:
    total = 0.0
    for pid in pids:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue  # exited meanwhile
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1]) / 1024
    return total


def _stop(proc: subprocess.Popen[str]) -> None:
    """SIGINT first (Prefect stops its temporary server, the pool its workers), then SIGKILL
    whatever of the tree is left: a killed measurement must not leave processes behind."""
    pids = _tree(proc.pid)
    proc.send_signal(signal.SIGINT)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(15)
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    proc.wait()


def measure_cycles(
    path: Path,
    cap_mb: float,
    timeout_s: float,
    window_days: float | None = None,
    lake: LakeTarget | None = None,
) -> dict[str, float] | None:
    """The cycles in a fresh process; with `window_days`, the story window set to that; with
    `lake`, in lake mode."""
    env = dict(os.environ)
    tag, extra = "default", []
    if window_days is not None:
        env["WIREWATCH_STORY_WINDOW_DAYS"], tag = str(window_days), f"window-{window_days}"
    if lake is not None:
        tag, extra = "lake", ["--lake", lake.catalog, "--lake-data", str(lake.data_path)]
    proc = subprocess.Popen(
        [sys.executable, "-m", "bench.scale_cycle", "--db", str(path), "--tag", tag, *extra],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    deadline, tree_peak = time.monotonic() + timeout_s, 0.0
    while proc.poll() is None:
        tree_peak = max(tree_peak, _rss_mb(_tree(proc.pid)))
        if tree_peak > cap_mb or time.monotonic() > deadline:
            _stop(proc)
            print(f"  cycle process stopped: {tree_peak:.0f} MB (cap {cap_mb:.0f}) or timeout")
            return None
        with contextlib.suppress(subprocess.TimeoutExpired):  # still running: sample again
            proc.wait(0.2)
    out = proc.stdout.read() if proc.stdout else ""
    if proc.returncode != 0:
        print(f"  cycle process failed with {proc.returncode}")
        return None
    figures: dict[str, float] = json.loads(out.strip().splitlines()[-1])
    figures["tree_peak_rss_mb"] = round(tree_peak, 1)
    return figures


def measure_lake(path: Path, folder: Path, cap_mb: float, timeout_s: float) -> dict[str, object]:
    """Lake mode against a throwaway PostgreSQL catalog: the first publish of the built file,
    the cycles in lake mode, the README queries on the lake."""
    from tests.postgres import missing, running_postgres

    reason = missing()
    if reason:
        print(f"  lake skipped: {reason}")
        return {"skipped": reason}
    data = folder / f"{path.stem}-lake"
    shutil.rmtree(data, ignore_errors=True)
    try:
        with running_postgres() as server:
            lake = LakeTarget(f"postgres:{server.dsn}", data)
            with connect(path) as con:
                first = publish(con, lake)
            cycles = measure_cycles(path, cap_mb, timeout_s, lake=lake) or {}
            queries = query_times(path, lake=lake)
    finally:
        shutil.rmtree(data, ignore_errors=True)
    return {
        "first_publish_s": round(first.seconds, 1),
        "first_publish_rows": first.rows,
        **{k: cycles.get(k) for k in ("cycle_s", "idle_cycle_s", "peak_rss_mb")},
        **{k: cycles.get(k) for k in ("lake_commits", "idle_lake_commits", "visible_lag_s")},
        "query_s": max(queries[name] for name in README_QUERIES),
        "queries_s": queries,
    }


def measure(
    folder: Path, versions: int, cap_mb: float, timeout_s: float, lake: bool = False
) -> dict[str, object]:
    path = folder / f"scale-{versions}.duckdb"
    path.unlink(missing_ok=True)
    built_s = build(path, versions)
    with connect(path, read_only=True) as con:
        size = database_size(con)
    file_bytes = path.stat().st_size
    queries = query_times(path)
    as_tuples = query_times(path, tuples=True)
    cycles = measure_cycles(path, cap_mb, timeout_s) or {}
    windowed = measure_cycles(path, cap_mb, timeout_s, SHORT_WINDOW_DAYS) or {}
    lake_figures = measure_lake(path, folder, cap_mb, timeout_s) if lake else None
    return {
        "cycle_s": cycles.get("cycle_s"),
        "idle_cycle_s": cycles.get("idle_cycle_s"),
        "peak_rss_mb": cycles.get("peak_rss_mb"),
        "bytes_per_1000": round(file_bytes / versions * 1000),
        "query_s": max(queries[name] for name in README_QUERIES),
        "detail": {
            "build_s": round(built_s, 1),
            "file_bytes": file_bytes,
            "free_blocks": size["free_blocks"],
            "total_blocks": size["total_blocks"],
            "queries_s": queries,
            "queries_as_python_tuples_s": as_tuples,
            "tree_peak_rss_mb": cycles.get("tree_peak_rss_mb"),
            "versions_added": cycles.get("versions_added"),
            "idle_cycle_empty_db_s": cycles.get("idle_cycle_empty_db_s"),
            f"story_window_{SHORT_WINDOW_DAYS}_days": {
                key: windowed.get(key) for key in ("cycle_s", "idle_cycle_s", "peak_rss_mb")
            },
        },
        "lake": lake_figures,
    }


def _cell(value: object) -> str:
    return "-" if value is None else f"{value}"


def print_table(results: dict[str, dict[str, object]]) -> None:
    head = ("versions", "build_s", "cycle_s", "idle_cycle_s", "peak_rss_mb", "bytes_per_1000")
    short = f"story_window_{SHORT_WINDOW_DAYS}_days"
    print(
        " ".join(f"{h:>14}" for h in head)
        + f" {'query_s':>8}  slowest view  | {SHORT_WINDOW_DAYS:g}-day window: cycle_s peak_rss_mb"
        + " | cycle / smallest's"
    )
    first = next(iter(results.values()), {}).get("cycle_s")
    for versions, row in results.items():
        detail = row["detail"]
        assert isinstance(detail, dict)
        views, windowed = detail["queries_s"], detail[short]
        cells = (versions, detail["build_s"], *(row[k] for k in head[2:]))
        print(
            " ".join(f"{_cell(c):>14}" for c in cells)
            + f" {_cell(row['query_s']):>8}  {max(views[k] for k in VIEW_QUERIES):>12}"
            + f"  | {_cell(windowed['cycle_s']):>22} {_cell(windowed['peak_rss_mb']):>11}"
            + f" | {_ratio(row['cycle_s'], first):>18}"
        )


def _ratio(a: object, b: object) -> str:
    if isinstance(a, int | float) and isinstance(b, int | float) and b:
        return f"{a / b:.1f}x"
    return "-"


def print_lake_table(results: dict[str, dict[str, object]]) -> None:
    """Lake mode beside the embedded figures, at the sizes measured in both."""
    rows = [(v, r, r.get("lake")) for v, r in results.items()]
    rows = [(v, r, lake) for v, r, lake in rows if isinstance(lake, dict) and "cycle_s" in lake]
    if not rows:
        return
    print(
        f"{'versions':>10} {'first publish':>14} | 1-article cycle: {'embedded':>8} "
        f"{'lake':>6} {'ratio':>6} | {'commits':>7} {'lag_s':>6} | idle: {'lake':>6} "
        f"{'commits':>7} | README queries: {'file':>6} {'lake':>6} {'ratio':>6}"
    )
    for versions, row, lake in rows:
        print(
            f"{versions:>10} {_cell(lake['first_publish_s']):>13}s | {'':16}"
            f"{_cell(row['cycle_s']):>8} {_cell(lake['cycle_s']):>6} "
            f"{_ratio(lake['cycle_s'], row['cycle_s']):>6} | {_cell(lake['lake_commits']):>7} "
            f"{_cell(lake['visible_lag_s']):>6} | {'':6}{_cell(lake['idle_cycle_s']):>6} "
            f"{_cell(lake['idle_lake_commits']):>7} | {'':16}{_cell(row['query_s']):>6} "
            f"{_cell(lake['query_s']):>6} {_ratio(lake['query_s'], row['query_s']):>6}"
        )


def _lake_sizes(text: str, sizes: list[int]) -> set[int]:
    if text == "all":
        return set(sizes)
    if text == "none":
        return set()
    return {int(s) for s in text.split(",") if s.strip()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default=os.environ.get("SIZES", "10000,100000,1000000"))
    parser.add_argument("--out", type=Path, default=Path("data/bench/scale.json"))
    parser.add_argument("--folder", type=Path, default=Path("data/bench"))
    parser.add_argument("--rss-cap-mb", type=float, default=8000.0)
    parser.add_argument("--timeout-s", type=float, default=900.0)
    parser.add_argument("--keep", action="store_true", help="keep the built databases")
    parser.add_argument(
        "--lake-sizes",
        default=os.environ.get("LAKE_SIZES", "1000000"),
        help="sizes also measured in lake mode: a list, `all` or `none`",
    )
    args = parser.parse_args()
    args.folder.mkdir(parents=True, exist_ok=True)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    lake_sizes = _lake_sizes(args.lake_sizes, sizes)
    results: dict[str, dict[str, object]] = {}
    for versions in sizes:
        print(f"building and measuring {versions:,} versions ...", flush=True)
        results[str(versions)] = measure(
            args.folder, versions, args.rss_cap_mb, args.timeout_s, versions in lake_sizes
        )
        if not args.keep:
            (args.folder / f"scale-{versions}.duckdb").unlink(missing_ok=True)
    print_table(results)
    print_lake_table(results)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
