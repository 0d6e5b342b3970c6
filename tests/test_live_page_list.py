"""The live page over a database with more events than one page holds and a failing feed
(`wirewatch web`, a real headless Chromium): the list is newest first and paged with no cap, a
search narrows it, the feed-health page lists the failing feed first with its reason, and while
a writer holds the database the page answers "busy" rather than wait on it."""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import sys
from datetime import timedelta

import duckdb
import httpx
import pytest

from tests.cycleruns import cycle_site
from tests.cyclesite import T0
from wirewatch.outputs.web import PER_PAGE

from .browser import chromium_path, load_page

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(chromium_path() is None, reason="chromium is not installed (make test)"),
]

LIST = """({
  events: [...document.querySelectorAll('table.events td:first-child a')].map(a => a.textContent),
  seen: [...document.querySelectorAll('table.events tr td:nth-child(3)')].map(td => td.textContent),
  meta: document.querySelector('p.meta').textContent,
  pager: [...document.querySelectorAll('p.pager a')].map(a => [a.textContent, a.href]),
})"""
HEALTH = """({
  failing: [...document.querySelectorAll('table.failing tr')].map(tr => tr.innerText),
  errors: [...document.querySelectorAll('table.errors tr')].map(tr => tr.innerText),
})"""
N_STORIES = PER_PAGE + 12


def _unrelated_words(rng: random.Random, n: int) -> str:
    letters = "abcdefghijklmnopqrstuvwxyz"
    return " ".join("".join(rng.choices(letters, k=rng.randint(4, 9))) for _ in range(n))


@pytest.fixture(scope="module")
def busy_db(tmp_path_factory, prefect_harness):
    """One real ingest cycle over a site of N_STORIES unrelated stories (each its own event) and
    a feed whose body is not XML."""
    tmp_path = tmp_path_factory.mktemp("many")
    rng = random.Random(20)
    with pytest.MonkeyPatch.context() as patch, cycle_site(tmp_path, patch) as cycles:
        half = N_STORIES // 2  # two feeds: a poll takes at most 50 of a feed's new entries
        for first, name in ((0, "wire"), (half, "desk")):
            feed = cycles.site.add_feed(name, half, T0 + timedelta(minutes=first))
            for item in feed.items:  # story k is published k minutes after T0
                item.title = f"Story {first + item.n:02d}: " + _unrelated_words(rng, 5)
                item.body = _unrelated_words(rng, 120)
        cycles.site.add_feed("broken", 1).broken = True
        cycles.feeds.write_text(cycles.site.feeds_yaml())
        cycles.run()
        assert cycles.rows("SELECT count(*) FROM events")[0][0] == N_STORIES
    return cycles.db


@pytest.fixture(scope="module")
def web(busy_db):
    """`wirewatch web --port 0` over that database: the base URL it prints."""
    server = subprocess.Popen(
        [sys.executable, "-m", "wirewatch.cli", "web", "--port", "0", "--db", str(busy_db)],
        env={**os.environ}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        assert server.stdout is not None
        found = re.search(r"http://127\.0\.0\.1:\d+", server.stdout.readline())
        assert found, "web printed no address"
        yield found.group(0)
    finally:
        server.send_signal(signal.SIGINT)
        server.communicate(timeout=30)
    assert server.returncode == 0


def test_every_event_is_listed_newest_first_fifty_a_page(web, busy_db):
    first = load_page(web + "/", LIST)
    (busy_db.parent / "events.png").write_bytes(first.screenshot)  # to look at
    assert first.errors == [] and all(r.startswith(web + "/") for r in first.requests)
    assert f"{N_STORIES} events, newest first · page 1 of 2" in first.value["meta"]
    assert len(first.value["events"]) == PER_PAGE
    assert first.value["events"][0].startswith(f"Story {N_STORIES - 1:02d}")  # the newest
    assert first.value["seen"] == sorted(first.value["seen"], reverse=True)
    [(label, older)] = first.value["pager"]
    assert label == "older →"
    second = load_page(older, LIST)
    assert second.errors == []
    assert len(second.value["events"]) == N_STORIES - PER_PAGE  # no cap: the rest are here
    assert second.value["events"][-1].startswith("Story 00")  # the oldest, last
    listed = {*first.value["events"], *second.value["events"]}
    assert len(listed) == N_STORIES
    assert [label for label, _ in second.value["pager"]] == ["← newer"]
    search = load_page(web + "/?q=" + first.value["events"][7].split()[2], LIST)
    assert search.value["events"] == [first.value["events"][7]]


def test_the_feed_health_page_puts_the_failing_feed_first_with_its_reason(web, busy_db):
    health = load_page(web + "/feeds", HEALTH)
    (busy_db.parent / "feeds.png").write_bytes(health.screenshot)  # to look at
    assert health.errors == [] and all(r.startswith(web + "/") for r in health.requests)
    failing = health.value["failing"][1:]  # the header row first
    assert len(failing) == 1 and "broken" in failing[0]
    assert "malformed_xml" in failing[0], failing  # its reason, as the poll recorded it
    assert any("broken" in row for row in health.value["errors"][1:])


def test_while_a_writer_holds_the_database_the_page_answers_busy(web, busy_db):
    with duckdb.connect(str(busy_db)) as writer:  # what a cycle's batch write holds
        writer.execute("SELECT 1").fetchall()
        answer = httpx.get(web + "/", trust_env=False, timeout=60)
    assert answer.status_code == 503
    assert "An ingest cycle is writing the database" in answer.text
    assert httpx.get(web + "/", trust_env=False, timeout=30).status_code == 200  # and after
