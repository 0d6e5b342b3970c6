"""Story grouping cost per batch as the database grows: 1k, 10k and 100k stored stories.

The story index (story_anchors, story_profiles) is filled with distinct synthetic stories
(random anchors, 60 each, as a 480-shingle text has), stamped within the last day; then one
batch of 300 real article texts is grouped by the write path (wirewatch.sequence.grouping.Grouping,
stories and events) inside a transaction that is rolled back, so every size sees the same
batch. Nothing is rebuilt per run: the figure is the whole cost of grouping a batch.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa

from evals.replay import Item, version_row
from storage import records
from storage.db import connect
from wirewatch.sequence.grouping import Grouping

ANCHORS_PER_STORY = 60


def _fill(path: Path, n: int, rng: np.random.Generator) -> None:
    now = datetime.now(UTC)
    stamps = [now - timedelta(seconds=int(s)) for s in rng.integers(0, 86400, size=n)]
    anchors = rng.integers(-(2**62), 2**62, size=(n, ANCHORS_PER_STORY), dtype=np.int64) * 8
    with connect(path) as con:
        con.register(
            "staged",
            pa.table(
                {
                    "anchor": anchors.reshape(-1),
                    "story_id": np.repeat([f"s{i}.1" for i in range(n)], ANCHORS_PER_STORY),
                    "seen_at": pa.array(
                        np.repeat(stamps, ANCHORS_PER_STORY), pa.timestamp("us", "UTC")
                    ),
                }
            ),
        )
        con.execute("INSERT INTO story_anchors BY NAME SELECT * FROM staged ORDER BY seen_at")


def _batch_seconds(path: Path, rows: list[records.VersionRow]) -> float:
    with connect(path) as con:
        con.execute("BEGIN")
        started = time.perf_counter()
        Grouping()(con, [(row, 1) for row in rows])
        elapsed = time.perf_counter() - started
        con.execute("ROLLBACK")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", type=Path, required=True)
    args = parser.parse_args()
    truth = json.loads((args.corpus / "ground-truth.json").read_text())
    now = datetime.now(UTC)
    items = [
        Item(f"t{i}", v["articleBody"], v.get("headline", ""), now)
        for i, v in enumerate(list(truth.values())[:300])
    ]
    rows = [version_row(item, claims=False) for item in items]
    rng = np.random.default_rng(7)
    for size in (1_000, 10_000, 100_000):
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "bench.duckdb"
            _fill(path, size, rng)
            seconds = _batch_seconds(path, rows)
        print(
            f"grouping a batch of {len(rows)} articles at {size:>7,} stored stories: "
            f"{seconds:.2f} s ({seconds / len(rows) * 1000:.1f} ms per article; no rebuild)"
        )


if __name__ == "__main__":
    main()
