"""Staging between the fetch-and-extract workers and the sequencer: a staged batch decodes to
the rows it was made of; shards split feeds by host; and the two flows run in turn over the
sample site give the records of a one-box run (the real workers: tests/test_stages.py)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest

from flows.fetch_extract import fetch_extract
from flows.sequence import sequence
from storage import staging
from storage.lake import LakeTarget
from storage.records import Batch, ClaimRow, EntryRow, FetchRow, PollRow
from tests.rows import version_row
from tests.test_lake import RECORDS, _file_and_lake, _replay, _rows

NOW = datetime(2026, 2, 1, 8, 30, 0, 123456, tzinfo=UTC)


def _batch() -> staging.StagedBatch:
    claim = ClaimRow("Police", "police", "official", "killed", "", 12, 12, "at least", "s", 1, 2)
    page = version_row("a1", raw_html_z=b"\x00\xffz", claims=(claim,), names=("Gaza", "Hamas"))
    poll = PollRow("run", "f1", NOW, 200, "ok", "ok", 3, 1, 12.5, '"e"', "", None, 1, '{"x": 1}')
    entry = EntryRow("f1", "k1", "http://x/a1", "a1", "m", "ok", 1, NOW, due_at=None)
    url = "http://x/a1"
    fetch = FetchRow("run", "f1", "k1", url, url, "a1", NOW, 200, "ok", "ok", 9, 1.5)
    hashes = {("h", "t"): frozenset({1, 2**63 + 5})}
    return staging.StagedBatch("b1", 0, NOW, 0, Batch([poll], [entry], [page], [fetch]), hashes)


def test_a_staged_batch_decodes_to_the_rows_it_was_made_of() -> None:
    staged = _batch()
    again = staging.decode(("b1", 0, NOW, 0), staging.encode(staged))
    assert again == staged


def test_an_unknown_kind_is_refused_with_a_reason() -> None:
    with pytest.raises(staging.LakeError, match="staged_row_invalid"):
        staging.decode(("b1", 0, NOW, 0), [("gossip", "{}")])


def test_shards_split_feeds_by_host_and_port_and_cover_every_feed() -> None:
    urls = [f"http://127.0.0.1:{port}/feed/{n}.xml" for port in range(8000, 8040) for n in (1, 2)]
    shards = [staging.shard_of(url, 3) for url in urls]
    assert set(shards) == {0, 1, 2}
    for first, second in zip(shards[::2], shards[1::2], strict=True):
        assert first == second  # two feeds of one host: one shard, so one politeness clock
    same = [staging.shard_of(u, 5) for u in ("HTTP://Example.COM:80/a", "http://example.com:80/b")]
    assert same[0] == same[1]


def test_generations_break_where_a_feed_repeats() -> None:
    one = _batch()
    other = staging.StagedBatch("b2", 1, NOW, 0, Batch(polls=[], entries=[]), {})
    again = staging.StagedBatch("b3", 0, NOW, 1, one.batch, {})
    assert [[s.batch_id for s in g] for g in staging.generations([one, other, again])] == [
        ["b1", "b2"],
        ["b3"],
    ]


@pytest.mark.integration
def test_fetch_extract_then_sequence_holds_the_records_of_a_one_box_run(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    prefect_harness: None,
    news_site: tuple[object, object],
) -> None:
    monkeypatch.setenv("WIREWATCH_ALLOW_PRIVATE_ADDRESSES", "true")
    monkeypatch.setenv("WIREWATCH_EXTRACT_WORKERS", "0")
    _, site = news_site
    embedded = _replay(tmp_path, monkeypatch, site, "embedded")
    feeds = tmp_path / "feeds.yaml"
    target = LakeTarget(str(tmp_path / "catalog.ducklake"), tmp_path / "lake")
    monkeypatch.setenv("WIREWATCH_LAKE", target.catalog)
    monkeypatch.setenv("WIREWATCH_LAKE_DATA_PATH", str(target.data_path))
    monkeypatch.setenv("WIREWATCH_FEEDS_FILE", str(feeds))
    monkeypatch.setenv("WIREWATCH_DB_PATH", str(tmp_path / "sequencer" / "db.duckdb"))
    applied = []
    for step in (1, 2, 3, 4):
        site.set_step(step)  # type: ignore[attr-defined]
        staged = [asyncio.run(fetch_extract(shard=s, shards=2)) for s in (0, 1)]
        assert sum(s.get("batches_staged", 0) for s in staged) == 1  # one host: one shard
        applied.append(asyncio.run(sequence()))
        assert asyncio.run(sequence()).get("batches_applied", 0) == 0  # a rerun applies nothing
    assert [a["batches_applied"] for a in applied] == [1, 1, 1, 1]
    assert [a["articles_added"] for a in applied] == [3, 2, 1, 1]

    with _file_and_lake(tmp_path / "sequencer" / "db.duckdb", target) as con:
        con.execute(f"ATTACH '{embedded}' AS embedded (READ_ONLY)")
        for record in RECORDS:
            rows = _rows(con, record, "lake", of_run=False)
            assert rows and rows == _rows(con, record, "embedded", of_run=False), record
