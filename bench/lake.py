"""What lake mode costs at a size: publishing, reading, and lookups in the lake vs the file.

    python -m bench.lake [--versions 100000] [--catalog postgres|file]

Builds a database of `--versions` versions as `make bench-scale` does, then against a DuckLake
catalog (a throwaway PostgreSQL 15 from the image, or a DuckDB catalog file): the first publish
(everything), a publish with nothing new, a publish after one new version and one changed
summary (what a 1-new-article batch adds), the README queries on the lake and on the file,
a keyed lookup of 50 articles' newest versions (what the sequencer does per batch) on both,
and a new sequencer file rebuilt from the lake (`wirewatch lake rebuild`).
Prints JSON.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb

from bench.scale import README_QUERIES, VIEW_QUERIES, build
from storage.changes import log_keys
from storage.db import connect
from storage.lake import LakeTarget, open_lake, publish
from storage.rebuild import rebuild

LOOKUP = (
    "SELECT article_id, max(version) FROM article_versions "
    "WHERE article_id IN (SELECT unnest(?)) GROUP BY ALL"
)


def _best(run: Callable[[], object], times: int = 3) -> float:
    found = []
    for _ in range(times):
        started = time.perf_counter()
        run()
        found.append(time.perf_counter() - started)
    return round(min(found), 4)


@contextlib.contextmanager
def _catalog(kind: str, folder: Path) -> Iterator[str]:
    if kind == "file":
        yield str(folder / "catalog.ducklake")
        return
    from tests.postgres import running_postgres

    with running_postgres() as server:
        yield f"postgres:{server.dsn}"


def _one_new_version(con: duckdb.DuckDBPyConnection) -> None:
    """One more version of an article and one changed story summary, as a batch leaves them."""
    con.execute(
        "INSERT INTO article_versions SELECT * REPLACE (version + 1 AS version) FROM "
        "article_versions WHERE article_id = (SELECT min(article_id) FROM article_versions) "
        "ORDER BY version DESC LIMIT 1"
    )
    story = "SELECT min(story_id) FROM story_summaries"
    log_keys(con, "story_summaries", story)  # as storage/summaries.py does
    con.execute(
        "UPDATE story_summaries SET n_copies = n_copies + 1 "
        "WHERE story_id = (SELECT min(story_id) FROM story_summaries)"
    )


def measure(versions: int, kind: str) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="wirewatch-lake-") as tmp:
        folder = Path(tmp)
        db = folder / "db.duckdb"
        figures: dict[str, object] = {"versions": versions, "catalog": kind}
        figures["build_s"] = round(build(db, versions), 1)
        with _catalog(kind, folder) as catalog:
            target = LakeTarget(catalog, folder / "lake")
            with connect(db) as con:
                first = publish(con, target)
                figures["first_publish_s"] = round(first.seconds, 2)
                figures["first_publish_rows"] = first.rows
                idle = [publish(con, target).seconds for _ in range(3)]
                figures["idle_publish_s"] = round(statistics.median(idle), 3)
                batches = []
                for _ in range(3):
                    _one_new_version(con)
                    batches.append(publish(con, target).seconds)
                figures["one_version_publish_s"] = round(statistics.median(batches), 3)
                ids = [
                    r[0]
                    for r in con.execute(
                        "SELECT DISTINCT article_id FROM article_versions USING SAMPLE 50 ROWS"
                    ).fetchall()
                ]
                figures["lookup_file_s"] = _best(lambda: con.execute(LOOKUP, [ids]).fetchall())
            with open_lake(target) as lake:
                figures["lookup_lake_s"] = _best(lambda: lake.execute(LOOKUP, [ids]).fetchall())
                figures["snapshots"] = lake.execute(
                    "SELECT count(*) FROM ducklake_snapshots('lake')"
                ).fetchall()[0][0]
                queries = {**README_QUERIES, **VIEW_QUERIES}
                figures["query_lake_s"] = {
                    n: _best(lambda s=s: lake.sql(s).to_arrow_table(), 2)
                    for n, s in queries.items()
                }
            rebuilt = rebuild(target, folder / "rebuilt.duckdb")  # a lost sequencer replaced
            figures["rebuild_s"] = round(rebuilt.seconds, 1)
            figures["rebuild_rows"] = rebuilt.rows
            with connect(db, read_only=True) as con:
                figures["query_file_s"] = {
                    n: _best(lambda s=s: con.sql(s).to_arrow_table(), 2) for n, s in queries.items()
                }
        return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--versions", type=int, default=100_000)
    parser.add_argument("--catalog", choices=("postgres", "file"), default="postgres")
    args = parser.parse_args()
    print(json.dumps(measure(args.versions, args.catalog), indent=1))


if __name__ == "__main__":
    main()
