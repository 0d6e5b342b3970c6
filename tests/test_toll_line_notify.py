"""Figure-change notifications follow the toll line (migration 0030): each new step once, with
who said it and who said the figure before, none again on a rerun, none for a copy that lags
behind with a figure already said."""

from datetime import datetime, timedelta
from pathlib import Path

import duckdb

from evals.replay import Item, write_batches
from storage.health import figure_changes
from tests.test_toll_lines import FIRST, LATER, T0, TITLE
from wirewatch.ingest import notify

LAST = LATER.replace("Five people were killed", "Seven people were killed")


def _changes(db: Path, since: datetime) -> list[dict]:
    with duckdb.connect(str(db), read_only=True) as con:
        return figure_changes(con, since)


def _killed(changes: list[dict]) -> list[str]:
    return [notify.change_message(c) for c in changes if c["metric"] == "killed"]


def test_a_revision_by_a_new_voice_is_notified_with_both_voices(tmp_path: Path):
    db = tmp_path / "n.duckdb"
    write_batches([[Item("kyiv", FIRST, TITLE, T0)]], db)
    second_run = T0 + timedelta(hours=3)  # a replayed text is fetched at its own time
    write_batches([[Item("kyiv", LATER, TITLE, second_run)]], db)
    changes = _changes(db, second_run)
    assert _killed(changes) == [
        "killed people at least 3 -> 5, said by authorities (before: Vitali Klitschko)"
    ]
    payload = notify.change_payload(changes[0])
    assert (payload["previous"], payload["new"]) == (3, 5)
    voices = (payload["claimant"], payload["previous_claimant"])
    assert voices == ("authorities", "Vitali Klitschko")
    table = notify.changes_markdown(changes)
    assert "| official | at least 3 -> 5 | authorities | Vitali Klitschko |" in table


def test_a_rerun_and_a_lagging_copy_notify_nothing(tmp_path: Path):
    db = tmp_path / "n.duckdb"
    write_batches(
        [[Item("kyiv", FIRST, TITLE, T0)], [Item("kyiv", LATER, TITLE, T0 + timedelta(hours=3))]],
        db,
    )
    assert len(_changes(db, T0 + timedelta(hours=3))) == 1  # the step, in the run that stored it
    rerun = T0 + timedelta(hours=4)
    write_batches([[Item("kyiv", LATER, TITLE, rerun)]], db)  # the same text: nothing new
    assert _changes(db, rerun) == []
    lagging = T0 + timedelta(hours=5)
    write_batches([[Item("reprint", FIRST, TITLE, lagging, outlet="other")]], db)
    assert _changes(db, lagging) == []  # the first version's "at least 3", republished


def test_steps_arriving_together_are_each_notified_in_order(tmp_path: Path):
    db = tmp_path / "n.duckdb"
    write_batches(
        [
            [
                Item("kyiv", FIRST, TITLE, T0),
                Item("kyiv-later", LATER, TITLE, T0 + timedelta(hours=3), outlet="b"),
                Item("kyiv-last", LAST, TITLE, T0 + timedelta(hours=6), outlet="c"),
            ]
        ],
        db,
    )
    assert _killed(_changes(db, T0 - timedelta(days=1))) == [
        "killed people at least 3 -> 5, said by authorities (before: Vitali Klitschko)",
        "killed people 5 -> 7, said by authorities",
    ]
