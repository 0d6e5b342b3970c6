"""`wirewatch report`: one self-contained HTML file (`report_html` renders what `views` read): no
scripts, no fonts or images from elsewhere; charts are inline SVG."""

from __future__ import annotations

from pathlib import Path

import duckdb

from storage.browse import NO_FILTERS, Filters
from wirewatch.outputs.report_html import render_report
from wirewatch.outputs.views import read_report


def write_report(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    max_events: int | None = None,
    filters: Filters = NO_FILTERS,
) -> Path:
    """Every event matching `filters` (newest first; `max_events`: only that many, and the
    page says how many were left out)."""
    html = render_report(read_report(con, max_events, filters))
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(html, encoding="utf-8")
    partial.replace(path)
    return path
