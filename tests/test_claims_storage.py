"""Migration 0005: claims carry a scope, the timeline shows the text's own event only, and one
claimant has one display name however the texts spell it."""

from datetime import UTC, datetime, timedelta

from storage.db import connect
from storage.records import Batch, ClaimRow, VersionRow, write_batch
from tests.rows import version_row

NOW = datetime(2026, 2, 1, 8, tzinfo=UTC)


def _claim(value: int, claimant: str, scope: str = "event", subject: str = "people") -> ClaimRow:
    return ClaimRow(
        claimant=claimant,
        claimant_key="rla" if claimant else "",
        claimant_kind="militant_group" if claimant else "unattributed",
        metric="killed",
        subject=subject,
        value=value,
        value_high=value,
        qualifier="exact",
        sentence=f"{value} killed",
        start_offset=0,
        end_offset=2,
        scope=scope,
    )


def _page(article_id: str, hours: int, claims: tuple[ClaimRow, ...]) -> VersionRow:
    at = NOW + timedelta(hours=hours)
    return version_row(
        article_id, fetched_at=at, published_at=at, claims=claims, claims_version="claims-2"
    )


def test_parts_periods_and_other_events_stay_in_claims_but_leave_the_timeline(tmp_path):
    claims = (
        _claim(33, "Rebel Liberation Army"),
        _claim(5, "Rebel Liberation Army", "part", "civilians"),
        _claim(700, "Rebel Liberation Army", "period"),
        _claim(41, "Rebel Liberation Army", "other_event"),
    )
    with connect(tmp_path / "db.duckdb") as con:
        write_batch(con, Batch(pages=[_page("a1", 0, claims)]))
        scopes = con.execute("SELECT value, scope FROM claims ORDER BY value").fetchall()
        timeline = con.execute("SELECT value FROM figure_history").fetchall()
    assert scopes == [(5, "part"), (33, "event"), (41, "other_event"), (700, "period")]
    assert timeline == [(33,)]


def test_one_claimant_key_has_one_display_name_in_the_views(tmp_path):
    pages = [
        _page("a1", 0, (_claim(80, "Rebel Liberation Army"),)),
        _page("a2", 1, (_claim(84, "Rebel"),)),
        _page("a3", 2, (_claim(200, "RLA"),)),
        _page("a4", 3, (_claim(200, "Rebel Liberation Army"),)),
    ]
    with connect(tmp_path / "db.duckdb") as con:
        write_batch(con, Batch(pages=pages))
        names = con.execute("SELECT DISTINCT claimant FROM claims").fetchall()
        history = con.execute(
            "SELECT claimant, value, previous_value FROM figure_history ORDER BY first_published_at"
        ).fetchall()
        as_written = con.execute(
            "SELECT count(DISTINCT claimant_as_written) FROM claims"
        ).fetchone()
    assert names == [("Rebel Liberation Army",)]
    assert history == [
        ("Rebel Liberation Army", 80, None),
        ("Rebel Liberation Army", 84, 80),
        ("Rebel Liberation Army", 200, 84),
    ]
    assert as_written == (3,)


def test_unattributed_claims_have_no_display_name(tmp_path):
    with connect(tmp_path / "db.duckdb") as con:
        write_batch(con, Batch(pages=[_page("a1", 0, (_claim(3, ""),))]))
        row = con.execute("SELECT claimant, scope FROM claims").fetchone()
    assert row == ("", "event")


def test_rows_written_before_scope_existed_read_as_event(tmp_path):
    with connect(tmp_path / "db.duckdb") as con:
        write_batch(con, Batch(pages=[_page("a1", 0, (_claim(9, "RLA"),))]))
        con.execute("UPDATE article_claims SET scope = NULL")
        row = con.execute("SELECT scope FROM claims").fetchone()
    assert row == ("event",)
