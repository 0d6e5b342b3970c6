"""The changed-keys log: what a lake publish sends of the tables updated in place.

Every write to a table of `CHANGE_KEYS` records, in `lake_changes` and in the same transaction,
the change keys of the rows it inserts, updates or deletes (its key columns, or a prefix of
them). A publish (storage/lake.py) deletes those keys from the lake and inserts the file's
current rows for them, so it reads only what changed instead of hashing every table. Sending a
key twice is harmless (delete, then insert what the file holds), so an entry logged too many
is waste, never an error; an entry missing is a lake that differs from the file, which is why
tests/test_lake.py checks every in-place write in storage/ calls `log_keys`. A NULL key stands
for the whole table (a rebuild, a bulk load): the publish then compares the table in full.
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb

from storage.db import transaction

#: the tables updated or deleted from in place, and the columns their changes are logged by
CHANGE_KEYS: dict[str, tuple[str, ...]] = {
    "article_claims": ("article_id", "version"),
    "claimant_spellings": ("claimant_key", "claimant"),
    "entries": ("feed_id", "entry_key"),
    "event_names": ("event_id",),
    "event_profiles": ("event_id",),
    "event_summaries": ("event_id",),
    "feed_schedule": ("feed_id",),
    "feeds": ("feed_id",),
    "grouping_df": ("token",),
    "outlet_pages": ("outlet",),
    "story_events": ("story_id",),
    "story_profiles": ("story_id",),
    "story_summaries": ("story_id",),
    "version_stories": ("article_id", "version"),
    "warc_files": ("warc_file",),
}
#: a log longer than this (an embedded run, where nothing publishes and prunes it) is folded
#: into one whole-table entry per table: comparing a table in full is then the cheaper publish
MAX_ENTRIES = 20_000


def log_keys(
    con: duckdb.DuckDBPyConnection, table: str, keys_sql: str, params: Sequence[object] = ()
) -> None:
    """Record that the rows of `table` whose change keys `keys_sql` selects (its columns in
    the order of `CHANGE_KEYS[table]`) change; call it inside the change's transaction."""
    names = [f"k{n}" for n in range(len(CHANGE_KEYS[table]))]
    key = ", ".join(f"{name}::VARCHAR" for name in names)
    con.execute(
        f"INSERT INTO lake_changes (table_name, key) SELECT DISTINCT ?, [{key}] "
        f"FROM ({keys_sql}) AS k({', '.join(names)})",
        [table, *params],
    )


def log_table(con: duckdb.DuckDBPyConnection, table: str) -> None:
    """Record that the whole of `table` changes (a rebuild or a bulk load)."""
    if table not in CHANGE_KEYS:
        raise ValueError(f"log_table: not a logged table: {table}")
    con.execute("INSERT INTO lake_changes (table_name, key) VALUES (?, NULL)", [table])


def fold_if_long(con: duckdb.DuckDBPyConnection) -> None:
    """Keep the log short where nothing prunes it: past `MAX_ENTRIES`, one whole-table entry
    per logged table replaces its keys (in one transaction)."""
    row = con.execute("SELECT count(*) FROM lake_changes").fetchall()
    if int(row[0][0]) <= MAX_ENTRIES:
        return
    with transaction(con):
        top = con.execute("SELECT max(seq) FROM lake_changes").fetchall()[0][0]
        con.execute(
            "INSERT INTO lake_changes (table_name, key) "
            "SELECT DISTINCT table_name, NULL FROM lake_changes"
        )
        con.execute("DELETE FROM lake_changes WHERE seq <= ?", [top])
