"""The address policy: which URLs may be fetched, checked before the request and again on the
socket that was actually connected (so DNS rebinding cannot reach a private address)."""

from __future__ import annotations

import ipaddress
import typing
from urllib.parse import urlsplit

import httpcore
import httpx


class BlockedPeer(Exception):
    """The connection reached a non-global address; raised from inside the transport."""

    def __init__(self, address: str) -> None:
        super().__init__(f"connected to non-public address {address}")
        self.address = address


def check_url(url: str) -> str:
    """Return '' when `url` is an http(s) URL httpx can request, else `unsupported_url`
    (other schemes such as javascript: or data:, no host, a port out of range)."""
    try:
        parts = urlsplit(url)
        _ = parts.port  # raises ValueError when out of range or not a number
        httpx.URL(url)
    except (ValueError, httpx.InvalidURL):
        return "unsupported_url"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "unsupported_url"
    return ""


def is_public(address: str) -> bool:
    """A global unicast address (IPv4-mapped IPv6 judged as the IPv4 it maps)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # strip an IPv6 zone id
    mapped = getattr(ip, "ipv4_mapped", None)
    return (mapped or ip).is_global


class _PeerCheckedBackend(httpcore.AsyncNetworkBackend):
    """Wraps httpcore's backend: every new TCP connection's peer must be public."""

    def __init__(self, inner: httpcore.AsyncNetworkBackend) -> None:
        self._inner = inner

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[typing.Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        stream = await self._inner.connect_tcp(host, port, timeout, local_address, socket_options)
        peer = stream.get_extra_info("server_addr")
        if not peer or not is_public(str(peer[0])):
            await stream.aclose()
            raise BlockedPeer(str(peer[0]) if peer else "unknown")
        return stream

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: typing.Iterable[typing.Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise BlockedPeer(path)

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def peer_checked_transport(**kwargs: typing.Any) -> httpx.AsyncHTTPTransport:
    """An httpx transport whose connections are refused unless their peer is public.
    httpx has no public hook for the network backend, so the pool's is wrapped in place."""
    transport = httpx.AsyncHTTPTransport(**kwargs)
    pool = transport._pool
    pool._network_backend = _PeerCheckedBackend(pool._network_backend)
    return transport
