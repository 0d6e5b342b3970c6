"""`claims_since(t)` and `figure_history_since(t)` (migration 0016) read only what was fetched
since t, and the cycle's figure-change check reads only the events it touched: both must say
what the whole history says."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from evals.replay import Item, write_batches
from storage.health import figure_changes
from tests.scans import most_rows_one_scan_read
from wirewatch.sample_site import newsroom

STORIES = sorted(newsroom.stories(), key=lambda s: s.published)

#: figure_changes over the whole toll_lines view (the reference)
WHOLE_HISTORY_CHANGES = """
    SELECT event_id, said_by AS claimant, claimant_kind, metric, subject,
           previous_value, value, figure, previous_figure,
           previous_said_by AS previous_claimant, article_url AS url,
           value_first_fetched_at AS first_seen_at, reported_at, side
    FROM toll_lines
    WHERE previous_value IS NOT NULL AND value_first_fetched_at >= ?
    ORDER BY value_first_fetched_at, event_id, metric, subject, side, step"""


def _seeds_in_two_runs(db: Path) -> object:
    """The seed reports written in two runs; returns when the second run began."""
    items = [Item(s.slug, "\n".join(s.paragraphs), s.title, s.published) for s in STORIES]
    half = len(items) // 2
    write_batches([items[:half], items[half:]], db)
    return items[half - 1].when + timedelta(seconds=1)


def test_the_views_are_the_macros_without_a_time(tmp_path: Path):
    db = tmp_path / "since.duckdb"
    _seeds_in_two_runs(db)
    with duckdb.connect(str(db), read_only=True) as con:
        for view, macro in (
            ("claims", "claims_since"),
            ("figure_history", "figure_history_since"),
            ("toll_lines", "toll_line_since"),
        ):
            whole = con.execute(f"SELECT * FROM {view} ORDER BY ALL").fetchall()
            assert whole == con.execute(f"SELECT * FROM {macro}(NULL) ORDER BY ALL").fetchall()
            assert whole


def test_claims_since_a_time_are_the_claims_of_the_versions_fetched_since(tmp_path: Path):
    db = tmp_path / "since.duckdb"
    second_run = _seeds_in_two_runs(db)
    with duckdb.connect(str(db), read_only=True) as con:
        recent = con.execute(
            "SELECT * FROM claims_since(?::TIMESTAMPTZ) ORDER BY ALL", [second_run]
        ).fetchall()
        expected = con.execute(
            "SELECT * FROM claims WHERE fetched_at >= ? ORDER BY ALL", [second_run]
        ).fetchall()
    assert recent == expected
    assert len(recent) > 0


def test_the_figure_changes_of_a_run_are_those_the_whole_history_shows(tmp_path: Path):
    db = tmp_path / "since.duckdb"
    second_run = _seeds_in_two_runs(db)
    with duckdb.connect(str(db), read_only=True) as con:
        found = figure_changes(con, second_run)
        cursor = con.execute(WHOLE_HISTORY_CHANGES, [second_run])
        names = [d[0] for d in cursor.description]
        expected = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    assert found == expected
    assert any(c["claimant_kind"] == "militant_group" for c in found)  # the BLA's captives 18 -> 14


def test_claims_since_a_recent_time_reads_articles_and_events_by_key(tmp_path: Path):
    """The cycle's check must not grow with the history: with 20,000 other articles and
    stories stored, `claims_since(t)` fetches the rows of `articles` and `story_events` it needs
    through their keys' indexes (migration 0047), where the whole-history joins scan both
    tables, and it says what the whole history says."""
    db = tmp_path / "since.duckdb"
    second_run = _seeds_in_two_runs(db)
    with duckdb.connect(str(db)) as con:
        con.execute(
            "INSERT INTO articles SELECT md5(i::VARCHAR)[:16], 'https://x.test/' || i, 'x', 'f', "
            "now() FROM range(20000) t(i)"
        )
        con.execute(
            "INSERT INTO story_events SELECT md5(i::VARCHAR)[:16] || '.1', 'x.1', NULL, '{}', "
            "[], 'e' FROM range(20000) t(i)"
        )
        sql = "SELECT * FROM {}(?::TIMESTAMPTZ) WHERE event_id IS NOT NULL"
        keyed, scanned = (
            con.execute("EXPLAIN ANALYZE " + sql.format(macro), [second_run]).fetchall()[0][1]
            for macro in ("claims_since", "claims_scan")
        )
        recent = con.execute(sql.format("claims_since") + " ORDER BY ALL", [second_run])
        recent_rows = recent.fetchall()
        expected = con.execute(
            "SELECT * FROM claims WHERE fetched_at >= ? AND event_id IS NOT NULL ORDER BY ALL",
            [second_run],
        ).fetchall()
    assert recent_rows == expected and expected
    assert keyed.count("Index Scan") == 3  # articles, story_events, version_stories (0052)
    assert scanned.count("Index Scan") == 0


def test_the_toll_lines_of_some_events_are_theirs_in_the_whole_history(tmp_path: Path):
    """The cycle's check reads only the claims of the events it touched (`toll_line_from`,
    migration 0051); their lines are what the lines of every event say of them."""
    db = tmp_path / "since.duckdb"
    second_run = _seeds_in_two_runs(db)
    quake = (
        "Officials said 12 people were killed when an earthquake struck the valley on Monday. "
        "Rescue teams searched collapsed houses through the night while aftershocks shook the "
        "region, and the provincial governor asked for tents, blankets and medicine. Roads "
        "into the valley were blocked by landslides, so supplies were flown in by helicopter. "
        "Schools were closed for the week and residents slept outdoors in the cold."
    )
    write_batches([[Item("quake", quake, "Earthquake kills 12", second_run)]], db)
    with duckdb.connect(str(db), read_only=True) as con:
        events = [
            row[0]
            for row in con.execute("SELECT DISTINCT event_id FROM toll_lines ORDER BY 1").fetchall()
        ]
        assert len(events) > 1
        lines = 0
        for some in ([events[0]], events[1:], events[-1:]):
            found = con.execute(
                "SELECT * FROM toll_line_from(NULL, ?::VARCHAR[]) ORDER BY ALL", [some]
            ).fetchall()
            expected = con.execute(
                "SELECT * FROM toll_lines WHERE event_id IN (SELECT unnest(?::VARCHAR[])) "
                "ORDER BY ALL",
                [some],
            ).fetchall()
            assert found == expected
            lines += len(found)
            claims = con.execute(
                "SELECT * FROM claims_of_events(NULL, ?::VARCHAR[]) ORDER BY ALL", [some]
            ).fetchall()
            of_events = con.execute(
                "SELECT * FROM claims WHERE event_id IN (SELECT unnest(?::VARCHAR[])) ORDER BY ALL",
                [some],
            ).fetchall()
            assert claims == of_events and claims
        assert lines > 0


@pytest.mark.parametrize("since", [None, datetime(2005, 1, 1, tzinfo=UTC)])
def test_the_claims_of_some_events_are_read_by_key(tmp_path: Path, since: datetime | None):
    """With 20,000 other stories and 100,000 other versions stored (fetched 2000-2011, so a
    time in between leaves DuckDB a filter to apply), `claims_of_events` (0052, 0054) finds the
    events' stories, versions and claims through indexes, with or without a time: no scan reads
    the other stories or versions."""
    db = tmp_path / "since.duckdb"
    _seeds_in_two_runs(db)
    with duckdb.connect(str(db)) as con:
        con.execute(
            "INSERT INTO story_events SELECT md5(i::VARCHAR)[:16] || '.1', md5(i::VARCHAR), NULL, "
            "'{}', "
            "[], 'e' FROM range(20000) t(i)"
        )
        con.execute(
            "INSERT INTO article_versions BY NAME SELECT 'other' || i AS article_id, 1 AS version, "
            "TIMESTAMPTZ '2000-01-01 00:00:00+00' + i * INTERVAL 1 HOUR AS fetched_at, "
            "'' AS published_source, '' AS title, '' AS author, "
            "'' AS site_name, 'en' AS language, '' AS text, md5(i::VARCHAR) AS content_hash, "
            "'' AS extractor, '' AS extractor_version, '' AS final_url, ''::BLOB AS raw_html_z "
            "FROM range(100000) t(i)"
        )
        event = con.execute("SELECT min(event_id) FROM claims").fetchall()[0][0]
        sql = "SELECT * FROM claims_of_events(?::TIMESTAMPTZ, [?])"
        most = most_rows_one_scan_read(
            con, lambda: con.execute(sql, [since, event]).fetchall(), tmp_path / "profile.json"
        )
        found = con.execute(sql + " ORDER BY ALL", [since, event]).fetchall()
        expected = con.execute(
            "SELECT * FROM claims WHERE event_id = ? ORDER BY ALL", [event]
        ).fetchall()
    assert found == expected and found
    assert most < 1_000  # a scan of story_events or article_versions reads 20,000 rows or more
