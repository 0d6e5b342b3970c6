"""Lake mode: every table and view of the DuckDB file, published to a DuckLake catalog that a
plain `duckdb` session and `wirewatch query` read; the records equal an embedded run's."""

from __future__ import annotations

import ast
import asyncio
import re
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import duckdb_extensions  # type: ignore[import-untyped]
import pytest

from flows.ingest import ingest
from flows.reprocess import reprocess
from storage import changes, lake
from storage.changes import CHANGE_KEYS, log_keys
from storage.db import connect
from storage.health import ScheduleRow, save_schedules
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
    return {r[0] for r in found} - {"schema_migrations", "lake_watermarks", "lake_changes"}


def _assert_lake_is_file(con: duckdb.DuckDBPyConnection) -> None:
    assert _tables(con, "lake") == _tables(con, "file")
    for table in sorted(_tables(con, "file") - TIES):
        assert _rows(con, table, "lake") == _rows(con, table, "file"), table


def test_append_only_tables_are_never_updated_or_deleted_from() -> None:
    sql = "\n".join(p.read_text() for p in Path("storage").glob("*.py"))
    for table in APPEND_ONLY:
        assert not re.search(rf"(UPDATE|DELETE FROM|REPLACE INTO) {table}\b", sql), table


def _writes_and_logs(tree: ast.Module) -> Iterator[tuple[str, str, str]]:
    """(function, table, its source) for each SQL string that changes a logged table in place,
    found in the function that runs it (a module-level SQL constant: each function naming it)."""
    writes = re.compile(r"(?:INSERT(?: OR REPLACE)? INTO|UPDATE|DELETE FROM)\s+(\w+)")
    functions = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]
    constants = {
        t.id: node.value
        for node in tree.body
        if isinstance(node, ast.Assign)
        for t in node.targets
        if isinstance(t, ast.Name)
    }
    for function in functions:
        source = ast.unparse(function)
        texts = [n.value for n in ast.walk(function) if isinstance(n, ast.Constant)]
        names = {n.id for n in ast.walk(function) if isinstance(n, ast.Name)}
        texts += [ast.unparse(constants[n]) for n in names & set(constants)]
        for text in texts:
            for table in writes.findall(str(text)):
                if table in CHANGE_KEYS:
                    yield function.name, table, source


def test_every_table_is_insert_only_or_has_its_changes_logged(tmp_path: Path) -> None:
    with connect(tmp_path / "db.duckdb") as con:
        tables = set(lake._tables(con, "db"))
    assert tables == APPEND_ONLY | set(CHANGE_KEYS)
    assert not APPEND_ONLY & set(CHANGE_KEYS)


def test_every_in_place_write_in_storage_logs_the_keys_it_changes() -> None:
    """A write to a table updated in place that forgets the changed-keys log would leave the
    lake behind the file: each function holding one must log that very table."""
    found = 0
    for path in sorted(Path("storage").glob("*.py")):
        if path.name in {"lake.py", "changes.py"}:  # the log itself and its publisher
            continue
        for function, table, source in _writes_and_logs(ast.parse(path.read_text())):
            found += 1
            logs = re.search(r"\blog(_keys|_table)?\b", source)
            assert logs and f"'{table}'" in source, f"{path.name}:{function} writes {table}"
    assert found >= 20  # the scan does see the writers


