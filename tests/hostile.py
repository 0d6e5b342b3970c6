"""A loopback server that misbehaves on purpose, at the byte level (what `SiteServer` cannot:
lying encodings, bombs, endless chunked bodies, slowloris, silence, huge headers).

Every path is one documented case; `FEEDS` and `PAGES` say what the run must record for it.
"""

from __future__ import annotations

import gzip
import socket
import threading
import zlib
from collections.abc import Callable, Iterable
from functools import cache

from tests.faultsite import PAGE

GIB = 1 << 30

#: feed path -> (poll outcome, reason)
FEEDS = {
    "/ok/rss.xml": ("ok", "ok"),
    "/js-redirect/rss.xml": ("blocked", "unsupported_url"),
    "/data-redirect/rss.xml": ("blocked", "unsupported_url"),
    "/port-redirect/rss.xml": ("blocked", "unsupported_url"),
    "/retry-after/rss.xml": ("http_error", "http_503"),
    "/dates/rss.xml": ("ok", "ok"),
    "/gzip-lie/rss.xml": ("decode_error", "content_encoding_invalid"),
    "/gzip-gzip/rss.xml": ("too_large", "body_over_limit"),
    "/gzip-bomb/rss.xml": ("too_large", "body_over_limit"),
    "/deflate-bomb/rss.xml": ("too_large", "body_over_limit"),
    "/chunked-forever/rss.xml": ("too_large", "body_over_limit"),
    "/slowloris/rss.xml": ("timeout", "read_timeout"),
    "/silent/rss.xml": ("timeout", "read_timeout"),
    "/huge-headers/rss.xml": ("http_error", "transport_error"),
    "/hops/rss.xml": ("http_error", "too_many_redirects"),
    "/laughs/rss.xml": ("ok", "ok"),  # feedparser does not expand the entities
    "/xxe/rss.xml": ("ok", "ok"),
    "/latin1/rss.xml": ("ok", "ok"),
    "/skips/rss.xml": ("ok", "ok"),
    "/enormous/rss.xml": ("ok", "ok"),
}

#: page path (as the entry links it) -> (fetch outcome, reason)
PAGES = {
    "/pages/good.html": ("ok", "ok"),
    "/pages/js-redirect.html": ("blocked", "unsupported_url"),
    "/pages/gzip-lie.html": ("decode_error", "content_encoding_invalid"),
    "/pages/gzip-gzip.html": ("too_large", "body_over_limit"),
    "/pages/retry-after.html": ("http_error", "http_503"),
    "/pages/relative.html": ("ok", "ok"),
    "/pages/dated.html": ("ok", "ok"),
    "/pages/latin1.html": ("ok", "ok"),
    "/pages/enormous.html": ("ok", "ok"),  # claims_budget records what was not read
}
#: pages linked from their own feed, not from /ok/rss.xml
OWN_FEED_PAGES = (
    "/pages/relative.html",
    "/pages/dated.html",
    "/pages/latin1.html",
    "/pages/enormous.html",
)
#: an entry link with a port out of range: its fetch row has the link as written
BAD_PORT_LINK = "http://127.0.0.1:99999/x"


def _item(link: str, title: str = "t", extra: str = "") -> str:
    return f"<item><title>{title}</title><link>{link}</link>{extra}</item>"


def _rss(items: str, prolog: str = "") -> bytes:
    head = f'<?xml version="1.0" encoding="utf-8"?>{prolog}<rss version="2.0"><channel>'
    return f"{head}<title>T</title>{items}</channel></rss>".encode()


@cache
def nested_gzip_bomb() -> bytes:
    """`Content-Encoding: gzip, gzip`: about 5 KB on the wire, 1 GiB after both layers."""
    return gzip.compress(gzip_bomb(), 9)


@cache
def gzip_bomb() -> bytes:
    """One gzip layer, 1 GiB of zeros inside (about 1 MB on the wire)."""
    z = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    zeros = bytes(1 << 20)
    return b"".join([z.compress(zeros) for _ in range(GIB >> 20)] + [z.flush()])


@cache
def deflate_bomb() -> bytes:
    z = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS)
    zeros = bytes(1 << 20)
    return b"".join([z.compress(zeros) for _ in range(256)] + [z.flush()])  # 256 MiB inside


#: entries in the `/many/rss.xml` feed (slow tests only: feedparser needs about a minute)
MANY = 100_000


