"""fetch(): every kind of HTTP trouble becomes an outcome and a fixed reason (MockTransport)."""

import asyncio
from pathlib import Path

import httpx
import pytest

from extractors.outcomes import Outcome
from tests.conftest import make_settings
from wirewatch.fetch.net import HostLimiter, Validators, build_client, fetch


def _fetch(handler, url="http://site.test/feed", validators=None, **overrides):
    settings = make_settings(Path("/nonexistent"), **overrides)

    async def go():
        async with build_client(settings, httpx.MockTransport(handler)) as client:
            return await fetch(client, HostLimiter(2, 4), url, settings, validators)

    return asyncio.run(go())


def test_ok_body_type_and_validators_are_returned():
    def handler(request):
        return httpx.Response(
            200, content=b"<rss/>", headers={"ETag": '"v1"', "Content-Type": "application/rss+xml"}
        )

    result = _fetch(handler)
    assert (result.outcome, result.reason, result.status) == (Outcome.OK, "ok", 200)
    assert result.body == b"<rss/>"
    assert result.validators == Validators('"v1"', "")


def test_conditional_headers_are_sent_and_304_is_not_modified():
    seen = {}

    def handler(request):
        seen.update(request.headers)
        return httpx.Response(304)

    result = _fetch(handler, validators=Validators('"v1"', "Sun, 01 Feb 2026 07:20:00 GMT"))
    assert result.outcome is Outcome.NOT_MODIFIED
    assert seen["if-none-match"] == '"v1"'
    assert seen["if-modified-since"] == "Sun, 01 Feb 2026 07:20:00 GMT"
    assert seen["user-agent"].startswith("wirewatch/")


def test_404_is_an_http_error_and_not_retried():
    calls = []

    def handler(request):
        calls.append(1)
        return httpx.Response(404)

    result = _fetch(handler, retries=2)
    assert (result.outcome, result.reason) == (Outcome.HTTP_ERROR, "http_404")
    assert len(calls) == 1


def test_429_is_retried_after_the_servers_retry_after():
    answers = iter([httpx.Response(429, headers={"Retry-After": "0"}), httpx.Response(200)])
    result = _fetch(lambda request: next(answers), retries=2)
    assert (result.outcome, result.attempts) == (Outcome.OK, 2)


def test_5xx_is_retried_then_reported():
    calls = []

    def handler(request):
        calls.append(1)
        return httpx.Response(503)

    result = _fetch(handler, retries=2)
    assert (result.outcome, result.reason, result.attempts) == (Outcome.HTTP_ERROR, "http_503", 3)
    assert len(calls) == 3


def test_redirects_are_followed_and_the_final_url_kept():
    def handler(request):
        if request.url.path == "/old":
            return httpx.Response(301, headers={"Location": "/new"})
        return httpx.Response(200, content=b"x")

    result = _fetch(handler, url="http://site.test/old")
    assert result.outcome is Outcome.OK
    assert result.final_url == "http://site.test/new"


def test_redirect_loop_and_too_many_redirects():
    loop = _fetch(
        lambda r: httpx.Response(302, headers={"Location": "/a" if r.url.path == "/b" else "/b"}),
        url="http://site.test/a",
    )
    assert (loop.outcome, loop.reason) == (Outcome.HTTP_ERROR, "redirect_loop")

    def endless(request):
        return httpx.Response(302, headers={"Location": request.url.path + "x"})

    chain = _fetch(endless, url="http://site.test/a", max_redirects=3)
    assert (chain.outcome, chain.reason) == (Outcome.HTTP_ERROR, "too_many_redirects")


async def _chunks(*parts):  # a body without Content-Length
    for part in parts:
        yield part


@pytest.mark.parametrize("declared", [True, False])
def test_bodies_over_the_cap_are_too_large(declared):
    body = b"x" * 5000

    def handler(request):
        if declared:
            return httpx.Response(200, content=body)
        return httpx.Response(200, content=_chunks(body[:2500], body[2500:]))

    result = _fetch(handler, max_response_bytes=4000)
    assert result.outcome is Outcome.TOO_LARGE
    assert result.reason == ("content_length_over_limit" if declared else "body_over_limit")


def test_timeouts_and_connection_errors_are_outcomes_not_exceptions():
    def slow(request):
        raise httpx.ReadTimeout("slow", request=request)

    def refused(request):
        raise httpx.ConnectError("refused", request=request)

    assert _fetch(slow).reason == "read_timeout"
    assert _fetch(slow).outcome is Outcome.TIMEOUT
    assert (_fetch(refused).outcome, _fetch(refused).reason) == (
        Outcome.HTTP_ERROR,
        "connect_error",
    )


@pytest.mark.parametrize("url", ["http://127.0.0.1/x", "http://10.1.2.3/x", "http://[::1]/x"])
def test_private_addresses_are_blocked_unless_allowed(url):
    result = _fetch(lambda r: httpx.Response(200), url=url, allow_private_addresses=False)
    assert (result.outcome, result.reason) == (Outcome.BLOCKED, "private_address")


def test_a_redirect_to_a_private_address_is_blocked():
    def handler(request):
        return httpx.Response(302, headers={"Location": "http://127.0.0.1/admin"})

    result = _fetch(handler, url="http://93.184.215.14/a", allow_private_addresses=False)
    assert (result.outcome, result.reason) == (Outcome.BLOCKED, "private_address")


def test_non_http_schemes_are_blocked():
    result = _fetch(lambda r: httpx.Response(200), url="file:///etc/passwd")
    assert (result.outcome, result.reason) == (Outcome.BLOCKED, "unsupported_url")
