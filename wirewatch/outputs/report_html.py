"""The one renderer of what a reader sees: the report file and the live page's pages.

Both are built from the same pieces (an event's section, the events list, a version diff, the
feeds' health), with inline CSS, inline SVG charts, no scripts and nothing fetched. Every value
is escaped. `Links` is the only difference between the two outputs: the file links to anchors
within itself, the live page to its other pages (wirewatch/outputs/web.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape
from typing import Any
from urllib.parse import quote, urlencode

from extractors.worddiff import WordDiff
from storage.browse import Version
from storage.summary import Table
from wirewatch.outputs.chart import Chart, chart_bytes, side_caption
from wirewatch.outputs.views import EventView, ReportData, VersionDiff

CSS = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 70em; color: #222;
       padding: 0 1em; }
h1 { margin-bottom: 0; } .meta { color: #666; margin-top: .2em; }
section.event { border-top: 3px solid #345; margin-top: 2.5em; }
table { border-collapse: collapse; margin: .6em 0 1.2em; font-size: 13px; }
th, td { border-bottom: 1px solid #ddd; padding: .25em .6em; text-align: left;
         vertical-align: top; }
th { background: #f3f5f7; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
figure.chart { margin: 1em 0; } figure.chart svg { max-width: 100%; height: auto; }
.totals span { display: inline-block; margin-right: 1.2em; }
.disputes td { min-width: 9em; }
del { background: #fdd; color: #900; } ins { background: #dfd; color: #060;
      text-decoration: none; }
.diff { white-space: pre-wrap; border: 1px solid #ddd; padding: .8em; background: #fcfcfc; }
nav.top a { margin-right: 1em; } form.search input { padding: .3em; min-width: 18em; }
.claimant { margin: .6em 0; } .claimant h4 { margin: .4em 0 .2em; }
.claimant ol { margin: 0; padding-left: 1.4em; } .failing { color: #900; }
.pager a { margin-right: 1em; }
.toll-line h4 { margin: .6em 0 .2em; font-size: 16px; } .toll-line ol { margin: 0; }
.toll-line li:first-child { font-weight: 600; }
"""


@dataclass(frozen=True, slots=True)
class Links:
    """Where an event's and an article's diff links point."""

    event: Callable[[str], str]
    diff: Callable[[str], str]


#: The report file: everything is within the one page.
FILE_LINKS = Links(lambda e: f"#event-{e}", lambda a: f"#diff-{a}")
#: The live page: an event and an article's versions each have a page.
WEB_LINKS = Links(lambda e: f"/event/{quote(e, safe='')}", lambda a: f"/diff/{quote(a, safe='')}")


def chart_svg(chart: Chart) -> str:
    """The chart as inline SVG (no XML declaration or DOCTYPE)."""
    text = chart_bytes(chart, "svg").decode("utf-8")
    return text[text.index("<svg") :]


def page(title: str, body: str, nav: str = "") -> str:
    """A whole HTML document around `body`."""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title><style>{CSS}</style></head>