@cache
def many_entries_feed() -> bytes:
    """100,000 entries (about 4 MB): one relative link, repeated, so the run fetches one page
    and counts the other 99,999 entries as `duplicate_key`."""
    return _rss(_item("/pages/good.html") * MANY)


@cache
def enormous_sentence_page() -> bytes:
    """About 1.1 MB of HTML whose text is one sentence, with a figure near its start."""
    clause = "and the crowd near the old market waited for news of the others "
    words = clause * (1_100_000 // len(clause))
    text = f"Officials said 12 people were killed in the blast {words}through the night."
    return (
        "<html><head><title>Enormous sentence</title></head><body><article>"
        f"<h1>Enormous sentence</h1><p>{text}</p></article></body></html>"
    ).encode()


class HostileServer:
    """Serve the cases on 127.0.0.1; each connection gets its own thread."""

    def __init__(self) -> None:
        self._sock = socket.create_server(("127.0.0.1", 0))
        self.base_url = f"http://127.0.0.1:{self._sock.getsockname()[1]}"
        self.stopping = threading.Event()
        self.seen: list[str] = []
        self._routes: dict[str, Callable[[socket.socket], None]] = self._build_routes()

    def feeds_yaml(self, paths: Iterable[str] = FEEDS) -> str:
        lines = [f"- url: {self.base_url}{path}\n  name: {path.split('/')[1]}" for path in paths]
        return "feeds:\n" + "\n".join(lines) + "\n"

    def __enter__(self) -> HostileServer:
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        self._sock.close()

    def _accept(self) -> None:
        while not self.stopping.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        with conn:
            try:
                head = b""
                while b"\r\n\r\n" not in head and len(head) < 65536:
                    data = conn.recv(4096)
                    if not data:
                        return
                    head += data
                path = head.split(b" ", 2)[1].decode()
                self.seen.append(path)
                self._routes.get(path, self._not_found)(conn)
            except OSError:
                pass  # the client gave up (a timeout or a cap): expected here

    def _send(
        self, conn: socket.socket, status: int, headers: dict[str, str], body: bytes = b""
    ) -> None:
        lines = [f"HTTP/1.1 {status} X", f"Content-Length: {len(body)}", "Connection: close"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        conn.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)

    def _not_found(self, conn: socket.socket) -> None:
        self._send(conn, 404, {"Content-Type": "text/plain"}, b"no")

    def _build_routes(self) -> dict[str, Callable[[socket.socket], None]]:
        b, xml, html = (
            self.base_url,
            {"Content-Type": "application/rss+xml"},
            {"Content-Type": "text/html"},
        )

        def reply(
            status: int, headers: dict[str, str], body: bytes = b""
        ) -> Callable[[socket.socket], None]:
            return lambda conn: self._send(conn, status, headers, body)

        return {
            "/ok/rss.xml": reply(200, xml, self._ok_feed()),
            "/js-redirect/rss.xml": reply(302, {"Location": "javascript:alert(1)"}),
            "/data-redirect/rss.xml": reply(302, {"Location": "data:text/html,<b>hi</b>"}),
            "/port-redirect/rss.xml": reply(302, {"Location": "http://127.0.0.1:99999/x"}),
            "/retry-after/rss.xml": reply(
                503, {"Retry-After": "\u00b2".encode().decode("latin-1")}
            ),
            "/dates/rss.xml": reply(200, xml, self._dates_feed()),
            "/gzip-lie/rss.xml": reply(200, {**xml, "Content-Encoding": "gzip"}, self._ok_feed()),
            "/gzip-gzip/rss.xml": lambda c: self._send(
                c, 200, {**xml, "Content-Encoding": "gzip, gzip"}, nested_gzip_bomb()
            ),
            "/gzip-bomb/rss.xml": lambda c: self._send(
                c, 200, {**xml, "Content-Encoding": "gzip"}, gzip_bomb()
            ),
            "/deflate-bomb/rss.xml": lambda c: self._send(
                c, 200, {**xml, "Content-Encoding": "deflate"}, deflate_bomb()
            ),
            "/chunked-forever/rss.xml": self._chunked_forever,
            "/slowloris/rss.xml": self._slowloris,
            "/silent/rss.xml": lambda c: self.stopping.wait(30),
            "/huge-headers/rss.xml": self._huge_headers,
            "/hops/rss.xml": reply(302, {"Location": f"{b}/hops/1"}),
            **{
                f"/hops/{i}": reply(302, {"Location": f"{b}/hops/{i + 1}"})
                for i in range(1, 10_000)
            },
            "/laughs/rss.xml": reply(200, xml, self._laughs()),
            "/xxe/rss.xml": reply(200, xml, self._xxe()),
            "/latin1/rss.xml": reply(
                200, {"Content-Type": "application/rss+xml; charset=utf-8"}, self._latin1_feed()
            ),
            "/skips/rss.xml": reply(200, xml, self._skips_feed()),
            "/enormous/rss.xml": reply(
                200, xml, _rss(_item(f"{b}/pages/enormous.html", "one sentence"))
            ),
            "/pages/enormous.html": reply(200, html, enormous_sentence_page()),
            "/many/rss.xml": lambda c: self._send(c, 200, xml, many_entries_feed()),
            "/pages/good.html": reply(200, html, PAGE),
            "/pages/relative.html": reply(200, html, PAGE.replace(b"Good page", b"Relative page")),
            "/pages/dated.html": reply(200, html, PAGE.replace(b"Good page", b"Dated page")),
            "/pages/latin1.html": reply(  # says UTF-8, is Latin-1
                200,
                {"Content-Type": "text/html; charset=utf-8"},
                PAGE.replace(b"Good page", b"Latin page").replace(
                    b"Saturday", "Saturday in Montr\u00e9al".encode("latin-1")
                ),
            ),
            "/pages/js-redirect.html": reply(302, {"Location": "javascript:alert(1)"}),
            "/pages/gzip-lie.html": reply(200, {**html, "Content-Encoding": "gzip"}, PAGE),
            "/pages/gzip-gzip.html": lambda c: self._send(
                c, 200, {**html, "Content-Encoding": "gzip, gzip"}, nested_gzip_bomb()
            ),
            "/pages/retry-after.html": reply(
                503, {"Retry-After": "\u00b2".encode().decode("latin-1")}
            ),
        }

    def _ok_feed(self) -> bytes:
        links = [self.base_url + p for p in PAGES if p not in OWN_FEED_PAGES]
        return _rss("".join(_item(link) for link in [*links, BAD_PORT_LINK]))

    def _dates_feed(self) -> bytes:
        late = "<pubDate>Fri, 31 Dec 9999 23:59:59 -1200</pubDate>"
        early = "<atom:updated xmlns:atom='http://www.w3.org/2005/Atom'>0001-01-01T00:00:00+14:00</atom:updated>"
        return _rss(_item(f"{self.base_url}/pages/dated.html", "late", late + early))

    def _latin1_feed(self) -> bytes:
        # says UTF-8 (header and prolog) but is Latin-1
        text = _rss(_item(f"{self.base_url}/pages/latin1.html", "Caf\u00e9 \u00e0 Montr\u00e9al"))
        return text.decode().encode("latin-1")

    def _skips_feed(self) -> bytes:
        items = [
            _item("/pages/relative.html", "relative"),  # resolved against the feed's URL
            "<item><title>no link</title></item>",
            _item("mailto:someone@example.com", "mail"),
            _item("javascript:alert(1)", "script"),
            _item(f"{self.base_url}/pages/good.html", "twice"),
            _item(f"{self.base_url}/pages/good.html", "twice"),
        ]
        return _rss("".join(items))

    def _laughs(self) -> bytes:
        entities = '<!ENTITY lol "lol">' + "".join(
            f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
            for i in range(1, 10)
        )
        doctype = f"<!DOCTYPE rss [{entities}]>"
        return _rss(_item(f"{self.base_url}/pages/good.html", "&lol9;"), doctype)

    def _xxe(self) -> bytes:
        doctype = '<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        return _rss(_item(f"{self.base_url}/pages/good.html", "&xxe;"), doctype)

    def _chunked_forever(self, conn: socket.socket) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
        chunk = b"%x\r\n%s\r\n" % (65536, b"<" * 65536)
        while not self.stopping.is_set():
            conn.sendall(chunk)

    def _slowloris(self, conn: socket.socket) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\n")
        while not self.stopping.wait(0.2):
            conn.sendall(b"X-Drip: 1\r\n")

    def _huge_headers(self, conn: socket.socket) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\n")
        line = b"X-Filler: " + b"a" * 1000 + b"\r\n"
        for _ in range(2000):  # 2 MB of headers
            conn.sendall(line)
        conn.sendall(b"Content-Length: 0\r\n\r\n")
