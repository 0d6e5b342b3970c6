"""HTML pages with real page chrome, and RSS 2.0 / Atom feeds, for the sample outlets."""

from __future__ import annotations

import json
from datetime import datetime
from email.utils import format_datetime
from html import escape

from wirewatch.sample_site.newsroom import TICKER, Outlet, Story


def story_path(story: Story) -> str:
    return f"/{story.outlet}/news/{story.slug}.html"


def _ld_json(story: Story, outlet: Outlet, url: str) -> str:
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": story.title,
        "datePublished": story.published.isoformat(),
        "dateModified": (story.updated or story.published).isoformat(),
        "author": {"@type": "Person", "name": story.author},
        "publisher": {"@type": "Organization", "name": outlet.name},
        "mainEntityOfPage": url,
    }
    return json.dumps(data, ensure_ascii=False)


def _chrome_top(outlet: Outlet) -> str:
    nav = "".join(
        f'<li><a href="/{outlet.slug}/{s.lower()}/">{s}</a></li>'
        for s in ("India", "World", "Business", "Sports", "Opinion", "Videos")
    )
    ticker = " | ".join(escape(h) for h in TICKER)
    return (
        f'<header class="site-header"><a class="logo" href="/{outlet.slug}/">'
        f"{escape(outlet.name)}</a><nav><ul>{nav}</ul></nav>"
        '<div class="social">Follow us: facebook twitter instagram youtube</div>'
        f'<div class="ticker"><span>Trending:</span> {ticker}</div></header>'
    )


def _chrome_bottom(outlet: Outlet, related: list[Story]) -> str:
    links = "".join(f'<li><a href="{story_path(s)}">{escape(s.title)}</a></li>' for s in related)
    return (
        f'<aside class="related"><h3>Related stories</h3><ul>{links}</ul></aside>'
        '<section id="comments" class="comments"><h3>2 Comments</h3>'
        '<div class="comment"><span class="user">reader42</span><p>Who verifies these numbers? '
        "Every side says something different.</p></div>"
        '<div class="comment"><span class="user">k_shah</span><p>Praying for the families.</p>'
        "</div></section>"
        '<div class="newsletter">Subscribe to our newsletter for the morning briefing.</div>'
        f"<footer><p>© 2026 {escape(outlet.name)}. All rights reserved.</p>"
        '<ul><li><a href="/about">About us</a></li><li><a href="/privacy">Privacy</a></li>'
        '<li><a href="/contact">Contact</a></li></ul></footer>'
    )


def article_page(story: Story, outlet: Outlet, base_url: str, related: list[Story]) -> bytes:
    url = base_url + story_path(story)
    published = story.published.isoformat()
    modified = (story.updated or story.published).isoformat()
    body = "".join(f"<p>{escape(p)}</p>" for p in story.paragraphs)
    html = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{escape(story.title)} | {escape(outlet.name)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="author" content="{escape(story.author)}">
<meta property="og:type" content="article">
<meta property="og:title" content="{escape(story.title)}">
<meta property="og:site_name" content="{escape(outlet.name)}">
<meta property="og:url" content="{url}">
<meta property="article:published_time" content="{published}">
<meta property="article:modified_time" content="{modified}">
<link rel="canonical" href="{url}">
<script type="application/ld+json">{_ld_json(story, outlet, url)}</script>
<script>window.dataLayer=window.dataLayer||[];function gtag(){{dataLayer.push(arguments)}}</script>
<style>body{{font-family:serif}} .ticker{{overflow:hidden}}</style>
</head><body>
{_chrome_top(outlet)}
<main><article class="story">
<h1 class="headline">{escape(story.title)}</h1>
<div class="byline">By <span class="author">{escape(story.author)}</span> |
<time datetime="{published}">{story.published:%b %d, %Y %H:%M} UTC</time></div>
<div class="share">Share on facebook | twitter | whatsapp</div>
<div class="article-body">{body}</div>
</article>
{_chrome_bottom(outlet, related)}
</main></body></html>"""
    return html.encode("utf-8")


def _rss(outlet: Outlet, base_url: str, items: list[Story]) -> str:
    entries = "".join(
        f"<item><title>{escape(s.title)}</title>"
        f"<link>{base_url}{story_path(s)}?utm_source=rss&amp;utm_medium=feed</link>"
        f'<guid isPermaLink="false">{outlet.slug}:{s.slug}</guid>'
        f"<pubDate>{format_datetime(s.published)}</pubDate>"
        f"<description>{escape(s.paragraphs[0][:200])}</description></item>"
        for s in items
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{escape(outlet.name)}</title><link>{base_url}/{outlet.slug}/</link>"
        f"<description>Latest news from {escape(outlet.name)}</description>"
        f"{entries}</channel></rss>"
    )


def _atom(outlet: Outlet, base_url: str, items: list[Story]) -> str:
    newest = max(((s.updated or s.published) for s in items), default=None)
    entries = "".join(
        f"<entry><title>{escape(s.title)}</title>"
        f'<link rel="alternate" href="{base_url}{story_path(s)}#top"/>'
        f"<id>tag:{outlet.slug},2026:{s.slug}</id>"
        f"<published>{s.published.isoformat()}</published>"
        f"<updated>{(s.updated or s.published).isoformat()}</updated>"
        f"<author><name>{escape(s.author)}</name></author>"
        f"<summary>{escape(s.paragraphs[0][:200])}</summary></entry>"
        for s in items
    )
    updated = f"<updated>{newest.isoformat()}</updated>" if newest else ""
    return (
        f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>{escape(outlet.name)}</title><id>tag:{outlet.slug},2026:feed</id>"
        f'<link rel="alternate" href="{base_url}/{outlet.slug}/"/>{updated}{entries}</feed>'
    )


def feed_document(outlet: Outlet, base_url: str, items: list[Story]) -> bytes:
    render = _atom if outlet.feed_format == "atom" else _rss
    return render(outlet, base_url, items).encode("utf-8")


def feed_path(outlet: Outlet) -> str:
    return f"/{outlet.slug}/{'atom.xml' if outlet.feed_format == 'atom' else 'rss.xml'}"


def http_date(stamp: datetime) -> str:
    return format_datetime(stamp, usegmt=True)
