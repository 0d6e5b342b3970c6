"""Whole-pipeline throughput against a bare single-core trafilatura loop, in one run.

Serves real pages (scrapinghub-aeb) from a separate process on 127.0.0.1, then measures:
  1. bare loop: `trafilatura.extract` on one core, with the pipeline's own options
     (metadata, no comments), over the same pages;
  2. the ingest flow (Prefect local mode, fetch + extract on both cores + DuckDB writes) over
     the same pages served `--copies` times under distinct URLs.
Prints articles/second for each and their ratio (target >= 1.5 on 2 cores), and the CPU seconds
per page of the main process, of the extraction workers and of the per-page work alone: these do
not depend on what else runs on the machine, unlike the rates (issue 9 item 4).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import trafilatura

from bench.corpus_site import load_pages
from extractors.pages import DATE_PARAMS, Page
from extractors.process import process_page
from wirewatch.service.offline import apply_offline_defaults
from wirewatch.settings import Settings, open_db

#: the flow archives every page (a WARC record built in the worker): so does the 1-core loop
ARCHIVED_AT = datetime(2026, 1, 1, tzinfo=UTC)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


#: what a descendant process is, by a word of its command line
_KINDS = {b"multiprocessing": "workers", b"uvicorn": "server"}


class TreeCpu:
    """CPU seconds of the extraction processes among this process's descendants (the fork
    server and its workers),
    sampled from /proc while they live: pool workers are not our children, so getrusage
    never counts them. The last sample of each process stands for its total. `own_cpu`: what
    the sampling itself cost this process (to take off the main process's figure)."""

    def __init__(self, every_s: float = 0.5) -> None:
        self.seen: dict[int, tuple[str, float]] = {}
        self.own_cpu = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(every_s,), daemon=True)

    def __enter__(self) -> TreeCpu:
        self.baseline = self._sample()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._record()

    def used(self, kind: str = "workers") -> float:
        """CPU seconds the extraction processes (or, with kind "server", Prefect's temporary
        server) used since the start."""
        return sum(
            cpu - self.baseline.get(pid, (kind, 0.0))[1]
            for pid, (found, cpu) in self.seen.items()
            if found == kind
        )

    def _run(self, every_s: float) -> None:
        while not self._stop.wait(every_s):
            started = time.thread_time()
            self._record()
            self.own_cpu += time.thread_time() - started

    def _record(self) -> None:
        self.seen.update(self._sample())

    @staticmethod
    def _sample() -> dict[int, tuple[str, float]]:
        parents: dict[int, int] = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                parents[int(entry.name)] = int(fields[1])
        tree, frontier = set(), {os.getpid()}
        while frontier:
            frontier = {pid for pid, ppid in parents.items() if ppid in frontier} - tree
            tree |= frontier
        found = {}
        for pid in tree:
            try:  # the fork server and its workers; Prefect's server apart; not the site
                cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
                kind = _KINDS.get(next((k for k in _KINDS if k in cmdline), b""))
                if kind:
                    found[pid] = (kind, _cpu_seconds(pid))
            except (OSError, IndexError):
                continue
        return found


def bare_rate(pages: list[bytes], fast: bool, with_metadata: bool) -> float:
    started = time.perf_counter()
    for html in pages:
        trafilatura.extract(
            html,
            include_comments=False,
            with_metadata=with_metadata,
            fast=fast,
            date_extraction_params=DATE_PARAMS if with_metadata else None,
        )
    return len(pages) / (time.perf_counter() - started)


def same_work_rate(pages: list[bytes], fast: bool) -> tuple[float, float]:
    """The pipeline's whole per-page work on one core: (pages/s, CPU seconds a page)."""
    started, cpu = time.perf_counter(), time.process_time()
    for html in pages:
        process_page(Page("http://bench/", "text/html", html), fast, archive_at=ARCHIVED_AT)
    rate = len(pages) / (time.perf_counter() - started)
    work_cpu = (time.process_time() - cpu) / len(pages)
    print(
        f"the pipeline's whole per-page work, 1 core (extract + claims + fingerprint + "
        f"event features, WARC record): {rate:6.1f} pages/s, {work_cpu * 1000:.1f} CPU ms/page"
    )
    return rate, work_cpu


