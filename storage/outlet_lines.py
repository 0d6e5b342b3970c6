"""An outlet's recent pages as line fingerprints (migration 0048), which tell its chrome
(extractors/events.py `line_prints`, wirewatch/sequence/chrome.py). Bounded: each outlet keeps
its last pages only, so the rows grow with outlets, not with articles."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import duckdb

from storage.grouping_index import probe_rows, write_rows

#: (seq, article_id, line fingerprints) of one outlet's page
OutletPage = tuple[int, str, tuple[int, ...]]


def outlet_pages(
    con: duckdb.DuckDBPyConnection, outlets: Iterable[str]
) -> dict[str, list[OutletPage]]:
    """The stored pages of these outlets, oldest first."""
    rows = probe_rows(
        con,
        [{"outlet": o} for o in sorted(set(outlets))],
        "SELECT p.outlet, p.seq, p.article_id, p.lines FROM outlet_pages p "
        "SEMI JOIN probe USING (outlet) ORDER BY p.outlet, p.seq",
    )
    found: dict[str, list[OutletPage]] = {}
    for outlet, seq, article_id, lines in rows:
        found.setdefault(outlet, []).append((seq, article_id, tuple(lines)))
    return found


def save_outlet_pages(
    con: duckdb.DuckDBPyConnection, pages: Mapping[str, Sequence[OutletPage]]
) -> None:
    """Replace the stored pages of these outlets with `pages` (each outlet's whole window)."""
    outlets = [{"outlet": o} for o in sorted(pages)]
    rows = [
        {"outlet": o, "seq": seq, "article_id": article, "lines": list(lines)}
        for o in sorted(pages)
        for seq, article, lines in pages[o]
    ]
    write_rows(con, outlets, "SELECT outlet FROM probe", log="outlet_pages")
    write_rows(con, outlets, "DELETE FROM outlet_pages p USING probe q WHERE p.outlet = q.outlet")
    write_rows(con, rows, "INSERT INTO outlet_pages BY NAME SELECT * FROM probe")
