"""The `stories` and `events` views read tables that each batch's write keeps (migration 0015,
storage/summaries.py): they must say what aggregating every stored version would say, whatever
the batches, with second versions, walls and short pages among them."""

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import duckdb
import pytest

from evals.replay import Item, version_row
from storage import records, summaries
from storage.db import apply_migrations
from tests.test_grouping import WALL
from wirewatch.sample_site import newsroom
from wirewatch.sequence.grouping import Grouping

STORIES = newsroom.stories()


def _item(story, key=None, text=None, hours=0):
    body = text or "\n".join(story.paragraphs)
    return Item(key or story.slug, body, story.title, story.published + timedelta(hours=hours))


def _history() -> list[records.VersionRow]:
    """Seed reports (wire copies among them), two second versions (one rewritten into another
    story), a wall that is found out on its third appearance, and a page too short."""
    start = STORIES[0].published
    first = [version_row(_item(s)) for s in STORIES]
    second = [
        replace(version_row(_item(STORIES[1], text=first[1].text + "\nThe toll rose to 90.")),
                content_hash="v2", fetched_at=start + timedelta(hours=5)),
        replace(version_row(_item(STORIES[0], text=first[6].text)),
                content_hash="v2", fetched_at=start + timedelta(hours=6)),
    ]  # fmt: skip
    titles = ("Man shot on Elm Street", "Fire destroys barn in Greene", "Council votes on budget")
    walls = [
        version_row(Item(f"wall{i}", WALL, title, start + timedelta(hours=i)))
        for i, title in enumerate(titles)
    ]
    short = version_row(Item("short", "Police said 3 people died.", "Three dead", start))
    return [*first, walls[0], walls[1], *second, short, walls[2]]


def _write(rows: list[records.VersionRow], db: Path, size: int) -> None:
    grouping = Grouping()
    for start in range(0, len(rows), size):
        with duckdb.connect(str(db)) as con:
            apply_migrations(con)
            records.write_batch(con, records.Batch(pages=rows[start : start + size]), grouping)


def _kept_and_recomputed(db: Path) -> tuple[list[tuple], list[tuple]]:
    with duckdb.connect(str(db), read_only=True) as con:
        kept = [
            con.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()
            for table in ("story_summaries", "event_summaries")
        ]
        recomputed = [
            con.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()
            for table in ("story_summary_rows()", "event_summary_rows()")
        ]
    return kept, recomputed


@pytest.mark.parametrize("size", [1, 2, 3, 14])
def test_the_kept_summaries_equal_an_aggregate_of_every_stored_version(tmp_path: Path, size):
    db = tmp_path / "kept.duckdb"
    _write(_history(), db, size)
    kept, recomputed = _kept_and_recomputed(db)
    assert kept == recomputed
    assert kept[0] and kept[1]


def test_stories_and_events_read_the_kept_tables(tmp_path: Path):
    db = tmp_path / "views.duckdb"
    _write(_history(), db, 3)
    with duckdb.connect(str(db), read_only=True) as con:
        wire = con.execute("SELECT n_copies FROM stories WHERE agency = 'IBNS'").fetchall()
        assert wire == [(3,)]  # the seeds' one wire story
        walls = con.execute("SELECT count(*) FROM stories WHERE canonical_article_id LIKE 'wall%'")
        assert walls.fetchall() == [(0,)]  # found out on its third appearance: gone
        plan = con.execute("EXPLAIN SELECT * FROM stories LIMIT 20").fetchall()[0][1]
        assert "story_summaries" in plan and "version_stories" not in plan


def test_a_rebuild_gives_back_what_the_writes_kept(tmp_path: Path):
    db = tmp_path / "rebuilt.duckdb"
    _write(_history(), db, 2)
    kept, _ = _kept_and_recomputed(db)
    with duckdb.connect(str(db)) as con:
        summaries.rebuild(con)
    assert _kept_and_recomputed(db)[0] == kept
