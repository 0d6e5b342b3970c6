"""Whole-pipeline throughput against a bare single-core trafilatura loop, in one run.

Serves real pages (scrapinghub-aeb) from a separate process on 127.0.0.1, then measures:
  1. bare loop: `trafilatura.extract` on one core, with the pipeline's own options
     (metadata, no comments), over the same pages;
  2. the ingest flow (Prefect local mode, fetch + extract on both cores + DuckDB writes) over
     the same pages served `--copies` times under distinct URLs.
Prints articles/second for each and their ratio (target >= 1.5 on 2 cores).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import trafilatura

from bench.corpus_site import load_pages
from extractors.pages import DATE_PARAMS, Page
from extractors.process import process_page
from wirewatch.offline import apply_offline_defaults


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


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


def _feeds_file(folder: Path, port: int, feeds: int) -> Path:
    path = folder / "feeds.yaml"
    lines = [
        f"- url: http://127.0.0.1:{port}/feeds/{k}.xml\n  name: corpus-{k}" for k in range(feeds)
    ]
    path.write_text("feeds:\n" + "\n".join(lines) + "\n")
    return path


async def _pipeline(feeds: Path, warm_feeds: Path, folder: Path) -> tuple[float, dict[str, int]]:
    from flows.ingest import ingest

    await ingest(feeds_file=str(warm_feeds), db_path=str(folder / "warm.duckdb"))  # start Prefect
    started, cpu = time.perf_counter(), time.process_time()
    totals = await ingest(feeds_file=str(feeds), db_path=str(folder / "bench.duckdb"))
    elapsed = time.perf_counter() - started
    print(f"main process CPU during the run: {time.process_time() - cpu:.1f} s of {elapsed:.1f} s")
    return elapsed, totals


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
    started = time.perf_counter()
    for html in pages:
        process_page(Page("http://bench/", "text/html", html), fast)
    same_work = len(pages) / (time.perf_counter() - started)
    print(f"bare trafilatura.extract, 1 core, defaults:            {bare_plain:6.1f} pages/s")
    print(f"bare trafilatura.extract, 1 core, pipeline's options:  {bare:6.1f} pages/s")
    print(
        f"the pipeline's whole per-page work, 1 core (extract + claims + fingerprint + "
        f"event features): {same_work:6.1f} pages/s"
    )

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
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            warm = folder / "warm.yaml"
            warm.write_text(f"feeds:\n- url: http://127.0.0.1:{port}/feeds/0.xml\n  name: w\n")
            feeds = _feeds_file(folder, port, args.feeds)
            elapsed, totals = asyncio.run(_pipeline(feeds, warm, folder))
        site_cpu = _cpu_seconds(site.pid)
    finally:
        site.terminate()
        site.wait()
    stored = totals.get("versions_added", 0)
    rate = stored / elapsed
    workers = os.environ.get("WIREWATCH_EXTRACT_WORKERS", "2")
    print(f"the local test site itself used {site_cpu:.1f} CPU s of the same 2 cores")
    print(
        f"ingest flow, {workers} extraction workers: {stored} articles stored in {elapsed:.1f} s = "
        f"{rate:6.1f} articles/s  (fetches {totals.get('fetches')}, "
        f"polls ok {totals.get('polls_ok')})"
    )
    print(f"ratio pipeline / bare (pipeline's options): {rate / bare:.2f}x  (target >= 1.5x)")
    print(f"ratio pipeline / bare (defaults):           {rate / bare_plain:.2f}x")
    print(f"ratio pipeline / same per-page work on 1 core: {rate / same_work:.2f}x")


if __name__ == "__main__":
    main()
