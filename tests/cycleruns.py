"""Running real ingest cycles against a `CycleSite` on loopback, each as of a chosen time."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest

from flows.ingest import ingest
from tests.cyclesite import CycleSite
from wirewatch.sample_site.server import Reply, Request, SiteServer


@dataclass
class Cycles:
    site: CycleSite
    feeds: Path
    db: Path

    def run(self, now: datetime | None = None) -> dict[str, int]:
        """One real ingest cycle (the Prefect flow), as of `now`: its totals, also when it
        ends Failed (every page fetch failed)."""
        at = now.isoformat() if now else None
        state = asyncio.run(
            ingest(feeds_file=str(self.feeds), db_path=str(self.db), now=at, return_state=True)
        )
        totals = state.result(raise_on_failure=False)
        assert isinstance(totals, dict), totals
        return totals

    def rows(self, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
        with duckdb.connect(str(self.db), read_only=True) as con:
            return con.execute(sql, params or []).fetchall()

    def health(self, feed: str) -> dict[str, Any]:
        with duckdb.connect(str(self.db), read_only=True) as con:
            result = con.execute("SELECT * FROM feed_health WHERE feed = ?", [feed])
            names = [d[0] for d in result.description]
            return dict(zip(names, result.fetchall()[0], strict=True))


@contextmanager
def cycle_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, **env: object) -> Iterator[Cycles]:
    """A `CycleSite` served on loopback and the settings of a test (plus `env`)."""
    values: dict[str, object] = {
        "ALLOW_PRIVATE_ADDRESSES": "true",
        "RETRIES": "0",
        "EXTRACT_WORKERS": "0",
        "RESPECT_ROBOTS": "false",
    }
    values.update(env)
    for name, value in values.items():
        monkeypatch.setenv(f"WIREWATCH_{name}", str(value))
    holder: list[CycleSite] = []

    def app(request: Request) -> Reply:
        return holder[0](request)

    with SiteServer(app) as server:
        holder.append(CycleSite(server.base_url))
        yield Cycles(holder[0], tmp_path / "feeds.yaml", tmp_path / "db.duckdb")
