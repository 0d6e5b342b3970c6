"""All network access: client construction, the address policy, redirects, size caps, retries.

Exception-free by design: `fetch` always returns a `Response` whose `outcome`/`reason` say what
happened (timeouts, HTTP errors, oversized bodies, blocked addresses), so callers record a row
instead of handling exceptions. Only programming errors propagate.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import socket
import ssl
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import httpx

from extractors.outcomes import Outcome
from wirewatch.fetch import politeness
from wirewatch.fetch.addresses import BlockedPeer, check_url, is_public, peer_checked_transport
from wirewatch.fetch.decoding import BoundedDecoder, DecodedTooLarge, DecodeError
from wirewatch.settings import Settings

_RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})

#: the reason of a request not started because the cycle's time budget was spent
CYCLE_BUDGET = "cycle_budget"


@dataclass(frozen=True, slots=True)
class Validators:
    etag: str = ""
    last_modified: str = ""

    def headers(self) -> dict[str, str]:
        found = {"If-None-Match": self.etag, "If-Modified-Since": self.last_modified}
        return {k: v for k, v in found.items() if v}


@dataclass(frozen=True, slots=True)
class Response:
    url: str
    final_url: str
    outcome: Outcome
    reason: str
    status: int | None = None
    body: bytes = b""
    content_type: str = ""
    validators: Validators = field(default_factory=Validators)
    duration_ms: float = 0.0
    attempts: int = 1
    retry_after_s: float | None = None  # a 429/503's Retry-After, for the feed's next poll


class _Stop(Exception):
    """Ends one request early with an outcome (internal control flow, never escapes)."""

    def __init__(self, outcome: Outcome, reason: str, status: int | None = None) -> None:
        super().__init__(reason)
        self.outcome, self.reason, self.status = outcome, reason, status


class HostLimiter:
    """At most `per_host` requests in flight to one host and `total` overall."""

    def __init__(self, per_host: int, total: int) -> None:
        self._hosts: defaultdict[str, asyncio.Semaphore] = defaultdict(
            lambda: asyncio.Semaphore(per_host)
        )
        self._total = asyncio.Semaphore(total)

    def slot(self, url: str) -> _Slot:
        return _Slot(self._hosts[urlsplit(url).netloc], self._total)


class _Slot:
    def __init__(self, host: asyncio.Semaphore, total: asyncio.Semaphore) -> None:
        self._host, self._total = host, total

    async def __aenter__(self) -> None:
        await self._host.acquire()
        await self._total.acquire()

    async def __aexit__(self, *exc: object) -> None:
        self._total.release()
        self._host.release()


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """httpx's default TLS context, built once per process: loading the CA bundle costs ~25 ms,
    and a cycle builds a client per batch and step (issue 9: the warm daemon's idle cycle)."""
    return httpx.create_ssl_context()


def build_client(
    settings: Settings, transport: httpx.AsyncBaseTransport | None = None
) -> httpx.AsyncClient:
    timeout = httpx.Timeout(settings.read_timeout_s, connect=settings.connect_timeout_s)
    limits = httpx.Limits(
        max_connections=settings.total_concurrency,
        max_keepalive_connections=settings.total_concurrency,
    )
    if transport is None and not settings.allow_private_addresses:
        transport = peer_checked_transport(limits=limits, trust_env=False)
    return httpx.AsyncClient(
        timeout=timeout,
        limits=limits,
        follow_redirects=False,
        trust_env=False,
        verify=_tls_context(),
        transport=transport,
        headers={"User-Agent": settings.user_agent, "Accept-Encoding": "gzip, deflate"},
    )


async def check_address(url: str, allow_private: bool) -> str:
    """Return '' when the URL may be fetched, else a fixed reason. An early check only: the
    transport checks the peer of the real connection again (see `wirewatch.fetch.addresses`)."""
    unsupported = check_url(url)
    if unsupported or allow_private:
        return unsupported
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(urlsplit(url).hostname, None)
    except (socket.gaierror, UnicodeError):
        return "dns_error"
    if not all(is_public(str(info[4][0])) for info in infos):
        return "private_address"
    return ""


def _retry_after(response: httpx.Response | None) -> float | None:
    """Seconds a Retry-After header asks for (None when absent or unreadable)."""
    header = response.headers.get("retry-after", "") if response is not None else ""
    if header.isascii() and header.isdigit():  # "²".isdigit() is True, float("²") fails
        return float(header)
    if header:  # an HTTP date, or garbage that is ignored
        with contextlib.suppress(TypeError, ValueError, IndexError, OverflowError):
            return max(0.0, parsedate_to_datetime(header).timestamp() - time.time())
    return None


def _retry_delay(response: httpx.Response | None, attempt: int, settings: Settings) -> float:
    asked = _retry_after(response)
    delay = politeness.jittered(settings.retry_backoff_s * (2**attempt), settings)
    return max(0.0, min(delay if asked is None else asked, settings.max_retry_after_s))


async def _read_capped(response: httpx.Response, cap: int) -> bytes:
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > cap:
        raise _Stop(Outcome.TOO_LARGE, "content_length_over_limit", response.status_code)
    status = response.status_code
    if response.is_stream_consumed:  # only a mock transport hands over a body already read
        if len(response.content) > cap:
            raise _Stop(Outcome.TOO_LARGE, "body_over_limit", status)
        return response.content
    try:
        decoder = BoundedDecoder(response.headers.get("content-encoding", ""), cap)
        chunks, size, wire = [], 0, 0
        async for raw in response.aiter_raw():
            wire += len(raw)
            chunk = decoder.feed(raw)
            size += len(chunk)
            if size > cap or wire > cap:
                raise _Stop(Outcome.TOO_LARGE, "body_over_limit", status)
            chunks.append(chunk)
    except DecodeError as exc:
        raise _Stop(Outcome.DECODE_ERROR, exc.reason, status) from None
    except DecodedTooLarge:
        raise _Stop(Outcome.TOO_LARGE, "body_over_limit", status) from None
    return b"".join(chunks)


#: robots.txt for a redirect hop: '' when it may be requested, else a fixed reason
HopCheck = Callable[[str], Awaitable[str]]


async def _follow(
    client: httpx.AsyncClient,
    url: str,
    headers: dict[str, str],
    settings: Settings,
    hop_check: HopCheck | None = None,
) -> tuple[str, httpx.Response, bytes]:
    """GET with redirects followed by hand, so every hop passes the address policy (and
    robots.txt, with `hop_check`)."""
    seen = {url}
    for hop in range(settings.max_redirects + 1):
        blocked = await check_address(url, settings.allow_private_addresses)
        if not blocked and hop and hop_check is not None:
            blocked = await hop_check(url)
        if blocked:
            raise _Stop(Outcome.BLOCKED, blocked)
        async with client.stream("GET", url, headers=headers) as response:
            location = response.headers.get("location", "")
            if response.is_redirect and location:
                try:
                    url = urljoin(url, location)
                except ValueError:  # e.g. a malformed IPv6 literal
                    raise _Stop(Outcome.BLOCKED, "unsupported_url", response.status_code) from None
                if url in seen:
                    raise _Stop(Outcome.HTTP_ERROR, "redirect_loop", response.status_code)
                seen.add(url)
                continue
            if response.status_code in _RETRY_STATUSES:
                return url, response, b""
            body = (
                b""
                if response.status_code == 304
                else await _read_capped(response, settings.max_response_bytes)
            )
            return url, response, body
    raise _Stop(Outcome.HTTP_ERROR, "too_many_redirects")


def _classify(response: httpx.Response) -> tuple[Outcome, str]:
    if response.status_code == 304:
        return Outcome.NOT_MODIFIED, "not_modified"
    if response.status_code >= 400 or response.status_code < 200:
        return Outcome.HTTP_ERROR, f"http_{response.status_code}"
    return Outcome.OK, "ok"


async def _attempt(
    client: httpx.AsyncClient,
    url: str,
    headers: dict[str, str],
    settings: Settings,
    hop_check: HopCheck | None = None,
) -> tuple[Response, httpx.Response | None, bool]:
    """One try. Returns (result, raw response, retryable)."""
    try:
        async with asyncio.timeout(settings.total_timeout_s):
            final_url, raw, body = await _follow(client, url, headers, settings, hop_check)
    except _Stop as stop:
        return Response(url, url, stop.outcome, stop.reason, stop.status), None, False
    except BlockedPeer:
        return Response(url, url, Outcome.BLOCKED, "private_address"), None, False
    except (httpx.InvalidURL, httpx.UnsupportedProtocol):
        return Response(url, url, Outcome.BLOCKED, "unsupported_url"), None, False
    except httpx.DecodingError:
        return Response(url, url, Outcome.DECODE_ERROR, "content_encoding_invalid"), None, False
    except (TimeoutError, httpx.TimeoutException) as exc:
        reason = "connect_timeout" if isinstance(exc, httpx.ConnectTimeout) else "read_timeout"
        return Response(url, url, Outcome.TIMEOUT, reason), None, True
    except httpx.TransportError as exc:
        reason = "connect_error" if isinstance(exc, httpx.ConnectError) else "transport_error"
        return Response(url, url, Outcome.HTTP_ERROR, reason), None, True
    outcome, reason = _classify(raw)
    result = Response(
        url,
        final_url,
        outcome,
        reason,
        raw.status_code,
        body,
        raw.headers.get("content-type", ""),
        Validators(raw.headers.get("etag", ""), raw.headers.get("last-modified", "")),
        retry_after_s=_retry_after(raw) if raw.status_code in (429, 503) else None,
    )
    return result, raw, raw.status_code in _RETRY_STATUSES


async def fetch(
    client: httpx.AsyncClient,
    limiter: HostLimiter,
    url: str,
    settings: Settings,
    validators: Validators | None = None,
    polite: politeness.FeedPoliteness = politeness.DEFAULTS,
    deadline: float | None = None,
) -> Response:
    """GET `url` politely (`polite`: the feed's opt-outs). Never raises for network or HTTP
    trouble: see `Response.outcome`. Past `deadline` (time.monotonic()) when its turn comes, it
    is not sent: reason `cycle_budget`."""
    headers = validators.headers() if validators else {}
    started = time.perf_counter()

    async def get_robots(robots_url: str) -> tuple[int | None, bytes]:
        found, _, _ = await _attempt(client, robots_url, {}, settings)
        return found.status, found.body

    async def hop_check(hop_url: str) -> str:
        return await politeness.allowed(hop_url, get_robots, settings, polite)

    for attempt in range(settings.retries + 1):
        async with limiter.slot(url):
            if deadline is not None and time.monotonic() > deadline:
                return Response(url, url, Outcome.BLOCKED, CYCLE_BUDGET)
            refusal = await politeness.admit(url, get_robots, settings, polite)
            if refusal:
                return Response(url, url, Outcome.BLOCKED, refusal)
            result, raw, retryable = await _attempt(client, url, headers, settings, hop_check)
        if not retryable or attempt == settings.retries:
            break
        await asyncio.sleep(_retry_delay(raw, attempt, settings))
    elapsed = (time.perf_counter() - started) * 1000
    return replace(result, duration_ms=elapsed, attempts=attempt + 1)