def test_publish_sends_the_logged_keys_and_reruns_add_nothing_even_after_maintenance(
    tmp_path: Path,
) -> None:
    target = LakeTarget(str(tmp_path / "catalog.ducklake"), tmp_path / "lake")
    db = tmp_path / "db.duckdb"
    keys = "SELECT * FROM (VALUES ('a'), ('b'), ('c'))"
    with connect(db) as con:
        log_keys(con, "feed_schedule", keys)
        con.execute(
            f"INSERT INTO feed_schedule SELECT *, 15, 0, now(), 'steady', now() FROM ({keys})"
        )
        first = publish(con, target)
        assert con.execute("SELECT count(*) FROM lake_changes").fetchall() == [(0,)]  # pruned
        con.execute("BEGIN")
        log_keys(con, "feed_schedule", "SELECT unnest(['b', 'c'])")
        con.execute("DELETE FROM feed_schedule WHERE feed_id = 'b'")
        con.execute("UPDATE feed_schedule SET consecutive_failures = 4 WHERE feed_id = 'c'")
        con.execute("COMMIT")
        second = publish(con, target)
        third = publish(con, target)
        lake._LAST_PUBLISHED.clear()  # as a new process: the lake itself says nothing is new
        fourth = publish(con, target)
    maintain(target, keep_hours=0)
    with _file_and_lake(db, target) as con:
        assert _rows(con, "feed_schedule", "lake") == _rows(con, "feed_schedule", "file")
        assert _tables(con, "lake") == _tables(con, "file")
    assert (first.rows, second.rows, third.rows, fourth.rows) == (3, 2, 0, 0)


def test_publish_reads_the_log_not_the_tables_until_a_migration(tmp_path: Path) -> None:
    """What a publish sends of an in-place table is what the log names: a change nobody logged
    stays in the file (which is why every writer must log), until the schema version moves
    and each such table is compared in full."""
    target = LakeTarget(str(tmp_path / "catalog.ducklake"), tmp_path / "lake")
    db = tmp_path / "db.duckdb"
    with connect(db, lake=target):
        pass  # the first publication copies every table
    with connect(db, lake=target) as con:
        con.execute("INSERT INTO grouping_df VALUES ('unlogged', 1)")
    with connect(db, lake=target) as con:
        log_keys(con, "grouping_df", "SELECT 'logged'")
        con.execute("INSERT INTO grouping_df VALUES ('logged', 1)")
    with _file_and_lake(db, target) as con:
        assert _rows(con, "grouping_df", "lake") == [("logged", 1)]
    with connect(db, lake=target) as con:  # as a migration does
        con.execute("INSERT INTO schema_migrations VALUES (9999, 'test', now())")
    with _file_and_lake(db, target) as con:
        assert _rows(con, "grouping_df", "lake") == [("logged", 1), ("unlogged", 1)]


def test_the_storage_writers_publish_what_they_change(tmp_path: Path) -> None:
    """The writers of feeds, schedules, WARC files and summaries, through the lake, table by
    table (the replay test below covers the batch writer and the grouping)."""
    from storage import summaries
    from storage.records import FeedRow, sync_feeds
    from storage.warc import WarcArchive, expire_files

    target = LakeTarget(str(tmp_path / "catalog.ducklake"), tmp_path / "lake")
    db, now = tmp_path / "db.duckdb", datetime.now(UTC)
    feeds = [
        FeedRow(f"f{n}", f"http://127.0.0.1/{n}", f"Feed {n}", "O", None, now) for n in range(3)
    ]
    archive = WarcArchive(tmp_path / "warc", rotate_bytes=1)  # a new file at each append
    schedules = [ScheduleRow(f.feed_id, 15, 0, now, "steady", now) for f in feeds]
    renamed = FeedRow("f1", feeds[1].url, "Renamed", "O", None, now)

    def first(con: duckdb.DuckDBPyConnection) -> None:
        sync_feeds(con, feeds)
        save_schedules(con, schedules)
        archive.append(con, [b"one record"])

    def second(con: duckdb.DuckDBPyConnection) -> None:
        sync_feeds(con, [renamed])
        save_schedules(con, [ScheduleRow("f2", 60, 3, now, "backoff", now)])
        archive.append(con, [b"another"])  # a second WARC file

    steps = [
        first,
        second,
        lambda con: expire_files(con, tmp_path / "warc", -1, now + timedelta(days=1)),
        summaries.rebuild,
    ]
    for step in steps:
        with connect(db, lake=target) as con:
            step(con)
        with _file_and_lake(db, target) as con:
            _assert_lake_is_file(con)


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
                now = datetime.now(UTC)
                save_schedules(con, [ScheduleRow(f"{feed}{n}", 15, 0, now, "steady", now)])

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


