"""How many rows the widest table scan of a query read (DuckDB's JSON profile): tests that a
lookup goes through an index assert this stays far below the rows stored."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import duckdb


def most_rows_one_scan_read(
    con: duckdb.DuckDBPyConnection, run: Callable[[], object], profile: Path
) -> int:
    """Run `run` (one query on `con`) with profiling on; the most rows any scan read."""
    con.execute("SET enable_profiling = 'json'")
    con.execute(f"SET profiling_output = '{profile}'")
    run()
    con.execute("PRAGMA disable_profiling")

    def most(node: dict[str, object]) -> int:
        children = node.get("children", [])
        assert isinstance(children, list)
        here = node.get("operator_rows_scanned", 0)
        assert isinstance(here, int)
        return max([here, *(most(child) for child in children)])

    return most(json.loads(profile.read_text()))
