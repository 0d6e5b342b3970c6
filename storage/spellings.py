"""How often each claimant was spelled each way, kept as claims are written and deleted.

`claimant_names` (the one name shown for a claimant_key: the fullest spelling, then the most
used) reads `claimant_spellings` (migration 0055) instead of counting every stored claim at
each read: the cycle's figure-change check counted them all (546k claims at 3M versions, and
a real stream stores about a million a week).
"""

from __future__ import annotations

import duckdb

from storage.changes import log_keys, log_table

_ADD = """
INSERT INTO claimant_spellings BY NAME
SELECT claimant_key, claimant, {sign}count(*) AS n FROM ({rows}) WHERE claimant <> ''
GROUP BY ALL
ON CONFLICT DO UPDATE SET n = n + excluded.n"""


def _change(con: duckdb.DuckDBPyConnection, rows_sql: str, sign: str) -> None:
    keys = f"SELECT DISTINCT claimant_key, claimant FROM ({rows_sql}) WHERE claimant <> ''"
    log_keys(con, "claimant_spellings", keys)
    con.execute(_ADD.format(sign=sign, rows=rows_sql))
    if sign == "-":  # a spelling no stored claim has any more
        con.execute("DELETE FROM claimant_spellings WHERE n <= 0")


def count_in(con: duckdb.DuckDBPyConnection, rows_sql: str) -> None:
    """Count the spellings of the claims `rows_sql` selects (claimant_key, claimant), which
    are being written; call it in the write's transaction."""
    _change(con, rows_sql, "")


def count_out(con: duckdb.DuckDBPyConnection, rows_sql: str) -> None:
    """Take back the spellings of the claims `rows_sql` selects, before they are deleted in
    the same transaction."""
    _change(con, rows_sql, "-")


def recount(con: duckdb.DuckDBPyConnection) -> None:
    """Count every stored claim's spelling again (after a bulk load)."""
    log_table(con, "claimant_spellings")
    con.execute("DELETE FROM claimant_spellings")
    con.execute(_ADD.format(sign="", rows="SELECT claimant_key, claimant FROM article_claims"))
