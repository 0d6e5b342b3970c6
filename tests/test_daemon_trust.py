"""A daemon a user can trust (issue 17), over the real sample site and a real `wirewatch serve`
with its Prefect server:

- the first cycle runs as soon as `serve` is up, and polls every feed;
- the served deployment is `Ready` while `serve` runs;
- a run started by hand (Prefect's API, as `prefect deployment run` and the UI's Run button do)
  polls every feed, even those adaptive polling says are not due;
- the BLA's toll line is notified step by step, once each, read back from Prefect's events
  API: the first cycle's one backfill summary starts the line at 84 (the IBNS copy of step 1
  says "more than 80" and then "at least 84": one version, one point, its larger figure; the
  "more than 80" copies after it say nothing new), then 84 -> 200 (step 4) as a
  `wirewatch.figure.changed` event naming who said each figure, though 84 arrives again in
  that same cycle;
- a re-run notifies nothing again;
- a one-shot `wirewatch run` beside it whose polls all fail is `Failed` in Prefect (with the
  counts and reasons as its message) and exits 1.
"""

import os
import signal
import subprocess
import sys
import threading
from datetime import datetime

import httpx
import pytest

from tests.processes import wait_for
from tests.test_serve import _free_port

pytestmark = pytest.mark.integration
CHANGED = "wirewatch.figure.changed"
BACKFILLED = "wirewatch.figures.backfilled"
DEPLOYMENT = "ingest/wirewatch-ingest"


def _api(api: str, method: str, path: str, body: dict | None = None):
    """One API call; a busy server's 503 is asked again (as Prefect's own client does)."""
    answers: list[httpx.Response] = []

    def answered() -> bool:
        answers[:] = [httpx.request(method, f"{api}{path}", json=body, timeout=10, trust_env=False)]
        return answers[0].status_code != 503

    wait_for(answered, 30, step_s=0.5)
    answers[0].raise_for_status()
    return answers[0].json()


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _events(api: str, name: str) -> list[dict]:
    return _api(api, "POST", "/events/filter", {"filter": {"event": {"name": [name]}}})["events"]


def _bla(changes: list[dict]) -> list[tuple[float, float]]:
    return [
        (c["previous"], c["new"])
        for c in changes
        if c["metric"] == "killed"
        and c["subject"] == "security_forces"
        and "Liberation Army" in c["claimant"]
    ]


def _bla_revisions(api: str) -> list[tuple[float, float]]:
    return _bla([e["payload"] for e in _events(api, CHANGED)])


def _runs(api: str) -> list[dict]:
    """The ingest flow's runs, served or one-shot, oldest first."""
    body = {"flows": {"name": {"any_": ["ingest"]}}, "sort": "START_TIME_ASC"}
    return _api(api, "POST", "/flow_runs/filter", body)


@pytest.mark.timeout(480)  # a Prefect server, three cycles, background event persistence
def test_serve_polls_at_once_by_hand_and_notifies_every_revision(tmp_path, news_site):
    _, site = news_site
    feeds, db = tmp_path / "feeds.yaml", str(tmp_path / "db.duckdb")
    feeds.write_text(site.feeds_yaml())
    port = _free_port()
    api = f"http://127.0.0.1:{port}/api"
    env = {
        **os.environ,
        "WIREWATCH_ALLOW_PRIVATE_ADDRESSES": "true",
        "WIREWATCH_PREFECT_UI": "false",
        "WIREWATCH_RETRIES": "0",
        "WIREWATCH_LOG_LEVEL": "INFO",  # the cycle lines (the tests set Prefect to WARNING)
        "PREFECT_HOME": str(tmp_path / "prefect"),
    }
    env.pop("PREFECT_API_URL", None)
    serve = [sys.executable, "-m", "wirewatch.cli", "serve", "--interval", "60"]
    daemon = subprocess.Popen(
        [*serve, "--port", str(port), "--db", db, "--feeds", str(feeds)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(daemon.stdout), daemon=True)
    reader.start()

    def cycles() -> list[str]:
        return [line for line in lines if "ingest cycle:" in line]

    try:
        # the first cycle: at once (not an interval later), every feed (a fresh database)
        assert wait_for(lambda: len(cycles()) >= 1, 150), "".join(lines)
        assert "5 feeds polled (ok=5)" in cycles()[0] and "(backfill)" in cycles()[0]
        deployment = _api(api, "GET", f"/deployments/name/{DEPLOYMENT}")
        first = wait_for(lambda: _runs(api) and _runs(api)[0]["start_time"], 30) and _runs(api)[0]
        up_to_first_s = (_when(first["start_time"]) - _when(deployment["created"])).total_seconds()
        assert up_to_first_s < 60, (first, deployment)
        assert first["parameters"] == {"poll": "due"}  # the start-up run is a scheduled one
        assert wait_for(lambda: _api(api, "GET", f"/deployments/{deployment['id']}")["status"]
                        == "READY", 30)  # fmt: skip
        # by hand, right after a cycle: no feed is due, yet every feed is polled
        site.set_step(4)
        manual = _api(api, "POST", f"/deployments/{deployment['id']}/create_flow_run", {})
        assert manual["parameters"] == {}  # the flow's default: poll="all"
        assert wait_for(lambda: len(cycles()) >= 2, 150), "".join(lines[-40:])
        assert "5 feeds polled (" in cycles()[1], cycles()[1]
        # every revision of the BLA's figure, once each: the backfill's one summary, then events
        assert wait_for(lambda: _bla_revisions(api) == [(84, 200)], 60), _bla_revisions(api)
        backfills = _events(api, BACKFILLED)
        assert len(backfills) == 1, backfills
        assert _bla(backfills[0]["payload"]["listed"]) == [], backfills  # the line began at 84
        bla = [e["payload"] for e in _events(api, CHANGED) if e["payload"]["new"] == 200]
        assert "at least 84 -> more than 200, said by Baloch Liberation Army" in str(bla), bla
        assert backfills[0]["payload"]["changes"] == len(backfills[0]["payload"]["listed"])
        # a re-run finds nothing new: nothing notified again
        _api(api, "POST", f"/deployments/{deployment['id']}/create_flow_run", {})
        assert wait_for(lambda: len(cycles()) >= 3, 150), "".join(lines[-40:])
        assert "5 feeds polled (" in cycles()[2] and " 0 figures changed" in cycles()[2]
        # a one-shot run beside it finds serve's server; every feed fails: Failed there, exit 1
        broken = tmp_path / "broken.yaml"
        broken.write_text("feeds:\n- url: http://127.0.0.1:9/closed.xml\n")  # 9: nothing there
        one_shot = subprocess.run(
            [sys.executable, "-m", "wirewatch.cli", "run", "--feeds", str(broken)],
            env={**env, "WIREWATCH_DB_PATH": str(tmp_path / "b.duckdb")},  # serve's PREFECT_HOME
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert one_shot.returncode == 1, one_shot.stderr
        assert "every feed failed (1 polled: " in one_shot.stderr
        failed = [r for r in _runs(api) if r["state_type"] == "FAILED"]
        assert len(failed) == 1 and "every feed failed" in failed[0]["state"]["message"]
    finally:
        daemon.send_signal(signal.SIGTERM)
        daemon.wait(timeout=60)
        reader.join(timeout=10)
    assert daemon.returncode in (0, 130), "".join(lines[-40:])
