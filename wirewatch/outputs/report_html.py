"""The report as one HTML page: inline CSS, inline SVG charts, no scripts, nothing fetched.

Every value is escaped; links go to the sources' own URLs and to anchors within the page.
"""

from __future__ import annotations

from datetime import UTC, datetime
from html import escape
from typing import Any

from extractors.worddiff import WordDiff
from storage.browse import Version
from storage.summary import Table
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


def _copies_html(copies: Table, updated: set[str]) -> str:
    index = {c: i for i, c in enumerate(copies.columns)}
    rows = []
    for row in copies.rows:
        article_id, versions = str(row[index["article_id"]]), row[index["versions"]]
        changes = (
            f' · <a href="#diff-{escape(article_id)}">diff</a>' if article_id in updated else ""
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


def _event_html(event: EventView, updated: set[str]) -> str:
    charts = "".join(
        f'<figure class="chart" data-metric="{escape(metric)}">{svg}'
        f"<figcaption>{escape(metric)}: one line per claimant; open markers are hedged "
        f"figures (at least, more than, about)</figcaption></figure>"
        for metric, svg in event.charts
    )
    return f"""
<section class="event" id="event-{escape(event.event_id)}">
<h2>{escape(event.title)}</h2>
<p class="meta">event {escape(event.event_id)} · {escape(_cell(event.first_seen))} to
{escape(_cell(event.last_seen))}</p>
<h3>Who claims what, side by side (latest figure of each kind of claimant)</h3>
{table_html(event.disputes, "disputes")}
<h3>Figures over time</h3>{charts}
{table_html(event.timeline, "timeline", {"figure": "article_url"})}
<h3>Stories and their copies</h3>
{_copies_html(event.copies, updated)}
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


def _versions_html(found: VersionDiff, versions: tuple[Version, ...]) -> str:
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


def render_report(data: ReportData) -> str:
    updated = {found.new.article_id for found, _ in data.diffs}
    totals = "".join(f"<span>{escape(k)}: <b>{v}</b></span>" for k, v in data.totals.items())
    events = "".join(_event_html(e, updated) for e in data.events) or "<p>No events yet.</p>"
    diffs = "".join(_versions_html(found, versions) for found, versions in data.diffs)
    made = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>wirewatch report</title><style>{CSS}</style></head>
<body>
<h1>wirewatch report</h1>
<p class="meta">written {made}</p>
<p class="totals">{totals}</p>
{events}
<section id="changes"><h2>Articles that changed</h2>
{diffs or "<p>No article has more than one version yet.</p>"}
</section>
</body></html>
"""
