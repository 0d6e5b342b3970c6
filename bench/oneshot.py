"""The idle one-shot `wirewatch run` (every feed answers 304 or the same entries), timed alone
(it starts a temporary Prefect server) and while a `wirewatch serve` runs (it uses serve's
server: issue 17). Over the bundled sample site on loopback, in a temporary folder.

    python -m bench.oneshot [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx

CLI = [sys.executable, "-m", "wirewatch.cli"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait(predicate: Callable[[], bool], timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.5)  # polling a condition with a deadline
    return False


def _timed_run(env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run([*CLI, "run"], env=env, capture_output=True, text=True, timeout=300)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"wirewatch run failed: {done.stderr.strip()}")
    return elapsed


def _completed_runs(api: str) -> int:
    body = {"flow_runs": {"state": {"type": {"any_": ["COMPLETED"]}}}}
    try:
        answer = httpx.post(f"{api}/flow_runs/filter", json=body, timeout=5, trust_env=False)
    except httpx.TransportError:
        return 0
    return len(answer.json()) if answer.status_code == 200 else 0


def _with_serve(env: dict[str, str], folder: Path, repeat: int) -> list[float]:
    port = _free_port()
    api = f"http://127.0.0.1:{port}/api"
    serve_env = {**env, "WIREWATCH_PREFECT_UI": "false"}
    serve = subprocess.Popen(
        [*CLI, "serve", "--interval", "60", "--port", str(port)],
        env=serve_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        if not _wait(lambda: _completed_runs(api) >= 1, 240):  # serve's start-up cycle
            raise SystemExit("serve did not complete its first cycle within 240 s")
        return [_timed_run(env) for _ in range(repeat)]
    finally:
        os.killpg(serve.pid, signal.SIGINT)
        serve.wait(60)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        site_port = _free_port()
        env = {
            **os.environ,
            "PREFECT_HOME": str(folder / "prefect"),
            "WIREWATCH_DB_PATH": str(folder / "db.duckdb"),
            "WIREWATCH_FEEDS_FILE": str(folder / "feeds.yaml"),
            "WIREWATCH_ALLOW_PRIVATE_ADDRESSES": "true",
        }
        env.pop("PREFECT_API_URL", None)
        site = subprocess.Popen(
            [*CLI, "sample-site", "--port", str(site_port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            subprocess.run(
                [
                    *CLI,
                    "sample-site",
                    "--port",
                    str(site_port),
                    "--write-feeds",
                    str(folder / "feeds.yaml"),
                ],
                env=env,
                check=True,
                capture_output=True,
            )
            _timed_run(env)  # the first cycle stores the site: later ones are idle
            alone = [_timed_run(env) for _ in range(args.repeat)]
            beside = _with_serve(env, folder, args.repeat)
        finally:
            site.terminate()
            site.wait(10)
    print(f"idle one-shot `wirewatch run`, median of {args.repeat}:")
    for label, times in (
        ("alone (temporary Prefect server)", alone),
        ("while `serve` runs", beside),
    ):
        each = ", ".join(f"{t:.1f}" for t in times)
        print(f"  {label}: {statistics.median(times):.1f} s ({each})")


if __name__ == "__main__":
    main()