def _feeds_file(folder: Path, port: int, feeds: int) -> Path:
    path = folder / "feeds.yaml"
    lines = [
        f"- url: http://127.0.0.1:{port}/feeds/{k}.xml\n  name: corpus-{k}" for k in range(feeds)
    ]
    path.write_text("feeds:\n" + "\n".join(lines) + "\n")
    return path


async def _pipeline(
    feeds: Path, warm_feeds: Path, folder: Path
) -> tuple[float, float, float, float, dict[str, int]]:
    """(wall s, main process CPU s, workers' CPU s, Prefect server's CPU s, totals) of one
    ingest run."""
    from flows.ingest import ingest

    await ingest(feeds_file=str(warm_feeds), db_path=str(folder / "warm.duckdb"))  # start Prefect
    # a daemon's file exists: its schema is made before the clock starts, not by the run
    with open_db(Settings(db_path=folder / "bench.duckdb")):
        pass
    with TreeCpu() as tree:
        started, cpu = time.perf_counter(), time.process_time()
        totals = await ingest(feeds_file=str(feeds), db_path=str(folder / "bench.duckdb"))
        elapsed, main_cpu = time.perf_counter() - started, time.process_time() - cpu
    return elapsed, main_cpu - tree.own_cpu, tree.used(), tree.used("server"), totals


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--copies", type=int, default=4)
    parser.add_argument("--feeds", type=int, default=12)
    args = parser.parse_args()
    if not (args.corpus / "html").is_dir():
        sys.exit(f"bench: no corpus at {args.corpus} (set SHARED=path/to/shared)")
    apply_offline_defaults()
    os.environ["WIREWATCH_ALLOW_PRIVATE_ADDRESSES"] = "true"
    # the loopback site is ours: politeness (1 s between requests to a host) would make the
    # flow wait ~700 s for 724 pages and measure the delay, not the pipeline
    os.environ.setdefault("WIREWATCH_MIN_HOST_DELAY_S", "0")
    os.environ.setdefault("WIREWATCH_RESPECT_ROBOTS", "false")
    fast = os.environ.get("WIREWATCH_EXTRACT_FAST", "false").lower() == "true"
    pages = list(load_pages(args.corpus).values())
    print(
        f"corpus: {len(pages)} pages, {sum(map(len, pages)) / len(pages) / 1024:.0f} KiB avg; "
        f"cores: {os.cpu_count()}"
    )

    bare_plain = bare_rate(pages, fast=False, with_metadata=False)
    bare = bare_rate(pages, fast=fast, with_metadata=True)
    print(f"bare trafilatura.extract, 1 core, defaults:            {bare_plain:6.1f} pages/s")
    print(f"bare trafilatura.extract, 1 core, pipeline's options:  {bare:6.1f} pages/s")
    same_work, work_cpu = same_work_rate(pages, fast)

    port = _free_port()
    site = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bench.corpus_site",
            "--corpus",
            str(args.corpus),
            "--port",
            str(port),
            "--copies",
            str(args.copies),
            "--feeds",
            str(args.feeds),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert site.stdout is not None and site.stdout.readline().strip() == "ready"
        for label, keep_warm in (("wirewatch run", "false"), ("warm daemon", "true")):
            os.environ["WIREWATCH_KEEP_WARM"] = keep_warm  # serve's warm runner: workers kept
            print(f"-- the ingest flow as {label} runs it --")
            rate = _measure(port, args.feeds, site.pid, work_cpu)
            # this machine's speed drifts by a quarter from one minute to the next: the flow
            # is compared with the 1-core loop measured just before and just after it
            after, work_cpu = same_work_rate(pages, fast)
            one_core = (same_work + after) / 2
            print(f"ratio pipeline / bare (pipeline's options): {rate / bare:.2f}x")
            print(f"ratio pipeline / bare (defaults):           {rate / bare_plain:.2f}x")
            print(
                f"ratio pipeline / same per-page work on 1 core: {rate / one_core:.2f}x "
                f"(1-core loop before and after: {same_work:.1f} and {after:.1f} pages/s)"
            )
            same_work = after
        whole = _measure_one_cpu(port, args.feeds, site.pid, work_cpu)
        print(
            f"ratio pipeline (warm daemon, 2 cores) / the whole flow on 1 core: "
            f"{rate / whole:.2f}x (a speed-up, not the issue's measure above)"
        )
    finally:
        site.terminate()
        site.wait()


