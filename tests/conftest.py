"""Shared fixtures: settings on a temp DB, loopback sites, and one Prefect test harness."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from wirewatch.sample_site.app import NewsSite
from wirewatch.sample_site.server import Reply, Request, SiteServer
from wirewatch.service.offline import apply_offline_defaults
from wirewatch.settings import Settings

apply_offline_defaults()
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
# Loopback test sites are ours: no delay between requests unless a test asks for one.
os.environ.setdefault("WIREWATCH_MIN_HOST_DELAY_S", "0")
# every `serve` a test starts puts its live page on a free port (8780 may be taken)
os.environ.setdefault("WIREWATCH_WEB_PORT", "0")


def make_settings(tmp_path: Path, **overrides: object) -> Settings:
    """Test settings: loopback allowed, short timeouts, no retry delays, in-process extraction."""
    values: dict[str, object] = {
        "db_path": tmp_path / "test.duckdb",
        "feeds_file": tmp_path / "feeds.yaml",
        "allow_private_addresses": True,
        "connect_timeout_s": 2.0,
        "read_timeout_s": 1.0,
        "total_timeout_s": 3.0,
        "retries": 0,
        "retry_backoff_s": 0.01,
        "extract_workers": 0,
        "min_host_delay_s": 0.0,  # politeness has its own tests (test_politeness.py)
        "respect_robots": False,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture(autouse=True)
def _fresh_politeness() -> Iterator[None]:
    """Each test starts with no cached robots.txt (ports are reused between test servers)."""
    from wirewatch.fetch import politeness

    politeness.forget()
    yield
    politeness.forget()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path)


@pytest.fixture
def news_site() -> Iterator[tuple[SiteServer, NewsSite]]:
    """The sample news site on a free loopback port, at step 1."""
    holder: list[NewsSite] = []

    def app(request: Request) -> Reply:
        return holder[0](request)

    with SiteServer(app) as server:
        holder.append(NewsSite(server.base_url))
        yield server, holder[0]


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """One temporary Prefect API for every flow test (starting one costs ~10 s)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=60):
        yield


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory, prefect_harness: None) -> Path:
    """A database holding the sample site's whole replay (steps 1-4), as `make demo` builds it;
    built once for the tests that only read it."""
    import asyncio

    from flows.ingest import ingest
    from wirewatch.sample_site.newsroom import LAST_STEP

    folder = tmp_path_factory.mktemp("demo")
    holder: list[NewsSite] = []

    def app(request: Request) -> Reply:
        return holder[0](request)

    with pytest.MonkeyPatch.context() as patch, SiteServer(app) as server:
        patch.setenv("WIREWATCH_ALLOW_PRIVATE_ADDRESSES", "true")
        patch.setenv("WIREWATCH_EXTRACT_WORKERS", "0")
        holder.append(NewsSite(server.base_url))
        feeds = folder / "feeds.yaml"
        feeds.write_text(holder[0].feeds_yaml())
        for step in range(1, LAST_STEP + 1):
            holder[0].set_step(step)
            asyncio.run(ingest(feeds_file=str(feeds), db_path=str(folder / "demo.duckdb")))
    return folder / "demo.duckdb"
