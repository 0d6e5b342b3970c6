"""fetch() against hostile servers on loopback: bounded memory for nested encodings, bodies that
lie about their encoding, unusable redirect targets and Retry-After values, and the address
policy checked on the connection itself (DNS rebinding)."""

import asyncio
import gzip
import tracemalloc
from pathlib import Path

import httpx
import pytest

from extractors.outcomes import Outcome
from tests.conftest import make_settings
from tests.hostile import HostileServer, nested_gzip_bomb
from wirewatch.fetch import net
from wirewatch.fetch.decoding import BoundedDecoder, DecodedTooLarge, DecodeError
from wirewatch.fetch.net import HostLimiter, build_client, fetch

CAP = 1_000_000


def _fetch(url, transport=None, **overrides):
    settings = make_settings(Path("/nonexistent"), max_response_bytes=CAP, **overrides)

    async def go():
        async with build_client(settings, transport) as client:
            return await fetch(client, HostLimiter(2, 4), url, settings)

    return asyncio.run(go())


@pytest.fixture(scope="module")
def server():
    nested_gzip_bomb()
    with HostileServer() as running:
        yield running


def test_nested_gzip_bomb_is_too_large_and_memory_stays_under_the_cap_plus_a_margin(server):
    tracemalloc.start()
    try:
        result = _fetch(f"{server.base_url}/gzip-gzip/rss.xml")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert (result.outcome, result.reason) == (Outcome.TOO_LARGE, "body_over_limit")
    # each of the two layers may hold up to the cap; 1 GiB was inside
    assert peak < 2 * CAP + 4_000_000, f"peak {peak} bytes"


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/gzip-lie/rss.xml", (Outcome.DECODE_ERROR, "content_encoding_invalid")),
        ("/js-redirect/rss.xml", (Outcome.BLOCKED, "unsupported_url")),
        ("/data-redirect/rss.xml", (Outcome.BLOCKED, "unsupported_url")),
        ("/port-redirect/rss.xml", (Outcome.BLOCKED, "unsupported_url")),
        ("/retry-after/rss.xml", (Outcome.HTTP_ERROR, "http_503")),
    ],
)
def test_each_hostile_answer_is_an_outcome_not_an_exception(server, path, expected):
    result = _fetch(f"{server.base_url}{path}", retries=1)
    assert (result.outcome, result.reason) == expected


def test_a_link_with_a_port_out_of_range_is_unsupported():
    result = _fetch("http://127.0.0.1:99999/x")
    assert (result.outcome, result.reason) == (Outcome.BLOCKED, "unsupported_url")


def test_a_retry_after_in_non_ascii_digits_is_ignored():
    response = httpx.Response(503, headers={"Retry-After": "²".encode()})
    settings = make_settings(Path("/nonexistent"), retry_backoff_s=0.5, retry_jitter=0)
    assert net._retry_delay(response, 0, settings) == 0.5


def test_dns_rebinding_is_caught_on_the_connection(server, monkeypatch):
    """The early DNS check is told the host is public (as a rebinding resolver would answer
    first); the connection still lands on 127.0.0.1 and is refused before any request."""

    async def says_public(url, allow_private):
        return ""

    monkeypatch.setattr(net, "check_address", says_public)
    before = len(server.seen)
    result = _fetch(f"{server.base_url}/ok/rss.xml", allow_private_addresses=False)
    assert (result.outcome, result.reason) == (Outcome.BLOCKED, "private_address")
    assert len(server.seen) == before  # not one byte of the request was sent


def test_each_decoding_layer_is_bounded():
    decoder = BoundedDecoder("gzip, gzip", limit=10_000)
    with pytest.raises(DecodedTooLarge):
        decoder.feed(gzip.compress(gzip.compress(bytes(1_000_000))))
    assert BoundedDecoder("gzip", 100).feed(gzip.compress(b"hello")) == b"hello"


@pytest.mark.parametrize(
    ("encoding", "reason"),
    [
        ("br", "content_encoding_unsupported"),
        ("gzip, gzip, gzip, gzip", "content_encoding_too_deep"),
    ],
)
def test_unknown_or_stacked_encodings_are_decode_errors(encoding, reason):
    with pytest.raises(DecodeError) as caught:
        BoundedDecoder(encoding, 100)
    assert caught.value.reason == reason