def _pin(cpus: set[int]) -> None:
    """Every thread of this process, the processes it starts from now on and Prefect's
    server if one is running, on `cpus`."""
    server = [pid for pid, (kind, _) in TreeCpu._sample().items() if kind == "server"]
    for pid in [os.getpid(), *server]:
        with contextlib.suppress(OSError):  # a process or thread that has ended since
            for tid in os.listdir(f"/proc/{pid}/task"):
                with contextlib.suppress(ProcessLookupError):
                    os.sched_setaffinity(int(tid), cpus)


def _measure_one_cpu(port: int, feeds_count: int, site_pid: int, work_cpu: float) -> float:
    """The whole flow (fetch, extraction in-process, writes, Prefect's server) on one CPU:
    what the second core adds to it. The corpus site keeps both CPUs."""
    print("-- the whole ingest flow on 1 core (extract_workers=0, one CPU) --")
    cpus = os.sched_getaffinity(0)
    workers = os.environ.get("WIREWATCH_EXTRACT_WORKERS")
    os.environ["WIREWATCH_EXTRACT_WORKERS"] = "0"
    _pin({min(cpus)})
    try:
        return _measure(port, feeds_count, site_pid, work_cpu)
    finally:
        if workers is None:
            del os.environ["WIREWATCH_EXTRACT_WORKERS"]
        else:
            os.environ["WIREWATCH_EXTRACT_WORKERS"] = workers
        _pin(cpus)


def _measure(port: int, feeds_count: int, site_pid: int, work_cpu: float) -> float:
    """One timed ingest run over the corpus feeds (after a warm-up run); its articles/s."""
    site_before = _cpu_seconds(site_pid)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        warm = folder / "warm.yaml"
        warm.write_text(f"feeds:\n- url: http://127.0.0.1:{port}/feeds/0.xml\n  name: w\n")
        feeds = _feeds_file(folder, port, feeds_count)
        elapsed, main_cpu, workers_cpu, server_cpu, totals = asyncio.run(
            _pipeline(feeds, warm, folder)
        )
    site_cpu = _cpu_seconds(site_pid) - site_before
    stored = totals.get("versions_added", 0)
    rate = stored / elapsed
    workers = os.environ.get("WIREWATCH_EXTRACT_WORKERS", "2")
    print(
        f"ingest flow, {workers} extraction workers: {stored} articles stored in {elapsed:.1f} s = "
        f"{rate:6.1f} articles/s  (fetches {totals.get('fetches')}, "
        f"polls ok {totals.get('polls_ok')})"
    )
    _print_cpu(stored, elapsed, (main_cpu, workers_cpu, site_cpu, server_cpu), work_cpu)
    return rate


def _print_cpu(
    stored: int, elapsed: float, cpu: tuple[float, float, float, float], work: float
) -> None:
    """CPU per page, which the machine's load does not change, and the ratio the flow would
    reach on two cores nobody else uses if its CPU were spread perfectly (an upper bound).
    `cpu`: seconds of the main process, the workers, the local site, Prefect's server."""
    per_page = 1000 / max(stored, 1)
    main_cpu, workers_cpu, site_cpu, server_cpu = cpu
    flow_cpu = sum(cpu)
    print(
        f"CPU per page: main process {main_cpu * per_page:.2f} ms, extraction workers "
        f"{workers_cpu * per_page:.2f} ms, local site {site_cpu * per_page:.2f} ms, "
        f"Prefect server {server_cpu * per_page:.2f} ms (main process {main_cpu:.1f} CPU s "
        f"in {elapsed:.1f} s; the site's CPU includes its warm-up run)"
    )
    bound = 2 * work * stored / flow_cpu if flow_cpu else 0.0
    print(f"ratio on 2 idle cores at most (CPU-bound): {bound:.2f}x")


if __name__ == "__main__":
    main()
