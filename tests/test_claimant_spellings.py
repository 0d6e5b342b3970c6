"""`claimant_names` reads spelling counts kept as claims are written and deleted (migration
0055, storage/spellings.py): the counts always equal a count of the stored claims, and the names
are those the count over every claim gives."""

from pathlib import Path

import duckdb

from evals.replay import Item, write_batches
from storage.db import connect, transaction
from storage.grouping_index import flag_not_article
from storage.records import replace_claims
from wirewatch.sample_site import newsroom

#: the spellings of every stored claim, counted now
COUNTED = (
    "SELECT claimant_key, claimant, count(*) AS n FROM article_claims WHERE claimant <> '' "
    "GROUP BY ALL ORDER BY ALL"
)
#: claimant_names as migration 0005 defined it, over every stored claim
NAMES_FROM_EVERY_CLAIM = """
    WITH spellings AS (
        SELECT claimant_key, claimant, count(*) AS n FROM article_claims
        WHERE claimant <> '' GROUP BY ALL)
    SELECT claimant_key,
           arg_max(claimant, (least(length(claimant) - length(replace(claimant, ' ', '')), 4),
                              n, claimant)) AS display_name,
           count(*) AS n_spellings
    FROM spellings GROUP BY claimant_key ORDER BY ALL"""


def _seeds(db: Path) -> None:
    stories = sorted(newsroom.stories(), key=lambda s: s.published)
    items = [Item(s.slug, "\n".join(s.paragraphs), s.title, s.published) for s in stories]
    write_batches([items[:2], items[2:]], db)


def _kept(con: duckdb.DuckDBPyConnection) -> list[tuple[object, ...]]:
    return con.execute("SELECT * FROM claimant_spellings ORDER BY ALL").fetchall()


def _agree_with_every_claim(con: duckdb.DuckDBPyConnection) -> None:
    assert _kept(con) == con.execute(COUNTED).fetchall()
    names = con.execute("SELECT * FROM claimant_names ORDER BY ALL").fetchall()
    assert names == con.execute(NAMES_FROM_EVERY_CLAIM).fetchall()


def test_the_kept_counts_and_names_are_those_of_every_stored_claim(tmp_path: Path):
    db = tmp_path / "s.duckdb"
    _seeds(db)
    with connect(db) as con:
        assert _kept(con) != []
        _agree_with_every_claim(con)


def test_claims_replaced_or_deleted_stop_counting(tmp_path: Path):
    db = tmp_path / "s.duckdb"
    _seeds(db)
    with connect(db) as con:
        article, version, extractor = con.execute(
            "SELECT article_id, version, extractor_version FROM article_claims "
            "WHERE claimant <> '' ORDER BY ALL LIMIT 1"
        ).fetchall()[0]
        at = con.execute("SELECT now()").fetchall()[0][0]
        replace_claims(con, [(article, version, extractor, [], at)])  # re-extracted: none
        _agree_with_every_claim(con)
        story = con.execute(
            "SELECT s.story_id FROM version_stories s JOIN article_claims c "
            "USING (article_id, version) WHERE c.claimant <> '' ORDER BY ALL LIMIT 1"
        ).fetchall()[0][0]
        with transaction(con):
            flag_not_article(con, {story: "listing"})  # its claims go
        _agree_with_every_claim(con)


def test_a_spelling_no_claim_has_any_more_is_dropped(tmp_path: Path):
    db = tmp_path / "s.duckdb"
    _seeds(db)
    with connect(db) as con:
        rows = con.execute(
            "SELECT DISTINCT article_id, version, extractor_version FROM article_claims"
        ).fetchall()
        at = con.execute("SELECT now()").fetchall()[0][0]
        replace_claims(con, [(a, v, x, [], at) for a, v, x in rows])
        assert con.execute("SELECT count(*) FROM article_claims").fetchall() == [(0,)]
        assert _kept(con) == []
