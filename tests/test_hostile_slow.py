"""The slow part of the reliability suite (`make test-slow`): a whole hostile run's peak memory,
measured in a process of its own, and a feed of 100,000 entries."""

import json
import os
import subprocess
import sys

import duckdb
import pytest

from tests.hostile import FEEDS, MANY, HostileServer, deflate_bomb, nested_gzip_bomb

pytestmark = [pytest.mark.integration, pytest.mark.slow]

MIB = 1 << 20
CAP = 2 * MIB  # WIREWATCH_MAX_RESPONSE_BYTES below
#: what a hostile run may add to a warmed-up run's peak: two response-sized buffers (a body and
#: its join) plus a fixed margin for parsing and extracting the pages that are allowed in
MARGIN = 128 * MIB
#: a cycle over benign feeds of the same server, to warm imports, Prefect, trafilatura, DuckDB
WARM_FEEDS = ("/dates/rss.xml", "/latin1/rss.xml", "/skips/rss.xml")


@pytest.fixture
def hostile_env(prefect_harness):
    from prefect.settings import PREFECT_API_URL

    env = {
        "WIREWATCH_ALLOW_PRIVATE_ADDRESSES": "true",
        "WIREWATCH_READ_TIMEOUT_S": "1",
        "WIREWATCH_TOTAL_TIMEOUT_S": "3",
        "WIREWATCH_RETRIES": "1",
        "WIREWATCH_RETRY_BACKOFF_S": "0.01",
        "WIREWATCH_MAX_RESPONSE_BYTES": str(CAP),
        "WIREWATCH_MAX_REDIRECTS": "20",
        "WIREWATCH_PER_HOST_CONCURRENCY": "16",
        "WIREWATCH_EXTRACT_WORKERS": "0",  # extraction in the measured process
        "WIREWATCH_MIN_HOST_DELAY_S": "0",
        "PREFECT_API_URL": PREFECT_API_URL.value(),  # the harness's API: no server to start
    }
    nested_gzip_bomb(), deflate_bomb()
    return {**os.environ, **env}


def _peak_run(env, *cycles):
    args = [str(part) for cycle in cycles for part in cycle]
    cmd = [sys.executable, "-m", "tests.peak_run", *args]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def _rows(db, sql):
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


@pytest.mark.timeout(900)
def test_a_whole_hostile_run_peaks_under_the_cap_plus_a_fixed_margin(hostile_env, tmp_path):
    with HostileServer() as server:
        warm, hostile = tmp_path / "warm.yaml", tmp_path / "hostile.yaml"
        warm.write_text(server.feeds_yaml(WARM_FEEDS))
        hostile.write_text(server.feeds_yaml())
        peaks = _peak_run(
            hostile_env,
            ("warm", warm, tmp_path / "warm.duckdb"),
            ("hostile", hostile, tmp_path / "hostile.duckdb"),
        )
    grown = peaks["hostile"] - peaks["warm"]
    print(f"peak RSS: warm {peaks['warm'] / MIB:.0f} MiB, hostile +{grown / MIB:.0f} MiB")
    polls = _rows(tmp_path / "hostile.duckdb", "SELECT count(*) FROM feed_polls")
    assert polls == [(len(FEEDS),)]  # the run completed: every feed has its row
    assert grown <= 2 * CAP + MARGIN, f"{grown / MIB:.0f} MiB over the warmed-up run"


@pytest.mark.timeout(900)
def test_a_feed_of_100000_entries_is_counted_and_the_run_completes(hostile_env, tmp_path):
    hostile_env = {**hostile_env, "WIREWATCH_MAX_RESPONSE_BYTES": str(8 * MIB)}
    with HostileServer() as server:
        feeds = tmp_path / "feeds.yaml"
        feeds.write_text(server.feeds_yaml(["/many/rss.xml", "/dates/rss.xml"]))
        db = tmp_path / "db.duckdb"
        peaks = _peak_run(hostile_env, ("many", feeds, db))
    print(f"peak RSS with 100,000 entries: {peaks['many'] / MIB:.0f} MiB")
    polls = _rows(
        db,
        "SELECT name, outcome, entries_seen, entries_skipped, skipped_reasons "
        "FROM feed_polls JOIN feeds USING (feed_id) ORDER BY name",
    )
    assert polls == [
        ("dates", "ok", 1, 0, "{}"),
        ("many", "ok", MANY, MANY - 1, f'{{"duplicate_key": {MANY - 1}}}'),
    ]
    titles = {t for (t,) in _rows(db, "SELECT title FROM article_versions")}
    assert titles == {"Good page", "Dated page"}  # the other feed's article is stored too
    assert peaks["many"] < 1024 * MIB
