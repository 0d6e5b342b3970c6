"""`wirewatch serve` runs cycles on its schedule; the DB file is readable between cycles;
SIGTERM stops everything it started."""

import os
import signal
import socket
import subprocess
import sys
import time

import pytest

pytestmark = pytest.mark.integration


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _query(db, sql, env):
    return subprocess.run(
        [sys.executable, "-m", "wirewatch.cli", "query", sql, "--db", db],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def _wait_for(predicate, timeout_s):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.5)  # polling a condition with a deadline, not sleeping in place of one
    return False


def test_serve_runs_on_schedule_and_db_is_readable_between_cycles(tmp_path, news_site):
    _, site = news_site
    feeds, db = tmp_path / "feeds.yaml", str(tmp_path / "db.duckdb")
    feeds.write_text(site.feeds_yaml())
    env = {
        **os.environ,
        "WIREWATCH_FEEDS_FILE": str(feeds),
        "WIREWATCH_DB_PATH": db,
        "WIREWATCH_ALLOW_PRIVATE_ADDRESSES": "true",
        "WIREWATCH_PREFECT_PORT": str(_free_port()),
        "PREFECT_HOME": str(tmp_path / "prefect"),
        "PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS": "2",
        "PREFECT_RUNNER_POLL_FREQUENCY": "2",
    }
    env.pop("PREFECT_API_URL", None)
    daemon = subprocess.Popen(
        [sys.executable, "-m", "wirewatch.cli", "serve", "--interval", "0.5"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        ready = "SELECT count(*) = 3 AS ready FROM articles"  # step 1 publishes 3 articles
        done = _wait_for(
            lambda: os.path.exists(db) and "True" in _query(db, ready, env).stdout, 150
        )
        assert done, "no ingest cycle completed under `wirewatch serve`"
        result = _query(db, "SELECT outlet, count(*) AS n FROM articles GROUP BY 1", env)
        assert daemon.poll() is None  # still serving
        assert result.returncode == 0, result.stderr
        assert "indiablooms" in result.stdout
    finally:
        daemon.send_signal(signal.SIGTERM)
        output, _ = daemon.communicate(timeout=60)
    assert daemon.returncode == 0, output
    assert "wirewatch serve: stopped" in output