def _replay(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    site: object,
    name: str,
    lake: LakeTarget | None = None,
    more: bool = False,
) -> Path:
    """Steps 1-4 of the site into a file of its own; with `more`, a cycle that finds nothing
    new and a reprocess (every claim replaced) after them; with `lake`, the lake is compared
    with the file after every cycle."""
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text(site.feeds_yaml())  # type: ignore[attr-defined]
    db = tmp_path / name / "db.duckdb"  # its own folder: WARC files go beside it
    for step in (1, 2, 3, 4, 4) if more else (1, 2, 3, 4):
        site.set_step(step)  # type: ignore[attr-defined]
        asyncio.run(ingest(feeds_file=str(feeds), db_path=str(db)))
        if lake is not None:  # the lake equals the file after every cycle, not just the last
            with _file_and_lake(db, lake) as con:
                _assert_lake_is_file(con)
    if more:
        asyncio.run(reprocess(db_path=str(db)))
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
    embedded = _replay(tmp_path, monkeypatch, site, "embedded", more=True)
    target = LakeTarget(f"postgres:{postgres.dsn}", tmp_path / "lake")
    monkeypatch.setenv("WIREWATCH_LAKE", target.catalog)
    monkeypatch.setenv("WIREWATCH_LAKE_DATA_PATH", str(target.data_path))
    laked = _replay(tmp_path, monkeypatch, site, "laked", target, more=True)

    with _file_and_lake(laked, target) as con:
        con.execute(f"ATTACH '{embedded}' AS embedded (READ_ONLY)")
        _assert_lake_is_file(con)  # the lake is the file, table by table
        for record in RECORDS:  # and holds what a one-box run of the same pages holds
            rows = _rows(con, record, "lake", of_run=False)
            assert rows and rows == _rows(con, record, "embedded", of_run=False), record
    with open_lake(target) as con:  # what `wirewatch query` opens
        assert con.execute("SELECT count(*) FROM figure_history").fetchall()[0][0] > 0


def test_a_log_nothing_publishes_stays_small_and_still_brings_the_lake_up_to_date(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Embedded writes (no lake) fold a long log into whole-table entries; a lake attached
    later compares those tables in full and equals the file."""
    monkeypatch.setattr(changes, "MAX_ENTRIES", 5)
    target = LakeTarget(str(tmp_path / "catalog.ducklake"), tmp_path / "lake")
    db = tmp_path / "db.duckdb"
    with connect(db, lake=target):
        pass
    now = datetime.now(UTC)
    for n in range(4):
        with connect(db) as con:  # embedded: nothing publishes
            save_schedules(
                con, [ScheduleRow(f"f{n}{m}", 15, n, now, "steady", now) for m in range(3)]
            )
    with connect(db, read_only=True) as con:
        assert con.execute("SELECT table_name, key FROM lake_changes").fetchall() == [
            ("feed_schedule", None)
        ]
    with connect(db, lake=target):
        pass
    with _file_and_lake(db, target) as con:
        assert len(_rows(con, "feed_schedule", "lake")) == 12
        _assert_lake_is_file(con)


@pytest.mark.integration
def test_processes_attaching_a_new_postgres_catalog_at_once_all_attach(tmp_path: Path) -> None:
    """Two workers' first runs create the catalog together; without retrying, 3 of 4 attaches
    failed ("duplicate key ... pg_type": another was creating the same tables)."""
    if missing():
        pytest.skip(missing())
    with running_postgres() as server:
        target = LakeTarget(f"postgres:{server.dsn}", tmp_path / "lake")
        together = threading.Barrier(4)

        def attach() -> None:
            with duckdb.connect() as con:
                together.wait()
                lake.attach(con, target, read_only=False)

        with ThreadPoolExecutor(4) as pool:
            for done in [pool.submit(attach) for _ in range(4)]:
                done.result()  # raises the LakeError of an attach that failed
