"""What the report, `chart` and `diff` read from the database, in the shape they show it
(`report_html` renders it, `report` writes the file)."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from extractors.worddiff import WordDiff, diff_words, render_marked
from storage import browse
from storage.summary import Table, counts
from wirewatch.exits import UsageError
from wirewatch.outputs.chart import Chart, build_chart


def event_chart(con: duckdb.DuckDBPyConnection, event_id: str | None, metric: str) -> Chart:
    """The chart of one event's `metric` (default event: the one with the most claimants)."""
    chosen = event_id or browse.busiest_event(con, metric)
    if chosen is None:
        raise UsageError(f"no event has attributed {metric!r} figures yet")
    titles = {str(row[0]): str(row[1]) for row in browse.events(con).rows}
    if chosen not in titles:
        raise UsageError(f"no event {chosen!r}: `wirewatch summary --section events` lists them")
    return _chart(con, chosen, metric, f"{metric}: {titles[chosen]}")


def _chart(con: duckdb.DuckDBPyConnection, event_id: str, metric: str, title: str) -> Chart:
    """An event's toll line for `metric` with the claimants' series beside it."""
    return build_chart(
        browse.figure_points(con, event_id, metric), title, browse.toll_steps(con, event_id, metric)
    )


@dataclass(frozen=True, slots=True)
class VersionDiff:
    old: browse.Version
    new: browse.Version
    text: WordDiff
    title: WordDiff


def _find_versions(con: duckdb.DuckDBPyConnection, ref: str) -> list[browse.Version]:
    from extractors.urls import canonicalize_url

    found = browse.article_versions(con, ref)
    if not found and "://" in ref:
        found = browse.article_versions(con, canonicalize_url(ref))
    if not found:
        raise UsageError(f"no stored article {ref!r}: give its URL or article_id")
    return found


def version_diff(
    con: duckdb.DuckDBPyConnection, ref: str, v1: int | None = None, v2: int | None = None
) -> VersionDiff | None:
    """Versions v1 and v2 of an article compared (default: its last change); None if it has
    only one version."""
    versions = _find_versions(con, ref)
    by_number = {v.version: v for v in versions}
    if v1 is None or v2 is None:
        if len(versions) < 2:
            return None
        old, new = versions[-2], versions[-1]
    elif v1 not in by_number or v2 not in by_number:
        stored = ", ".join(str(n) for n in by_number)
        raise UsageError(
            f"{ref}: no version {v1 if v1 not in by_number else v2} (stored: {stored})"
        )
    else:
        old, new = by_number[v1], by_number[v2]
    return VersionDiff(old, new, diff_words(old.text, new.text), diff_words(old.title, new.title))


def article_diff(
    con: duckdb.DuckDBPyConnection, ref: str, v1: int | None = None, v2: int | None = None
) -> str:
    """The word diff as text: `[-removed-]{+added+}`, as git's --word-diff=plain writes it."""
    found = version_diff(con, ref, v1, v2)
    if found is None:
        only = _find_versions(con, ref)[0]
        return f"{only.url}\nonly one version stored (fetched {only.fetched_at:%Y-%m-%d %H:%M})\n"
    lines = [
        found.new.url,
        f"--- version {found.old.version}  {found.old.fetched_at:%Y-%m-%d %H:%M}",
        f"+++ version {found.new.version}  {found.new.fetched_at:%Y-%m-%d %H:%M}",
    ]
    if found.title.changed:
        lines.append("title: " + render_marked(found.title).strip())
    body = render_marked(found.text) if found.text.changed else "(the text did not change)\n"
    return "\n".join(lines) + "\n\n" + body


@dataclass(frozen=True, slots=True)
class EventView:
    event_id: str
    title: str
    first_seen: object
    last_seen: object
    charts: tuple[tuple[str, Chart], ...]  # (metric, chart), drawn once the connection is closed
    toll: Table  # the toll lines' steps, with who said each figure
    disputes: Table
    timeline: Table
    copies: Table
    thread: Table | None = None  # the other events of its thread (follow-ups, the happening)


@dataclass(frozen=True, slots=True)
class ReportData:
    totals: dict[str, int]
    events: tuple[EventView, ...]
    diffs: tuple[tuple[VersionDiff, tuple[browse.Version, ...]], ...]
    n_events: int = 0  # how many events matched, shown or not


def _event_view(con: duckdb.DuckDBPyConnection, row: tuple[object, ...]) -> EventView:
    event_id, title = str(row[0]), str(row[1])
    charts = tuple(
        (metric, _chart(con, event_id, metric, metric))
        for metric in browse.event_metrics(con, event_id)
    )
    return EventView(
        event_id, title, row[2], row[3], charts, browse.event_toll_line(con, event_id),
        browse.event_disputes(con, event_id), browse.event_timeline(con, event_id),
        browse.event_copies(con, event_id), browse.event_thread(con, event_id),
    )  # fmt: skip


def read_event(con: duckdb.DuckDBPyConnection, event_id: str) -> EventView | None:
    """One event as the page shows it; None when there is no such event."""
    rows = browse.events(con, browse.Filters(event_id=event_id)).rows
    return _event_view(con, rows[0]) if rows else None


def _diffs(
    con: duckdb.DuckDBPyConnection, article_ids: list[str]
) -> tuple[tuple[VersionDiff, tuple[browse.Version, ...]], ...]:
    diffs = []
    for article_id in article_ids:
        found = version_diff(con, article_id)
        if found is not None:
            diffs.append((found, tuple(browse.article_versions(con, article_id))))
    return tuple(diffs)


def read_report(
    con: duckdb.DuckDBPyConnection,
    max_events: int | None = None,
    filters: browse.Filters = browse.NO_FILTERS,
) -> ReportData:
    """What the report shows: the events matching `filters` (newest first, the first
    `max_events` of them; None: all) and the diffs of their updated articles."""
    rows = browse.events(con, filters, limit=max_events).rows
    events = tuple(_event_view(con, row) for row in rows)
    updated = browse.updated_articles(con)
    if filters != browse.NO_FILTERS or max_events is not None:  # only the shown events' articles
        shown = {str(a) for e in events for a in e.copies.column("article_id")}
        updated = [a for a in updated if a in shown]
    return ReportData(counts(con), events, _diffs(con, updated), browse.count_events(con, filters))
