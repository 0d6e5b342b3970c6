"""`wirewatch demo` (what `make demo` runs), as a person meets it: a real process in a fresh
folder, no warnings, a screenful of tables, and three next steps at the end; the first two are
run exactly as printed (the page answers with the demo's event, the query prints its rows)."""

from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.integration

WIREWATCH = Path(sys.executable).with_name("wirewatch")


@pytest.mark.skipif(not WIREWATCH.exists(), reason="needs the venv's `wirewatch` script")
def test_the_demo_ends_with_three_next_steps_that_run_as_written(tmp_path):
    (tmp_path / ".venv").symlink_to(WIREWATCH.parent.parent)  # the steps say .venv/bin/wirewatch
    env = {k: v for k, v in os.environ.items() if not k.startswith("WIREWATCH_DB")}
    done = subprocess.run(
        [".venv/bin/wirewatch", "demo"], cwd=tmp_path, env=env, capture_output=True, text=True,
        timeout=400,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    assert "warning" not in (done.stdout + done.stderr).lower()
    assert "Stopping temporary server" not in done.stdout + done.stderr
    lines = done.stdout.rstrip().splitlines()
    assert len(lines) <= 80
    steps = lines[lines.index("next steps:") :]
    assert [s.split(".")[0].strip() for s in steps if re.match(r"\s+\d\.", s)] == ["1", "2", "3"]
    assert lines[-1].strip().endswith("(page on http://127.0.0.1:8780/)")  # the last line

    query = re.search(r"2\. query the data:\s+(.*)$", "\n".join(steps), re.M)
    assert query is not None
    asked = subprocess.run(
        shlex.split(query.group(1)), cwd=tmp_path, env=env, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    assert asked.returncode == 0, asked.stderr
    assert "Baloch Liberation Army" in asked.stdout and "(5 rows)" in asked.stdout

    page = re.search(r"1\. open the page:\s+(.*?)\s{2,}then", "\n".join(steps))
    assert page is not None
    web_env = {**env, "WIREWATCH_WEB_PORT": "0"}  # 8780 may be taken where the tests run
    web = subprocess.Popen(
        shlex.split(page.group(1)), cwd=tmp_path, env=web_env, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        assert web.stdout is not None
        found = re.search(r"http://127\.0\.0\.1:\d+/", web.stdout.readline())
        assert found
        answer = httpx.get(found.group(0), trust_env=False, timeout=30)
        assert "BLA claims over 80" in answer.text
    finally:
        web.send_signal(signal.SIGINT)
        web.communicate(timeout=30)
    assert web.returncode == 0
