"""Run ingest cycles in a fresh process and print its peak resident memory after each, so a test
can measure a whole run (fetches, decoding, parsing, extraction and writes), not one fetch.

    python -m tests.peak_run NAME FEEDS_FILE DB_PATH [NAME FEEDS_FILE DB_PATH ...]

prints one JSON object {NAME: peak RSS in bytes after that cycle}. The peak never goes down, so
a cycle's own cost is its peak minus the one before. Extraction runs in this process
(`WIREWATCH_EXTRACT_WORKERS=0`, set by the caller) so that it is counted too.
"""

from __future__ import annotations

import asyncio
import json
import resource
import sys

from flows.ingest import ingest


def peak_rss_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux


def main(args: list[str]) -> dict[str, int]:
    peaks = {}
    for i in range(0, len(args) - 2, 3):
        name, feeds, db = args[i : i + 3]
        asyncio.run(ingest(feeds_file=feeds, db_path=db))
        peaks[name] = peak_rss_bytes()
    return peaks


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1:])))
