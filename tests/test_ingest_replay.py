"""The sample site's replay through the real flow: versions appear when a page's figures
change, and re-running a cycle adds nothing but poll rows and its revisits' fetch rows."""

import asyncio

import duckdb
import pytest

from flows.ingest import ingest

pytestmark = pytest.mark.integration


def _count(db, table):
    with duckdb.connect(db, read_only=True) as con:
        return con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]


@pytest.fixture
def replay(tmp_path, monkeypatch, prefect_harness, news_site):
    monkeypatch.setenv("WIREWATCH_ALLOW_PRIVATE_ADDRESSES", "true")
    monkeypatch.setenv("WIREWATCH_EXTRACT_WORKERS", "2")  # the real process pool
    _, site = news_site
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text(site.feeds_yaml())
    db = str(tmp_path / "db.duckdb")

    def run_step(step):
        site.set_step(step)
        return asyncio.run(ingest(feeds_file=str(feeds), db_path=db))

    return run_step, db


def test_replay_keeps_every_version_and_reruns_add_nothing(replay):
    run_step, db = replay
    steps = [run_step(step) for step in (1, 2, 3, 4)]
    assert [s["articles_added"] for s in steps] == [3, 2, 1, 1]
    assert steps[2]["versions_added"] == 2  # seed 003, and the updated Frontier Times page
    counts = {t: _count(db, t) for t in ("articles", "article_versions", "fetches", "feed_polls")}

    again = run_step(4)

    assert again["articles_added"] == again["versions_added"] == 0
    assert again["fetches"] == again["revisits"]  # young articles revisited: nothing new
    assert again.get("polls_not_modified", 0) >= 3
    assert {t: _count(db, t) for t in counts} == {
        **counts,
        "feed_polls": counts["feed_polls"] + 5,
        "fetches": counts["fetches"] + again["fetches"],
    }


def test_the_updated_page_has_two_versions_with_the_new_figures(replay):
    run_step, db = replay
    for step in (1, 2, 3):
        run_step(step)
    with duckdb.connect(db, read_only=True) as con:
        rows = con.execute(
            "SELECT version, text FROM article_versions JOIN articles USING (article_id) "
            "WHERE outlet = 'frontier-times' ORDER BY version"
        ).fetchall()
        tracked = con.execute(
            "SELECT count(*) FROM articles WHERE canonical_url LIKE '%utm_%'"
        ).fetchall()
    assert [r[0] for r in rows] == [1, 2]
    assert "more than 200" not in rows[0][1]
    assert "more than 200" in rows[1][1]
    assert tracked == [(0,)]  # the feeds' utm_ links were canonicalized


BLA_SERIES = """
    SELECT figure FROM figure_history
    WHERE claimant_key = 'BLA' AND metric = 'killed' AND subject = 'security_forces'
    ORDER BY first_published_at, value"""


def test_figure_history_follows_the_bla_toll_across_the_replay(replay):
    run_step, db = replay
    for step in (1, 2, 3, 4):
        run_step(step)
    with duckdb.connect(db, read_only=True) as con:
        series = [row[0] for row in con.execute(BLA_SERIES).fetchall()]
        officials = con.execute(
            "SELECT government FROM figure_disputes WHERE metric = 'killed' "
            "AND subject = 'security_forces'"
        ).fetchall()
    assert series[0] == "more than 80"
    assert (
        series.index("more than 80") < series.index("at least 84") < series.index("more than 200")
    )
    assert officials and "17" in officials[0][0]  # the officials' figure beside the BLA's


def test_reprocess_replaces_its_own_claims_and_keeps_older_extractors(replay):
    from flows.reprocess import reprocess

    run_step, db = replay
    run_step(1)
    with duckdb.connect(db) as con:
        con.execute(
            "INSERT INTO article_claims SELECT * REPLACE ('claims-0' AS "
            "extractor_version, TIMESTAMPTZ '2020-01-01' AS extracted_at) "
            "FROM article_claims"
        )
        before = con.execute(
            "SELECT extractor_version, count(*) FROM article_claims GROUP BY 1 ORDER BY 1"
        ).fetchall()
    first = asyncio.run(reprocess(db_path=db))
    second = asyncio.run(reprocess(db_path=db))
    with duckdb.connect(db, read_only=True) as con:
        after = con.execute(
            "SELECT extractor_version, count(*) FROM article_claims GROUP BY 1 ORDER BY 1"
        ).fetchall()
        shown = con.execute("SELECT DISTINCT extractor_version FROM claims").fetchall()
    assert first == second == {"versions": 3, "claims": before[1][1]}
    assert after == before  # replaced, not duplicated; claims-0 rows still there
    assert shown == [(before[1][0],)]  # the claims view shows the newest run


def test_day_one_copies_are_one_ibns_story_and_all_seeds_one_event(replay):
    run_step, db = replay
    for step in (1, 2, 3, 4):
        run_step(step)
    with duckdb.connect(db, read_only=True) as con:
        copies = con.execute(
            "SELECT agency, n_copies, outlets FROM stories WHERE n_copies > 1"
        ).fetchall()
        events = con.execute("SELECT n_stories, n_articles FROM events").fetchall()
        ids = con.execute(
            "SELECT count(DISTINCT story_id), count(DISTINCT event_id) FROM latest_versions"
        ).fetchall()
    assert copies == [("IBNS", 3, ["daily-courier", "frontier-times", "indiablooms"])]
    assert events == [(5, 7)]  # the five seeds' stories, seven outlets' articles
    assert ids == [(5, 1)]


def test_a_rerun_never_renumbers_stories_or_events(replay):
    run_step, db = replay
    for step in (1, 2):
        run_step(step)
    query = "SELECT article_id, version, story_id FROM version_stories ORDER BY 1, 2"
    with duckdb.connect(db, read_only=True) as con:
        before = con.execute(query).fetchall()
    run_step(3)
    with duckdb.connect(db, read_only=True) as con:
        after = con.execute(query).fetchall()
    assert set(before) <= set(after)  # earlier assignments unchanged
