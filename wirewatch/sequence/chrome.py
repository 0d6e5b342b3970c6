"""Each outlet's chrome, as the batch's stories are founded: the prose lines recurring on its
last pages (extractors/events.py OUTLET_PAGES, CHROME_PAGES), read from and saved to
`outlet_pages` (storage/outlet_lines.py).

A page enters its outlet's window when it founds a story as its article's first version: a copy
of a stored story adds nothing (one wire text republished under several addresses counts once),
nor does an article's later version (its lines are its first version's). The window of a page
is what the stored state plus the batch's earlier pages in canonical order make it, so the
result does not depend on how pages were split into batches.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Iterable

import duckdb

from extractors.events import CHROME_PAGES, OUTLET_PAGES
from storage import outlet_lines
from storage.outlet_lines import OutletPage


class OutletChrome:
    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self.pages: dict[str, deque[OutletPage]] = {}
        self.counts: dict[str, Counter[int]] = {}
        self.touched: set[str] = set()

    def load(self, outlets: Iterable[str]) -> None:
        for outlet, pages in outlet_lines.outlet_pages(self.con, outlets).items():
            self.pages[outlet] = deque(pages)
            self.counts[outlet] = Counter(line for _, _, lines in pages for line in lines)

    def of(self, outlet: str, lines: frozenset[int]) -> frozenset[int]:
        """The page's lines that are its outlet's chrome (none for a page without an outlet)."""
        counts = self.counts.get(outlet)
        if not counts:
            return frozenset()
        return frozenset(line for line in lines if counts[line] >= CHROME_PAGES)

    def add(self, outlet: str, article_id: str, lines: frozenset[int]) -> None:
        """A page that founded a story as its article's first version."""
        if not outlet:
            return
        pages = self.pages.setdefault(outlet, deque())
        counts = self.counts.setdefault(outlet, Counter())
        seq = pages[-1][0] + 1 if pages else 0
        pages.append((seq, article_id, tuple(sorted(lines))))
        counts.update(lines)
        while len(pages) > OUTLET_PAGES:
            counts.subtract(pages.popleft()[2])
        self.touched.add(outlet)

    def save(self) -> None:
        if self.touched:
            outlet_lines.save_outlet_pages(self.con, {o: list(self.pages[o]) for o in self.touched})
