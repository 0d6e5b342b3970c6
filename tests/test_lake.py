"""Lake mode: every table and view of the DuckDB file, published to a DuckLake catalog that a
plain `duckdb` session and `wirewatch query` read; the records equal an embedded run's."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb
import duckdb_extensions  # type: ignore[import-untyped]
import pytest

from flows.ingest import ingest
from storage import lake
from storage.db import connect
from storage.lake import APPEND_ONLY, LakeTarget, maintain, open_lake, publish
from tests.postgres import Postgres, missing, running_postgres

#: arg_max over tied keys picks by scan order, which differs between the file and Parquet
#: (seen: the same rows, another tied figure): not a lake difference, left for the outputs
TIES = {"figure_disputes"}
RECORDS = ("article_versions", "stories", "events", "claims", "figure_history")
#: differ between two runs of the same pages: when they ran, the run that wrote them, and
#: where the raw page went (WARC file names carry the time)
_RUN_COLUMNS = re.compile(r"_at$|^run_id$|^seen_|^first_|^last_|_ms$|^warc_")


def _rows(
    con: duckdb.DuckDBPyConnection, relation: str, db: str, of_run: bool = True
) -> list[tuple[object, ...]]:
    """The rows, sorted; without the columns that differ from run to run unless `of_run`."""
    # DESCRIBE, not duckdb_columns(): that keeps a view's columns as they were when it was made
    cols = con.execute(f"DESCRIBE {db}.{relation}").fetchall()
    keep = [
        f'"{c[0]}"' for c in cols if of_run or not (_RUN_COLUMNS.search(c[0]) or "TIME" in c[1])
    ]
    return con.execute(f"SELECT {', '.join(keep)} FROM {db}.{relation} ORDER BY ALL").fetchall()


def _file_and_lake(db: Path, target: LakeTarget) -> duckdb.DuckDBPyConnection:
    """A plain duckdb session, as a user would open one: the file and the lake side by side."""
    con = duckdb.connect()
    duckdb_extensions.import_extension("ducklake", con=con)
    duckdb_extensions.import_extension("postgres_scanner", con=con)
    con.execute(f"ATTACH '{db}' AS file (READ_ONLY)")
    con.execute(f"ATTACH 'ducklake:{target.catalog}' AS lake (READ_ONLY)")
    return con


def _tables(con: duckdb.DuckDBPyConnection, db: str) -> set[str]:
    found = con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = ? UNION "
        "SELECT view_name FROM duckdb_views() WHERE database_name = ? AND NOT internal",
        [db, db],
    ).fetchall()
    return {r[0] for r in found} - {"schema_migrations", "lake_watermarks"}


def test_append_only_tables_are_never_updated_or_deleted_from() -> None:
    sql = "\n".join(p.read_text() for p in Path("storage").glob("*.py"))
    for table in APPEND_ONLY:
        assert not re.search(rf"(UPDATE|DELETE FROM|REPLACE INTO) {table}\b", sql), table


def test_publish_mirrors_updates_deletes_and_reruns_add_nothing_even_after_maintenance(
    tmp_path: Path,
) -> None:
    target = LakeTarget(str(tmp_path / "catalog.ducklake"), tmp_path / "lake")
    db = tmp_path / "db.duckdb"
    with connect(db) as con:
        con.execute(
            "INSERT INTO feed_schedule SELECT id, 15, 0, now(), 'steady', now() "
            "FROM (VALUES ('a'), ('b'), ('c')) v(id)"
        )
        first = publish(con, target)
        con.execute("DELETE FROM feed_schedule WHERE feed_id = 'b'")
        con.execute("UPDATE feed_schedule SET consecutive_failures = 4 WHERE feed_id = 'c'")
        second = publish(con, target)
        third = publish(con, target)
        lake._LAST_PUBLISHED.clear()  # as a new process: the lake itself says nothing is new
        fourth = publish(con, target)
    maintain(target, keep_hours=0)
    with _file_and_lake(db, target) as con:
        assert _rows(con, "feed_schedule", "lake") == _rows(con, "feed_schedule", "file")
        assert _tables(con, "lake") == _tables(con, "file")
    assert (first.rows, second.rows, third.rows, fourth.rows) == (3, 2, 0, 0)


def test_two_threads_writing_one_file_publish_in_turn(tmp_path: Path) -> None:
    """Connections of one process to one file share its attached databases: two threads
    publishing at once must not both attach the lake (the flow writes from threads)."""
    target = LakeTarget(str(tmp_path / "catalog.ducklake"), tmp_path / "lake")
    db = tmp_path / "db.duckdb"
    with connect(db):
        pass

    def write(feed: str) -> None:
        for n in range(5):
            with connect(db, lake=target) as con:
                con.execute(
                    "INSERT INTO feed_schedule VALUES (?, 15, 0, now(), 'steady', now())",
                    [f"{feed}{n}"],
                )

    with ThreadPoolExecutor(2) as pool:
        list(pool.map(write, ["a", "b"]))  # raises what a thread raised
    with _file_and_lake(db, target) as con:
        assert len(_rows(con, "feed_schedule", "lake")) == 10
        assert _rows(con, "feed_schedule", "lake") == _rows(con, "feed_schedule", "file")


@pytest.fixture(scope="module")
def postgres() -> Iterator[Postgres]:
    why = missing()
    if why:
        pytest.skip(why)
    with running_postgres() as server:
        yield server


def _replay(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, site: object, name: str) -> Path:
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text(site.feeds_yaml())  # type: ignore[attr-defined]
    db = tmp_path / name / "db.duckdb"  # its own folder: WARC files go beside it
    for step in (1, 2, 3, 4):
        site.set_step(step)  # type: ignore[attr-defined]
        asyncio.run(ingest(feeds_file=str(feeds), db_path=str(db)))
    return db


@pytest.mark.integration
def test_lake_on_postgres_holds_the_records_of_an_embedded_run(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    prefect_harness: None,
    news_site: tuple[object, object],
    postgres: Postgres,
) -> None:
    monkeypatch.setenv("WIREWATCH_ALLOW_PRIVATE_ADDRESSES", "true")
    monkeypatch.setenv("WIREWATCH_EXTRACT_WORKERS", "0")
    _, site = news_site
    embedded = _replay(tmp_path, monkeypatch, site, "embedded")
    target = LakeTarget(f"postgres:{postgres.dsn}", tmp_path / "lake")
    monkeypatch.setenv("WIREWATCH_LAKE", target.catalog)
    monkeypatch.setenv("WIREWATCH_LAKE_DATA_PATH", str(target.data_path))
    laked = _replay(tmp_path, monkeypatch, site, "laked")

    with _file_and_lake(laked, target) as con:
        con.execute(f"ATTACH '{embedded}' AS embedded (READ_ONLY)")
        assert _tables(con, "lake") == _tables(con, "file")
        for table in sorted(_tables(con, "file") - TIES):  # the lake is the file, one by one
            assert _rows(con, table, "lake") == _rows(con, table, "file"), table
        for record in RECORDS:  # and holds what a one-box run of the same pages holds
            rows = _rows(con, record, "lake", of_run=False)
            assert rows and rows == _rows(con, record, "embedded", of_run=False), record
    with open_lake(target) as con:  # what `wirewatch query` opens
        assert con.execute("SELECT count(*) FROM figure_history").fetchall()[0][0] > 0
