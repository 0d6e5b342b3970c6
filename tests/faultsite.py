"""A loopback site where every feed and page misbehaves in one documented way."""

from __future__ import annotations

import hashlib

from wirewatch.sample_site.server import Reply, Request

PAGE = (
    "<html lang='en'><head><title>Good page</title></head><body><article><h1>Good page</h1>"
    + "<p>Officials said 33 people were killed in the attack on Saturday, police said.</p>" * 8
    + "</article></body></html>"
).encode()
HUGE = b"<html><body>" + b"<p>padding</p>" * 40_000 + b"</body></html>"

#: page path -> (expected fetch outcome, reason)
PAGES = {
    "/pages/good.html": ("ok", "ok"),
    "/pages/missing.html": ("http_error", "http_404"),
    "/pages/error.html": ("http_error", "http_500"),
    "/pages/slow.html": ("timeout", "read_timeout"),
    "/pages/huge.html": ("too_large", "content_length_over_limit"),
    "/pages/loop.html": ("http_error", "redirect_loop"),
    "/pages/image.png": ("not_html", "not_html"),
}

#: feed path -> (expected poll outcome, reason) on the first poll
FEEDS = {
    "/ok/rss.xml": ("ok", "ok"),
    "/etag/rss.xml": ("ok", "ok"),
    "/broken/rss.xml": ("parse_error", "malformed_xml"),
    "/missing/rss.xml": ("http_error", "http_404"),
    "/error/rss.xml": ("http_error", "http_500"),
    "/slow/rss.xml": ("timeout", "read_timeout"),
    "/huge/rss.xml": ("too_large", "content_length_over_limit"),
    "/loop/rss.xml": ("http_error", "redirect_loop"),
    "/html/rss.xml": ("parse_error", "not_a_feed"),
}


def rss(base_url: str, paths: list[str]) -> bytes:
    items = "".join(
        f"<item><title>{p}</title><link>{base_url}{p}</link>"
        f"<pubDate>Sun, 01 Feb 2026 07:20:00 +0000</pubDate></item>"
        for p in paths
    )
    head = '<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>'
    return f"{head}{items}</channel></rss>".encode()


class FaultSite:
    def __init__(self, base_url: str, slow_s: float = 3.0) -> None:
        self.base_url, self.slow_s = base_url, slow_s

    def feeds_yaml(self) -> str:
        lines = [f"- url: {self.base_url}{path}\n  name: {path.split('/')[1]}" for path in FEEDS]
        return "feeds:\n" + "\n".join(lines) + "\n"

    def __call__(self, request: Request) -> Reply:
        path = request.path
        xml = {"Content-Type": "application/rss+xml"}
        if path == "/ok/rss.xml":
            return Reply(200, rss(self.base_url, list(PAGES)), xml)
        if path == "/etag/rss.xml":
            body = rss(self.base_url, ["/pages/good.html"])
            etag = '"' + hashlib.sha1(body).hexdigest()[:8] + '"'
            if request.headers.get("if-none-match") == etag:
                return Reply(304, b"", {"ETag": etag})
            return Reply(200, body, {**xml, "ETag": etag})
        if path == "/broken/rss.xml":
            return Reply(
                200, b"<?xml version='1.0'?><rss version='2.0'><channel><item><title>x", xml
            )
        if path == "/html/rss.xml":
            return Reply(200, PAGE, {"Content-Type": "text/html"})
        if path in ("/pages/good.html",):
            return Reply(200, PAGE, {"Content-Type": "text/html; charset=utf-8"})
        if path.startswith("/error/") or path == "/pages/error.html":
            return Reply(500, b"oops")
        if path.startswith("/slow/") or path == "/pages/slow.html":
            return Reply(200, PAGE, {"Content-Type": "text/html"}, delay_s=self.slow_s)
        if path.startswith("/huge/") or path == "/pages/huge.html":
            return Reply(200, HUGE, {"Content-Type": "text/html"})
        if path.startswith(("/loop/", "/pages/loop.html")):
            target = path + ".again" if not path.endswith(".again") else path[: -len(".again")]
            return Reply(302, b"", {"Location": target})
        if path == "/pages/image.png":
            return Reply(200, b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, {"Content-Type": "image/png"})
        return Reply(404, b"not here", {"Content-Type": "text/html"})
