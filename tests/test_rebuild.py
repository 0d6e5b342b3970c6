"""A lost sequencer machine is replaced: a new DuckDB file rebuilt from the lake holds every
table of the sequencer's file, and the cycles sequenced through it afterwards give the records
the original file gives for the same staged pages, table by table."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from flows.fetch_extract import fetch_extract
from flows.sequence import _apply, sequence
from storage import lake, staging
from storage.db import StorageError, connect
from storage.lake import LakeTarget
from storage.rebuild import rebuild
from storage.records import Batch
from tests.postgres import Postgres, missing, running_postgres
from tests.test_lake import _RUN_COLUMNS, TIES, _file_and_lake, _rows, _tables
from wirewatch.cli.main import main
from wirewatch.ingest.clock import cycle_clock
from wirewatch.settings import Settings


@pytest.fixture
def postgres() -> Iterator[Postgres]:
    why = missing()
    if why:
        pytest.skip(why)
    with running_postgres() as server:
        yield server


def _cycle(site: object, step: int) -> None:
    site.set_step(step)  # type: ignore[attr-defined]
    for shard in (0, 1):
        asyncio.run(fetch_extract(shard=shard, shards=2))


def _same_tables(first: Path, second: Path, of_run: bool) -> None:
    """Every table and view of the two files holds the same rows (with the columns that
    differ between runs unless `of_run`)."""
    with duckdb.connect() as con:
        con.execute(f"ATTACH '{first}' AS first (READ_ONLY)")
        con.execute(f"ATTACH '{second}' AS second (READ_ONLY)")
        assert _tables(con, "first") == _tables(con, "second")
        for table in sorted(_tables(con, "first") - TIES):
            assert _content(con, table, "first", of_run) == _content(
                con, table, "second", of_run
            ), table


def _content(con: duckdb.DuckDBPyConnection, table: str, db: str, of_run: bool) -> object:
    """The table's rows; their number alone where every column is of the run (`warc_files`)."""
    names = [str(c[0]) for c in con.execute(f"DESCRIBE {db}.{table}").fetchall()]
    if of_run or not all(_RUN_COLUMNS.search(n) for n in names):
        return _rows(con, table, db, of_run)
    return con.execute(f"SELECT count(*) FROM {db}.{table}").fetchall()


@pytest.mark.integration
def test_a_file_rebuilt_from_the_lake_sequences_on_as_the_lost_one_would(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    prefect_harness: None,
    news_site: tuple[object, object],
    postgres: Postgres,
) -> None:
    _, site = news_site
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text(site.feeds_yaml())  # type: ignore[attr-defined]
    target = LakeTarget(f"postgres:{postgres.dsn}", tmp_path / "lake")
    original, rebuilt = tmp_path / "sequencer" / "db.duckdb", tmp_path / "new" / "db.duckdb"
    for key, value in {
        "WIREWATCH_ALLOW_PRIVATE_ADDRESSES": "true",
        "WIREWATCH_EXTRACT_WORKERS": "0",
        "WIREWATCH_LAKE": target.catalog,
        "WIREWATCH_LAKE_DATA_PATH": str(target.data_path),
        "WIREWATCH_FEEDS_FILE": str(feeds),
    }.items():
        monkeypatch.setenv(key, value)
    for step in (1, 2):
        _cycle(site, step)
        asyncio.run(sequence(db_path=str(original)))

    started = time.monotonic()
    assert main(["lake", "rebuild", "--db", str(rebuilt)]) == 0
    print(f"rebuilt in {time.monotonic() - started:.2f} s: {capsys.readouterr().out.strip()}")
    _same_tables(original, rebuilt, of_run=True)  # every row, every column
    with pytest.raises(StorageError, match="rebuild_target_exists"):
        rebuild(target, rebuilt)  # never over a file that is there

    for step in (3, 4):  # the new machine sequences on; the lost file, had it lived, too
        _cycle(site, step)
        applied = asyncio.run(sequence(db_path=str(rebuilt)))
        assert applied["batches_applied"] == 1
        alone = Settings(db_path=original, lake="")  # it reads the staged rows, publishes nowhere
        assert _apply(alone, target, cycle_clock(alone), 50)["batches_applied"] == 1
    _same_tables(original, rebuilt, of_run=False)
    with _file_and_lake(rebuilt, target) as con:  # and the lake is the rebuilt file
        for table in sorted(_tables(con, "file") - TIES):  # (the lake has staged_rows too)
            assert _rows(con, table, "lake") == _rows(con, table, "file"), table


def test_a_lake_missing_or_never_published_to_rebuilds_nothing(tmp_path: Path) -> None:
    target = LakeTarget(str(tmp_path / "catalog.ducklake"), tmp_path / "lake")
    new = tmp_path / "new.duckdb"
    with pytest.raises(StorageError, match="lake_unreachable"):
        rebuild(target, new)
    with duckdb.connect() as con:  # a catalog with nothing in it
        lake.attach(con, target, read_only=False)
    with pytest.raises(StorageError, match="lake_empty"):
        rebuild(target, new)
    assert not new.exists()  # no half-made file is left


def _applied(batch_id: str) -> staging.StagedBatch:
    return staging.StagedBatch(batch_id, 0, datetime(2026, 2, 1, tzinfo=UTC), 0, Batch(), {})


def test_a_rowid_gap_moves_the_watermark_so_the_new_file_publishes_its_next_rows(
    tmp_path: Path,
) -> None:
    target = LakeTarget(str(tmp_path / "catalog.ducklake"), tmp_path / "lake")
    with connect(tmp_path / "old.duckdb", lake=target) as con:
        staging.mark_applied(con, [_applied("b1")])
    with duckdb.connect() as con:  # the old file had rowids up to 4 (rows since rolled back)
        lake.attach(con, target, read_only=False)
        con.execute("INSERT INTO lake.lake_watermarks VALUES ('staging_applied', 5, now())")

    assert rebuild(target, tmp_path / "new.duckdb").watermarks_moved == 1
    with connect(tmp_path / "new.duckdb", lake=target) as con:
        staging.mark_applied(con, [_applied("b2")])  # rowid 1: below the old watermark
    with _file_and_lake(tmp_path / "new.duckdb", target) as con:
        found = con.execute("SELECT batch_id FROM lake.staging_applied ORDER BY ALL").fetchall()
    assert found == [("b1",), ("b2",)]
