"""Story dedup cost per article as the index grows: 1k, 10k and 100k stored versions.

The index is filled with signatures of distinct texts (random MinHash values: what distinct
documents look like to LSH), then 300 real article texts are looked up and added, timing the
fingerprint and the lookup+insert separately. Last, the index is rebuilt from a DuckDB file
holding 100k stored signatures, as every ingest run does at start.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np

from extractors.dedup import NUM_PERM, Fingerprint, StoryIndex, fingerprint
from storage.db import connect
from wirewatch.grouping import Grouping


def _random_fingerprints(n: int, rng: np.random.Generator) -> list[Fingerprint]:
    values = rng.integers(0, 2**32, size=(n, NUM_PERM), dtype=np.uint32)
    return [Fingerprint(600, row.tobytes()) for row in values]


def _probe(texts: list[str], size: int, rng: np.random.Generator) -> tuple[float, float]:
    index = StoryIndex()
    for i, fp in enumerate(_random_fingerprints(size, rng)):
        index.add(f"r{i}", f"r{i}", fp)
    started = time.perf_counter()
    fps = [fingerprint(t) for t in texts]
    shingling = (time.perf_counter() - started) / len(texts)
    started = time.perf_counter()
    for i, fp in enumerate(fps):
        index.assign(f"t{i}", fp, f"t{i}")
    return shingling, (time.perf_counter() - started) / len(texts)


def _rebuild(n: int, rng: np.random.Generator) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.duckdb"
        with connect(path) as con:
            rows = [
                {
                    "article_id": f"a{i}",
                    "version": 1,
                    "story_id": f"a{i}.1",
                    "agency": "",
                    "n_shingles": 600,
                    "signature": fp.signature,
                    "dedup_version": "bench",
                }
                for i, fp in enumerate(_random_fingerprints(n, rng))
            ]
            import pyarrow as pa

            con.register("staged", pa.Table.from_pylist(rows))
            con.execute("INSERT INTO version_stories BY NAME SELECT * FROM staged")
        started = time.perf_counter()
        with connect(path) as con:
            grouping = Grouping.load(con)
        assert len(grouping.stories) == n
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", type=Path, required=True)
    args = parser.parse_args()
    truth = json.loads((args.corpus / "ground-truth.json").read_text())
    texts = [v["articleBody"] for v in truth.values()][:300]
    rng = np.random.default_rng(7)
    for size in (1_000, 10_000, 100_000):
        shingling, lookup = _probe(texts, size, rng)
        print(
            f"dedup at {size:>7,} stored: fingerprint {shingling * 1000:.2f} ms + "
            f"lookup/insert {lookup * 1000:.3f} ms per article"
        )
    print(
        f"rebuilding the story index from DuckDB at 100,000 signatures: "
        f"{_rebuild(100_000, rng):.1f} s"
    )


if __name__ == "__main__":
    main()
