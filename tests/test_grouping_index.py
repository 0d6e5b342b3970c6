"""The copy lookup reads the anchors it is asked about, not every anchor in the story window:
with the default 900-day window the window holds the whole history, and a lookup that scanned
it made a 1-new-article cycle grow with the database (migration 0040)."""

from datetime import UTC, datetime, timedelta

import duckdb
import pyarrow as pa

from storage import bulk
from storage import grouping_index as index
from storage.db import connect

NOW = datetime(2026, 3, 1, tzinfo=UTC)
WINDOW = timedelta(days=900)
MINUTE = timedelta(minutes=1)


def _anchor(story: int, j: int) -> int:
    """Anchor j of story i, scattered as shingle hashes are (sorted values would let DuckDB
    skip row groups by their min/max, index or not)."""
    return (story * 1000 + j) * 2654435761 % 2**61


def _fill(con: duckdb.DuckDBPyConnection, stories: int) -> None:
    """`stories` stories of 48 anchors each, story i seen i minutes before NOW."""
    con.execute(
        "INSERT INTO story_anchors SELECT (i * 1000 + j) * 2654435761 % 2305843009213693952, "
        "'s' || i || '.1', ?::TIMESTAMPTZ - to_minutes(i) FROM range(?) s(i), range(48) a(j)",
        [NOW, stories],
    )


def _probes(key: str, anchors: list[int], window: timedelta = WINDOW) -> dict[str, list]:
    n = len(anchors)
    return {"key": [key] * n, "anchor": anchors, "lo": [NOW - window] * n, "hi": [NOW] * n}


def test_the_stories_sharing_most_anchors_come_first_then_by_story_id(tmp_path):
    with connect(tmp_path / "db.duckdb") as con:
        _fill(con, 50)
        # 30 anchors of story 7, 10 of story 8, 10 of story 9, 5 no story has
        anchors = [_anchor(7, j) for j in range(30)] + [_anchor(8, j) for j in range(10)]
        anchors += [_anchor(9, j) for j in range(10)] + [_anchor(10**6, j) for j in range(5)]
        found = index.story_candidates(con, _probes("new", anchors), limit=2)
    assert sorted(found) == [("new", "s7.1", 30), ("new", "s8.1", 10)]


def test_stories_outside_the_window_are_not_candidates(tmp_path):
    with connect(tmp_path / "db.duckdb") as con:
        _fill(con, 50)  # story i was seen i minutes before NOW
        probes = _probes("new", [_anchor(3, j) for j in range(48)], window=timedelta(minutes=2))
        assert index.story_candidates(con, probes, limit=5) == []
        probes = _probes("new", [_anchor(1, j) for j in range(48)], window=timedelta(minutes=2))
        assert index.story_candidates(con, probes, limit=5) == [("new", "s1.1", 48)]


def test_the_lookup_reads_the_asked_anchors_through_the_index(tmp_path):
    with connect(tmp_path / "db.duckdb") as con:
        _fill(con, 2_000)  # 96,000 anchor rows, all inside the window
        con.register("probe", pa.table(_probes("new", [_anchor(5, j) for j in range(48)])))
        plan = con.execute("EXPLAIN ANALYZE " + index.CANDIDATES_SQL, [20]).fetchall()[0][1]
    assert "Index Scan" in plan
    assert "96,000" not in plan  # no operator saw every anchor row


def test_a_bulk_load_sets_the_indexes_aside_and_makes_them_again(tmp_path):
    with connect(tmp_path / "db.duckdb") as con:
        indexes = "SELECT index_name FROM duckdb_indexes() ORDER BY ALL"
        before = con.execute(indexes).fetchall()
        with bulk.indexes_set_aside(con):
            assert con.execute(indexes).fetchall() == []
            _fill(con, 100)
        assert (
            con.execute(indexes).fetchall()
            == before
            == [
                ("article_claims_article",),
                ("article_versions_article",),
                ("entries_key",),
                ("entries_url",),
                ("story_anchors_anchor",),
                ("story_events_event",),
                ("version_stories_article",),
                ("version_stories_story",),
            ]
        )
        con.register("probe", pa.table(_probes("new", [_anchor(5, j) for j in range(48)])))
        plan = con.execute("EXPLAIN ANALYZE " + index.CANDIDATES_SQL, [20]).fetchall()[0][1]
        assert "Index Scan" in plan  # the rows loaded meanwhile are in the index made after
        assert index.story_candidates(con, _probes("new", [_anchor(5, 0)]), 5) == [
            ("new", "s5.1", 1)
        ]


def _versions(con: duckdb.DuckDBPyConnection, articles: int) -> None:
    """`articles` articles of one version each, the story of article i named `a<i>.1`."""
    con.execute(
        "INSERT INTO article_versions (article_id, version, fetched_at, published_source, title, "
        "author, site_name, language, text, content_hash, extractor, extractor_version, "
        "final_url, raw_html_z) SELECT 'a' || i, 1, ?::TIMESTAMPTZ - to_minutes(i), '', "
        "'Title ' || i, '', '', 'en', 'Text of story ' || i, md5(i::VARCHAR), 't', '1', '', "
        "''::BLOB FROM range(?) s(i)",
        [NOW, articles],
    )
    con.execute(
        "INSERT INTO story_profiles SELECT 'a' || i || '.1', 'Title ' || i, "
        "?::TIMESTAMPTZ - to_minutes(i), 0, NULL FROM range(?) s(i)",
        [NOW, articles],
    )


def test_a_storys_canonical_copy_is_read_through_the_indexes_not_every_version(tmp_path):
    with connect(tmp_path / "db.duckdb") as con:
        _versions(con, 20_000)
        assert index.story_copies(con, ["a7.1", "a19999.1"]) == {
            "a7.1": ("Text of story 7", "Title 7", 0, None, NOW - timedelta(minutes=7)),
            "a19999.1": ("Text of story 19999", "Title 19999", 0, None, NOW - 19999 * MINUTE),
        }
        probe = {"story_id": ["a7.1"], "article_id": ["a7"], "version": [1]}
        con.register("probe", pa.table(probe))
        plan = con.execute("EXPLAIN ANALYZE " + index.COPIES_SQL).fetchall()[0][1]
    assert plan.count("Index Scan") == 2
    assert "20,000" not in plan  # no operator saw every version or profile
