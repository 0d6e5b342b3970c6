"""The live page under a running `wirewatch serve`, in a real headless Chromium: the demo event
with its side-by-side table, chart and a diff; the next cycle's figure shows without a restart;
no console errors; nothing requested from anywhere but the page's own 127.0.0.1 port."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys

import httpx
import pytest

from wirewatch.sample_site.newsroom import LAST_STEP

from .browser import chromium_path, load_page
from .processes import wait_for

pytestmark = pytest.mark.integration

PAGE_CHECK = """({
  title: document.querySelector('h2') && document.querySelector('h2').textContent,
  sideBySide: [...document.querySelectorAll('table.disputes th')].map(th => th.textContent),
  charts: document.querySelectorAll('figure.chart svg').length,
  body: document.body.innerText,
  diffLinks: [...document.querySelectorAll('a.diff-link')].map(a => a.href),
})"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(url: str) -> str:
    try:
        response = httpx.get(url, timeout=10, trust_env=False)
    except httpx.TransportError:
        return ""
    return response.text if response.status_code == 200 else ""


def _event_url(base: str) -> str | None:
    found = re.search(r'href="(/event/[^"]+)"', _get(base + "/"))
    return base + found.group(1) if found else None


def _only_local(requests: list[str], base: str) -> None:
    assert requests and all(r.startswith(base + "/") for r in requests), requests


@pytest.mark.skipif(chromium_path() is None, reason="chromium is not installed (make test does)")
def test_the_live_page_under_serve_shows_the_event_and_the_next_cycles_figure(tmp_path, news_site):
    _, site = news_site
    feeds, db = tmp_path / "feeds.yaml", tmp_path / "db.duckdb"
    feeds.write_text(site.feeds_yaml())
    web_port = _free_port()
    env = {
        **os.environ,
        "WIREWATCH_FEEDS_FILE": str(feeds),
        "WIREWATCH_DB_PATH": str(db),
        "WIREWATCH_ALLOW_PRIVATE_ADDRESSES": "true",
        "WIREWATCH_MIN_HOST_DELAY_S": "0",
        "WIREWATCH_MIN_POLL_INTERVAL_MINUTES": "0.1",
        "WIREWATCH_PREFECT_PORT": str(_free_port()),
        "WIREWATCH_PREFECT_UI": "false",
        "PREFECT_HOME": str(tmp_path / "prefect"),
        "PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS": "2",
        "PREFECT_RUNNER_POLL_FREQUENCY": "2",
    }
    env.pop("PREFECT_API_URL", None)
    daemon = subprocess.Popen(
        [sys.executable, "-m", "wirewatch.cli", "serve", "--interval", "0.5",
         "--web-port", str(web_port)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{web_port}"
    try:
        assert wait_for(lambda: "more than 80" in _get(_event_url(base) or base), 150), (
            "the page never showed step 1's event"
        )
        event_url = _event_url(base)
        assert event_url is not None
        first = load_page(event_url, PAGE_CHECK)
        assert first.errors == []
        _only_local(first.requests, base)
        assert "BLA claims over 80" in first.value["title"]
        assert first.value["sideBySide"][:2] == ["metric", "subject"]
        assert first.value["charts"] >= 1
        assert "more than 200" not in first.value["body"]

        site.set_step(LAST_STEP)  # the BLA raises its claim; the frontier-times story is updated
        assert wait_for(lambda: "more than 200" in _get(event_url), 150), (
            "the page never showed the next cycle's figure"
        )
        assert daemon.poll() is None  # the same daemon, no restart
        after = load_page(event_url, PAGE_CHECK)
        assert after.errors == []
        _only_local(after.requests, base)
        assert "more than 200" in after.value["body"]
        assert {"militant_group", "government"} <= set(after.value["sideBySide"])
        assert after.value["diffLinks"], "no link to a version diff"  # in a claimant's timeline
        assert "Each claimant's timeline" in after.value["body"]
        assert "Baloch Liberation Army (militant group)" in after.value["body"]
        copies = after.value["body"].split("Stories and their copies", 1)[1]
        assert "credited agency" in copies and "IBNS" in copies and "frontier-times" in copies
        diff = load_page(
            after.value["diffLinks"][0],
            "[document.querySelectorAll('del, ins').length, document.body.innerText]",
        )
        assert diff.errors == []
        _only_local(diff.requests, base)
        assert diff.value[0] >= 1  # words removed or added, marked
        assert "version 1 → version 2" in diff.value[1]
        (tmp_path / "event.png").write_bytes(after.screenshot)
    finally:
        daemon.send_signal(signal.SIGTERM)
        output, _ = daemon.communicate(timeout=60)
    assert f"web page on http://127.0.0.1:{web_port}/" in output
    assert daemon.returncode == 0, output


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2, trust_env=False).status_code == 200
    except httpx.TransportError:
        return False


def test_serve_with_no_web_serves_no_page(tmp_path, news_site):
    _, site = news_site
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text(site.feeds_yaml())
    web_port, api_port = _free_port(), _free_port()
    env = {
        **os.environ,
        "WIREWATCH_FEEDS_FILE": str(feeds),
        "WIREWATCH_DB_PATH": str(tmp_path / "db.duckdb"),
        "WIREWATCH_ALLOW_PRIVATE_ADDRESSES": "true",
        "WIREWATCH_PREFECT_PORT": str(api_port),
        "WIREWATCH_PREFECT_UI": "false",
        "PREFECT_HOME": str(tmp_path / "prefect"),
    }
    env.pop("PREFECT_API_URL", None)
    daemon = subprocess.Popen(
        [sys.executable, "-m", "wirewatch.cli", "serve", "--no-web", "--web-port", str(web_port)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        assert wait_for(lambda: _answers(f"http://127.0.0.1:{api_port}/api/health"), 120), (
            "serve's Prefect server never came up"
        )
        assert not _answers(f"http://127.0.0.1:{web_port}/")  # nothing listens on the page's port
    finally:
        daemon.send_signal(signal.SIGTERM)
        output, _ = daemon.communicate(timeout=60)
    assert "web page" not in output
    assert daemon.returncode == 0, output
