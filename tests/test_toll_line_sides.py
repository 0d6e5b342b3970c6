"""A toll line per side (migration 0050): what a militant group claims and what the officials
count are two lines, neither a revision of the other; within a side a new voice still revises
the line, and only such a step is notified."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb

from evals.replay import Item, write_batches
from storage.health import figure_changes
from wirewatch.ingest import notify
from wirewatch.sample_site import newsroom

T0 = datetime(2026, 1, 31, 22, 0, tzinfo=UTC)
TITLE = "Militants storm army camp in Turbat"
MORE = (
    "\nThe attackers blew open the camp's main gate with a car packed with explosives before "
    "dawn, and the fighting went on for several hours in the lanes around the base.\n"
    "Mobile internet was cut across the district on Sunday and the main highway to the port "
    "city of Gwadar was closed while troops searched the hills above the town.\n"
    "The province has seen a surge of attacks on security forces and on workers from other "
    "provinces since the start of the year, and the government has promised a new operation."
)
OFFICIALS = (
    "Fifteen soldiers were killed when militants stormed an army camp in Turbat on Saturday "
    "night, officials said."
)
CLAIM = (
    "\nThe Baloch Liberation Army claimed that 84 soldiers were killed in the attack on the camp "
    "in Turbat."
)
ARMY = (
    "Twenty soldiers were killed when militants stormed an army camp in Turbat on Saturday "
    "night, the army said in a statement."
)
LATER_CLAIM = (
    "\nThe Baloch Liberation Army later claimed that more than 200 soldiers were killed in the "
    "attack on the camp."
)
FIRST = OFFICIALS + MORE
WITH_CLAIM = OFFICIALS + CLAIM + MORE
REVISED = ARMY + LATER_CLAIM + MORE


def _lines(db: Path, subject: str = "security_forces") -> dict[str, list[tuple]]:
    """The killed lines of `subject` by side: (figure, said_by, previous_figure) per step."""
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            "SELECT side, figure, said_by, previous_figure FROM toll_lines "
            "WHERE metric = 'killed' AND subject = ? ORDER BY side, step",
            [subject],
        ).fetchall()
    found: dict[str, list[tuple]] = {}
    for side, *step in rows:
        found.setdefault(side, []).append(tuple(step))
    return found


def _messages(db: Path, since: datetime) -> list[str]:
    with duckdb.connect(str(db), read_only=True) as con:
        return [notify.change_message(c) for c in figure_changes(con, since)]


def test_a_militant_groups_claim_and_the_officials_count_are_two_lines(tmp_path: Path):
    db = tmp_path / "sides.duckdb"
    second_run = T0 + timedelta(hours=3)
    write_batches(
        [[Item("turbat", FIRST, TITLE, T0)], [Item("turbat", WITH_CLAIM, TITLE, second_run)]], db
    )
    assert _lines(db) == {
        "official": [("15", "officials", None)],
        "militant": [("84", "Baloch Liberation Army", None)],
    }  # neither a revision of the other: the BLA's 84 is no step 15 -> 84
    assert _messages(db, second_run) == []


def test_a_new_official_voice_still_revises_the_officials_line(tmp_path: Path):
    db = tmp_path / "sides.duckdb"
    third_run = T0 + timedelta(hours=6)
    write_batches(
        [
            [Item("turbat", FIRST, TITLE, T0)],
            [Item("turbat", WITH_CLAIM, TITLE, T0 + timedelta(hours=3))],
            [Item("turbat", REVISED, TITLE, third_run)],
        ],
        db,
    )
    assert _lines(db) == {
        "official": [("15", "officials", None), ("20", "army", "15")],
        "militant": [
            ("84", "Baloch Liberation Army", None),
            ("more than 200", "Baloch Liberation Army", "84"),
        ],
    }


def test_each_sides_step_is_notified_within_its_side_saying_whose_line(tmp_path: Path):
    db = tmp_path / "sides.duckdb"
    write_batches([[Item("turbat", WITH_CLAIM, TITLE, T0)]], db)
    third_run = T0 + timedelta(hours=6)
    write_batches([[Item("turbat", REVISED, TITLE, third_run)]], db)
    assert _messages(db, third_run) == [
        "killed security forces 84 -> more than 200, said by Baloch Liberation Army, "
        "the militant group's line",
        "killed security forces 15 -> 20, said by army (before: officials)",
    ]
    with duckdb.connect(str(db), read_only=True) as con:
        changes = figure_changes(con, third_run)
    assert [notify.change_payload(c)["side"] for c in changes] == ["militant", "official"]
    table = notify.changes_markdown(changes)
    assert "| militant | 84 -> more than 200 | Baloch Liberation Army |" in table


def test_a_groups_own_dead_and_the_armys_count_of_militants_are_each_their_sides(tmp_path: Path):
    db = tmp_path / "sides.duckdb"
    own_dead = (
        OFFICIALS + "\nThe Baloch Liberation Army said six of its fighters were killed in the "
        "operation." + MORE
    )
    army_count = (
        OFFICIALS + "\nThe army said 30 militants were killed in the clearance operation that "
        "followed." + MORE
    )
    later = T0 + timedelta(hours=3)
    write_batches(
        [[Item("turbat", own_dead, TITLE, T0)], [Item("turbat", army_count, TITLE, later)]], db
    )
    assert _lines(db, "militants") == {
        "official": [("30", "army", None)],
        "militant": [("6", "Baloch Liberation Army", None)],
    }  # not "6 -> 30": each is right as what its side said


def test_a_militant_groups_claim_retold_unattributed_is_no_step_of_the_officials_line(
    tmp_path: Path,
):
    db = tmp_path / "sides.duckdb"
    retold = OFFICIALS + "\nThe attack on the camp in Turbat on Saturday killed 84 soldiers." + MORE
    write_batches(
        [
            [Item("turbat", WITH_CLAIM, TITLE, T0)],
            [Item("timeline", retold, TITLE, T0 + timedelta(hours=3), outlet="other")],
        ],
        db,
    )
    assert _lines(db)["official"] == [("15", "officials", None)]  # not 15 -> 84, unattributed


def test_beside_a_retold_militant_claim_the_officials_new_count_is_their_lines_step(
    tmp_path: Path,
):
    db = tmp_path / "sides.duckdb"
    timeline = (
        "The attack on the camp in Turbat on Saturday killed 84 soldiers.\n"
        "Seventeen soldiers were killed in the attack on the camp in Turbat, officials said on "
        "Monday." + MORE
    )
    write_batches(
        [
            [Item("turbat", WITH_CLAIM, TITLE, T0)],
            [Item("timeline", timeline, TITLE, T0 + timedelta(hours=3), outlet="other")],
        ],
        db,
    )
    assert _lines(db)["official"] == [
        ("15", "officials", None),
        ("17", "officials", "15"),
    ]  # the retold 84 is no point of the officials' line, so their 17 is


def test_the_sample_sites_lines_read_as_each_side_said(tmp_path: Path):
    db = tmp_path / "seeds.duckdb"
    stories = sorted(newsroom.stories(), key=lambda s: s.published)
    items = [Item(s.slug, "\n".join(s.paragraphs), s.title, s.published) for s in stories]
    write_batches([items], db)
    assert _lines(db, "militants") == {
        "official": [("145", "Sarfraz Bugti", None)],
        "militant": [("7", "Baloch Liberation Army", None)],
    }  # once read as the revision 7 -> 145
    lines = _lines(db)
    assert lines["militant"] == [
        ("at least 84", "Baloch Liberation Army", None),
        ("more than 200", "Baloch Liberation Army", "at least 84"),
    ]
    assert lines["official"] == [
        ("15", "officials", None),
        ("17", "official figures", "15"),
    ]  # a timeline's retold 84 is no point: its officials' 17 is the step
