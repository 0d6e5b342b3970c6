"""The toll line (migration 0025, issue 18): one line per (event, metric, subject), whoever said
each figure, so that a revision by a new voice is still a revision."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb

from evals.replay import Item, write_batches

T0 = datetime(2026, 8, 18, 6, 0, tzinfo=UTC)
TITLE = "Russian missile strike on Kyiv apartment block"
MORE = (
    "\nThe air force said Russia launched 40 drones and six cruise missiles at the capital and "
    "the surrounding region, and that air defences shot most of them down before dawn.\n"
    "Residents of neighbouring buildings were moved to a school nearby while engineers checked "
    "the damaged walls, and the city opened a centre to help families who lost their homes.\n"
    "Ukraine's foreign minister called on allies to send more air defence systems, saying the "
    "strike showed that Moscow was not interested in the peace talks proposed last week."
)
FIRST = (
    "At least three people were killed when a Russian missile hit an apartment block in Kyiv's "
    "Solomianskyi district overnight, Mayor Vitali Klitschko said on Telegram. Rescuers were "
    "searching the rubble of the nine-storey building for survivors on Monday morning."
) + MORE
LATER = (
    "Five people were killed when a Russian missile hit an apartment block in Kyiv's "
    "Solomianskyi district overnight, authorities said. Rescuers were searching the rubble of "
    "the nine-storey building for survivors on Monday morning, the emergency service said."
) + MORE


def _line(db: Path) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(
            "SELECT figure, said_by, previous_figure, previous_said_by, is_latest FROM toll_lines "
            "WHERE metric = 'killed' ORDER BY event_id, step"
        ).fetchall()


def test_a_revision_by_a_new_voice_is_a_step_on_the_line(tmp_path: Path):
    db = tmp_path / "line.duckdb"
    write_batches(
        [[Item("kyiv", FIRST, TITLE, T0)], [Item("kyiv", LATER, TITLE, T0 + timedelta(hours=3))]],
        db,
    )
    assert _line(db) == [
        ("at least 3", "Vitali Klitschko", None, None, False),
        ("5", "authorities", "at least 3", "Vitali Klitschko", True),
    ]


def test_a_copy_lagging_behind_with_the_older_figure_does_not_turn_the_line_back(tmp_path: Path):
    db = tmp_path / "line.duckdb"
    write_batches(
        [
            [Item("kyiv", FIRST, TITLE, T0)],
            [Item("kyiv", LATER, TITLE, T0 + timedelta(hours=3))],
            [Item("reprint", FIRST, TITLE, T0 + timedelta(hours=6), outlet="other")],
        ],
        db,
    )
    line = _line(db)
    assert [figure for figure, *_ in line] == ["at least 3", "5"]
    assert line[-1][-1] is True


TWICE = (
    "Five people were killed when a Russian missile hit an apartment block in Kyiv's "
    "Solomianskyi district overnight. Rescuers searched the rubble of the building on Monday.\n"
    "Five people were killed in the strike, the city's military administration said on Telegram."
) + MORE


def test_a_figure_given_twice_in_one_version_is_one_point_said_by_its_named_voice(tmp_path: Path):
    db = tmp_path / "line.duckdb"
    write_batches([[Item("kyiv", TWICE, TITLE, T0)]], db)
    assert _line(db) == [("5", "city's military administration", None, None, True)]


FLOOD_TITLE = "Dam burst floods northern province"
FLOOD_MORE = (
    "\nRescue teams from three neighbouring countries arrived on Wednesday with boats and "
    "helicopters, and the army set up field hospitals on the hills above the river.\n"
    "The dam, built in the 1970s, had been criticised by engineers for years; the government "
    "promised an inquiry into why the reservoir was kept full during the storm."
)
TOWN = (
    "Floodwater swept away homes and killed at least 237 people in the port town of Valmora, "
    "its mayor told reporters."
)
REGION = (
    "\nAcross the northern province, 303 people have died since the dam burst, the interior "
    "ministry said."
)


def test_a_towns_count_beside_the_regions_is_no_step_of_the_line(tmp_path: Path):
    db = tmp_path / "line.duckdb"
    write_batches(
        [
            [Item("flood", TOWN + REGION + FLOOD_MORE, FLOOD_TITLE, T0)],
            [Item("flood", TOWN + FLOOD_MORE, FLOOD_TITLE, T0 + timedelta(hours=2))],
        ],
        db,
    )  # the second version drops the region's sentence: the town's 237 was said already
    assert [(figure, said_by) for figure, said_by, *_ in _line(db)] == [
        ("303", "interior ministry")
    ]


def test_a_wars_running_total_stays_off_the_line(tmp_path: Path):
    db = tmp_path / "line.duckdb"
    war_total = (
        "\nMore than 73,000 people have been killed since the war began, according to the ministry."
    )
    write_batches([[Item("kyiv", FIRST + war_total, TITLE, T0)]], db)
    assert [figure for figure, *_ in _line(db)] == ["at least 3"]