<body>
{nav}
{body}
</body></html>
"""


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    if isinstance(value, list | tuple):
        return ", ".join(_cell(v) for v in value)
    return str(value)


def _link(url: str, text: str) -> str:
    return f'<a href="{escape(url)}">{escape(text)}</a>'


def table_html(table: Table, css_class: str = "", links: dict[str, str] | None = None) -> str:
    """A table; `links` maps a shown column to the (hidden) column holding its URL."""
    links = links or {}
    hidden = set(links.values())
    shown = [i for i, c in enumerate(table.columns) if c not in hidden]
    index = {c: i for i, c in enumerate(table.columns)}
    head = "".join(f"<th>{escape(table.columns[i])}</th>" for i in shown)
    rows = []
    for row in table.rows:
        cells = []
        for i in shown:
            column, text = table.columns[i], _cell(row[i])
            url = row[index[links[column]]] if column in links else None
            body = _link(str(url), text) if url else escape(text)
            numeric = isinstance(row[i], int | float) and not isinstance(row[i], bool)
            cells.append(f'<td class="num">{body}</td>' if numeric else f"<td>{body}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f'<table class="{css_class}"><tr>{head}</tr>{"".join(rows)}</table>'


def _copies_html(copies: Table, updated: set[str], links: Links) -> str:
    index = {c: i for i, c in enumerate(copies.columns)}
    rows = []
    for row in copies.rows:
        article_id, versions = str(row[index["article_id"]]), row[index["versions"]]
        changes = (
            f' · <a class="diff-link" href="{escape(links.diff(article_id))}">diff</a>'
            if article_id in updated
            else ""
        )
        rows.append(
            f"<tr><td>{escape(str(row[index['story_id']]))}</td>"
            f"<td>{escape(str(row[index['outlet']]))}</td>"
            f"<td>{_link(str(row[index['url']]), str(row[index['title']]))}</td>"
            f"<td>{escape(_cell(row[index['agency']]))}</td>"
            f'<td class="num">{versions}{changes}</td>'
            f"<td>{escape(_cell(row[index['published']]))}</td></tr>"
        )
    head = "<tr><th>story</th><th>outlet</th><th>article</th><th>credited agency</th>"
    return f"<table>{head}<th>versions</th><th>published</th></tr>{''.join(rows)}</table>"


def _claimants_html(timeline: Table, links: Links) -> str:
    """Each claimant's figures in order, each linked to its article and, when the article
    changed, to its versions and word diff."""
    index = {c: i for i, c in enumerate(timeline.columns)}
    by_claimant: dict[tuple[str, str], list[tuple[Any, ...]]] = {}
    for row in timeline.rows:
        key = (str(row[index["claimant"]]), str(row[index["kind"]]))
        by_claimant.setdefault(key, []).append(row)
    blocks = []
    for (claimant, kind), rows in by_claimant.items():
        items = []
        for row in rows:
            article_id, versions = row[index["article_id"]], row[index["versions"]] or 1
            diff = (
                f' · <a class="diff-link" href="{escape(links.diff(str(article_id)))}">'
                f"{versions} versions, diff</a>"
                if article_id and versions > 1
                else ""
            )
            source = _link(str(row[index["article_url"]]), str(row[index["outlet"]] or "article"))
            items.append(
                f"<li>{escape(_cell(row[index['published']]))}: "
                f"<b>{escape(str(row[index['figure']]))}</b> {escape(str(row[index['metric']]))}"
                f" ({escape(str(row[index['subject']]).replace('_', ' '))}) · {source}{diff}</li>"
            )
        blocks.append(
            f'<div class="claimant"><h4>{escape(claimant)} '
            f"<small>({escape(kind.replace('_', ' '))})</small></h4>"
            f"<ol>{''.join(items)}</ol></div>"
        )
    return "".join(blocks) or "<p>No attributed figures.</p>"


def _said(who: object) -> str:
    return f"said by {who}" if who and who != "unattributed" else "unattributed"


def _thread_html(thread: Table | None, links: Links) -> str:
    """The other events of the thread, linked: the toll line runs through them all."""
    if thread is None or not thread.rows:
        return ""
    items = "".join(
        f'<li><a href="{escape(links.event(str(event_id)))}">{escape(str(title))}</a> '
        f"({escape(_cell(first_seen))})</li>"
        for event_id, title, first_seen in thread.rows
    )
    return (
        '<div class="thread"><p>One thread with (a follow-up weeks later, or the happening '
        f"it follows up; the toll line runs through them all):</p><ul>{items}</ul></div>"
    )


def _toll_html(toll: Table) -> str:
    """The toll lines, latest step first in each: "5, said by authorities (before: at least 3,
    said by Vitali Klitschko)", linked to the article that gave it. A militant group's line is
    headed by who claims it ("killed security forces, as claimed by Baloch Liberation Army
    (militant group): more than 200")."""
    if not toll.rows:
        return "<p>No event-wide figure yet.</p>"
    index = {c: i for i, c in enumerate(toll.columns)}
    lines: dict[tuple[str, str, str], list[tuple[Any, ...]]] = {}
    for row in toll.rows:
        key = (str(row[index["metric"]]), str(row[index["subject"]]), str(row[index["side"]]))
        lines.setdefault(key, []).append(row)
    blocks = []
    for (metric, subject, side), rows in lines.items():
        items = []
        for row in reversed(rows):
            before = row[index["previous"]]
            was = (
                f" <small>(before: {escape(str(before))}, "
                f"{escape(_said(row[index['previously_said_by']]))})</small>"
                if before is not None
                else ""
            )
            source = _link(str(row[index["article_url"]]), "article")
            items.append(
                f"<li>{escape(_cell(row[index['reported']]))}: "
                f"<b>{escape(str(row[index['figure']]))}</b>, "
                f"{escape(_said(row[index['said_by']]))}{was} · {source}</li>"
            )
        latest = rows[-1]
        caption = side_caption(side, [str(row[index["said_by"]]) for row in rows])
        blocks.append(
            f'<div class="toll-line" data-metric="{escape(metric)}" '
            f'data-subject="{escape(subject)}" data-side="{escape(side)}"><h4>{escape(metric)} '
            f"{escape(subject.replace('_', ' '))}{escape(caption)}: "
            f"<b>{escape(str(latest[index['figure']]))}"
            f"</b> <small>({escape(_said(latest[index['said_by']]))})</small></h4>"
            f"<ol reversed>{''.join(items)}</ol></div>"
        )
    return "".join(blocks)


def event_html(event: EventView, updated: set[str], links: Links = FILE_LINKS) -> str:
    """One event: its toll lines (the latest figure as reported, who said each), the charts
    with the claimants beside the toll line, who claims what side by side, each claimant's
    timeline, the copies with their agency."""
    charts = "".join(
        f'<figure class="chart" data-metric="{escape(metric)}">{chart_svg(chart)}'
        f"<figcaption>{escape(metric)}: the thick dark line is the event's toll line, the "
        f"latest figure as reported, labelled with who said it (a thick dashed dark red line is "
        f"a militant group's own claims, a line of their own); one color per claimant beside "
        f"it, a colored line is a claimant revising its figure; open markers are hedged "
        f"figures (at least, more than, about)</figcaption></figure>"
        for metric, chart in event.charts
    )
    shown = [c for c in event.timeline.columns if c not in ("article_id", "versions", "outlet")]
    keep = [event.timeline.columns.index(c) for c in shown]
    timeline = Table(shown, [tuple(r[i] for i in keep) for r in event.timeline.rows])
    return f"""
<section class="event" id="event-{escape(event.event_id)}">
<h2><a href="{escape(links.event(event.event_id))}">{escape(event.title)}</a></h2>
<p class="meta">event {escape(event.event_id)} · {escape(_cell(event.first_seen))} to
{escape(_cell(event.last_seen))}</p>
{_thread_html(event.thread, links)}
<h3>The toll line: the latest figure as reported, and who said it</h3>
{_toll_html(event.toll)}
<h3>Figures over time</h3>{charts}
<h3>Who claims what, side by side (latest figure of each kind of claimant)</h3>
{table_html(event.disputes, "disputes")}
{table_html(timeline, "timeline", {"figure": "article_url"})}
<h3>Each claimant's timeline</h3>
{_claimants_html(event.timeline, links)}
<h3>Stories and their copies</h3>
{_copies_html(event.copies, updated, links)}
</section>"""


def _diff_html(diff: WordDiff) -> str:
    parts = []
    for piece in diff.pieces:
        text = escape(piece.text)
        parts.append(
            f"<del>{text}</del>" if piece.op == "deleted"
            else f"<ins>{text}</ins>" if piece.op == "inserted" else text
        )  # fmt: skip
    return "".join(parts)


def versions_html(found: VersionDiff, versions: tuple[Version, ...]) -> str:
    """An article's versions and the word diff of its last change."""
    items = "".join(
        f"<li>version {v.version}, fetched {escape(_cell(v.fetched_at))}: "
        f"{_link(v.url, v.title)}</li>"
        for v in versions
    )
    title = f"<p>title: {_diff_html(found.title)}</p>" if found.title.changed else ""
    return f"""
<section class="article-diff" id="diff-{escape(found.new.article_id)}">
<h3>{escape(found.new.outlet)}: {escape(found.new.title)}</h3>
<ul>{items}</ul>
<p>version {found.old.version} → version {found.new.version}:</p>{title}
<div class="diff">{_diff_html(found.text)}</div>
</section>"""


def _totals_html(totals: dict[str, int], errors_href: str = "") -> str:
    spans = "".join(
        f'<span><a href="{errors_href}">{escape(k)}</a>: <b>{v}</b></span>'
        if k == "errors" and errors_href
        else f"<span>{escape(k)}: <b>{v}</b></span>"
        for k, v in totals.items()
    )
    return f'<p class="totals">{spans}</p>'


def render_report(data: ReportData) -> str:
    """The report file: every (matching) event, then every changed article's diff."""
    updated = {found.new.article_id for found, _ in data.diffs}
    none = "No events match." if data.totals.get("events") else "No events yet."
    events = "".join(event_html(e, updated) for e in data.events) or f"<p>{none}</p>"
    capped = (
        f'<p class="meta">showing {len(data.events)} of {data.n_events} events '
        f"(newest first; `--max-events` shows more)</p>"
        if data.n_events > len(data.events)
        else ""
    )
    diffs = "".join(versions_html(found, versions) for found, versions in data.diffs)
    made = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    body = f"""<h1>wirewatch report</h1>
<p class="meta">written {made}</p>
{_totals_html(data.totals)}
{capped}{events}
<section id="changes"><h2>Articles that changed</h2>
{diffs or "<p>No article has more than one version yet.</p>"}
</section>"""
    return page("wirewatch report", body)


# --- the live page's pages (wirewatch/outputs/web.py serves them) ---

NAV = '<nav class="top"><a href="/">events</a><a href="/feeds">feed health</a></nav>'


def events_page(
    events: Table,
    totals: dict[str, int],
    query: dict[str, str],
    page_number: int,
    n_events: int,
    per_page: int,
) -> str:
    """The events list: newest first, a search box, and pages."""
    index = {c: i for i, c in enumerate(events.columns)}
    rows = "".join(
        f"<tr><td>{_link(WEB_LINKS.event(str(r[index['event_id']])), str(r[index['title']]))}"
        f"</td><td>{escape(_cell(r[index['first_seen']]))}</td>"
        f"<td>{escape(_cell(r[index['last_seen']]))}</td>"
        f'<td class="num">{r[index["n_stories"]]}</td><td class="num">{r[index["n_articles"]]}'
        "</td></tr>"
        for r in events.rows
    )
    table = (
        '<table class="events"><tr><th>event</th><th>first seen</th><th>last seen</th>'
        f"<th>stories</th><th>articles</th></tr>{rows}</table>"
        if rows
        else "<p>No events match.</p>"
    )
    last = max(1, -(-n_events // per_page))
    pager = []
    if page_number > 1:
        pager.append(_link("/?" + urlencode({**query, "page": page_number - 1}), "← newer"))
    if page_number < last:
        pager.append(_link("/?" + urlencode({**query, "page": page_number + 1}), "older →"))
    inputs = "".join(
        f'<label>{escape(label)} <input name="{name}" value="{escape(query.get(name, ""))}"'
        f' placeholder="{escape(hint)}"></label> '
        for name, label, hint in (
            ("q", "search", "words of the title"),
            ("claimant", "claimant", "e.g. BLA"),
            ("outlet", "outlet", "e.g. dawn"),
            ("since", "since", "YYYY-MM-DD"),
        )
    )
    body = f"""<h1>wirewatch: events</h1>
{_totals_html(totals, "/feeds")}
<form class="search" method="get" action="/">{inputs}<button>search</button></form>
<p class="meta">{n_events} {"event" if n_events == 1 else "events"}, newest first · \
page {page_number} of {last}</p>
{table}
<p class="pager">{" ".join(pager)}</p>"""
    return page("wirewatch: events", body, NAV)


def event_page(event: EventView, diffs: set[str]) -> str:
    return page(f"wirewatch: {event.title}", event_html(event, diffs, WEB_LINKS), NAV)


def diff_page(found: VersionDiff | None, versions: tuple[Version, ...]) -> str:
    if found is None:
        only = versions[0]
        body = (
            f"<h1>{escape(only.outlet)}: {escape(only.title)}</h1>"
            f"<p>Only one version stored: {_link(only.url, only.url)}</p>"
        )
    else:
        body = versions_html(found, versions)
    return page("wirewatch: versions", body, NAV)


def health_page(feeds: Table, errors: Table) -> str:
    """The feeds' health, failing ones first, and the newest errors with their reasons."""
    index = {c: i for i, c in enumerate(feeds.columns)}
    failing = [r for r in feeds.rows if (r[index["failures"]] or 0) > 0]
    body = f"""<h1>wirewatch: feed health</h1>
<p class="meta">{len(feeds.rows)} feeds, <span class="failing">{len(failing)} failing</span></p>
<h2>Failing feeds</h2>
{table_html(Table(feeds.columns, failing), "failing") if failing else "<p>No feed is failing.</p>"}
<h2>Every feed</h2>
{table_html(feeds, "feeds")}
<h2>Newest errors, with their reasons</h2>
{table_html(errors, "errors") if errors.rows else "<p>No errors.</p>"}"""
    return page("wirewatch: feed health", body, NAV)


def message_page(title: str, message: str) -> str:
    return page(f"wirewatch: {title}", f"<h1>{escape(title)}</h1><p>{escape(message)}</p>", NAV)
