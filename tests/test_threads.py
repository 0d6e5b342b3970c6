"""Threads: a follow-up weeks later (a revised toll, an arrest) starts its own event, linked to
the happening it follows up, and the happening's toll line goes on through it; a later
happening of the same kind in the same city is not a follow-up."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb

from evals.replay import Item, write_batches
from storage.health import figure_changes

T0 = datetime(2026, 8, 18, 6, 0, tzinfo=UTC)
STRIKE = (
    "At least three people were killed when a Russian missile hit an apartment block in Kyiv's "
    "Solomianskyi district overnight, Mayor Vitali Klitschko said on Telegram. Among the "
    "injured were Olena Kovalenko, a teacher, and her neighbour Petro Bondarenko, who were "
    "taken to the Oleksandrivska hospital. Rescuers searched the rubble of the nine-storey "
    "building on Vasylkivska street for survivors on Monday morning."
)
FOLLOW_UP = (
    "Five people have now died after the Russian missile strike on an apartment block in "
    "Kyiv's Solomianskyi district last month, Mayor Vitali Klitschko said. Olena "
    "Kovalenko and Petro Bondarenko, who were hurt in the strike, died at the Oleksandrivska "
    "hospital. Residents of the building on Vasylkivska street are still waiting for the city "
    "to repair their homes, and prosecutors said they had opened a war crimes case."
)
ANOTHER = (
    "Two workers were killed when a drone hit a warehouse in Kyiv's Darnytskyi district on "
    "Sunday, the city's military administration said. Firefighters put out the blaze after "
    "several hours, and the regional governor said air defences had shot down most of the "
    "drones launched overnight."
)


def _write(db: Path, later: list[Item]) -> None:
    write_batches(
        [[Item("strike", STRIKE, "Missile strike on Kyiv apartment block kills three", T0)], later],
        db,
    )


def _events(db: Path) -> dict[str, tuple[str, str | None]]:
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            "SELECT a.article_id, e.event_id, p.related_event_id, thread_of(e.event_id) "
            "FROM articles a JOIN version_stories s USING (article_id) "
            "JOIN story_events e USING (story_id) JOIN event_profiles p USING (event_id)"
        ).fetchall()
    return {article: (event, related, thread) for article, event, related, thread in rows}


def test_a_follow_up_weeks_later_links_to_the_happening_and_its_toll_line_goes_on(tmp_path):
    db = tmp_path / "thread.duckdb"
    later = T0 + timedelta(days=24)
    _write(db, [Item("follow", FOLLOW_UP, "Kyiv strike toll rises to five", later)])
    events = _events(db)
    strike_event, follow_event = events["strike"][0], events["follow"][0]
    assert follow_event != strike_event  # weeks later: its own event ...
    assert events["follow"][1] == strike_event  # ... following up the strike
    assert events["follow"][2] == strike_event  # one thread, named by the happening
    with duckdb.connect(str(db), read_only=True) as con:
        line = con.execute(
            "SELECT event_id, figure, said_by, previous_figure FROM toll_lines "
            "WHERE metric = 'killed' ORDER BY step"
        ).fetchall()
        changes = figure_changes(con, later - timedelta(hours=1))
    assert line == [
        (strike_event, "at least 3", "Vitali Klitschko", None),
        (follow_event, "5", "Vitali Klitschko", "at least 3"),
    ]
    assert [(c["previous_figure"], c["figure"], c["event_id"]) for c in changes] == [
        ("at least 3", "5", follow_event)
    ]


def test_another_strike_in_the_same_city_weeks_later_is_not_a_follow_up(tmp_path):
    db = tmp_path / "thread.duckdb"
    _write(db, [Item("other", ANOTHER, "Drone kills two in Kyiv", T0 + timedelta(days=24))])
    events = _events(db)
    assert events["other"][1] is None
    assert events["other"][2] == events["other"][0]
    with duckdb.connect(str(db), read_only=True) as con:
        lines = con.execute(
            "SELECT thread_id, figure FROM toll_lines WHERE metric = 'killed' ORDER BY thread_id"
        ).fetchall()
    assert sorted(figure for _, figure in lines) == ["2", "at least 3"]
    assert len({thread for thread, _ in lines}) == 2


def test_the_follow_ups_page_names_the_happening_and_shows_the_whole_line(tmp_path):
    from wirewatch.outputs.report_html import WEB_LINKS, event_html
    from wirewatch.outputs.views import read_event

    db = tmp_path / "thread.duckdb"
    _write(
        db, [Item("follow", FOLLOW_UP, "Kyiv strike toll rises to five", T0 + timedelta(days=24))]
    )
    strike_event, follow_event = _events(db)["strike"][0], _events(db)["follow"][0]
    with duckdb.connect(str(db), read_only=True) as con:
        event = read_event(con, follow_event)
    assert event is not None and event.thread is not None
    assert [row[:2] for row in event.thread.rows] == [
        (strike_event, "Missile strike on Kyiv apartment block kills three")
    ]
    html = event_html(event, set(), WEB_LINKS)
    assert f'href="/event/{strike_event}"' in html
    assert "at least 3" in html and "Vitali Klitschko" in html  # the line from the happening on
