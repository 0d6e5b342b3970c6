"""The one settings object. Every field can be set with an env var `WIREWATCH_<NAME>`.

Create it at the edge (CLI, flow entry) and pass values down; nothing reads it at import time.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

if TYPE_CHECKING:
    import duckdb

    from storage.lake import LakeTarget


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="WIREWATCH_", frozen=True)

    db_path: Path = Field(Path("data/wirewatch.duckdb"), description="DuckDB file.")
    feeds_file: Path = Field(Path("feeds.yaml"), description="YAML list of feeds to poll.")
    interval_minutes: float = Field(15.0, gt=0, description="Daemon schedule interval.")

    user_agent: str = Field(
        "wirewatch/0.1 (news figure tracker; polite polling with conditional GET)",
        description="User-Agent sent with every request.",
    )
    connect_timeout_s: float = Field(5.0, gt=0, description="TCP connect timeout.")
    read_timeout_s: float = Field(15.0, gt=0, description="Timeout between bytes read.")
    total_timeout_s: float = Field(30.0, gt=0, description="Deadline for one whole request.")
    max_response_bytes: int = Field(5_000_000, gt=0, description="Larger bodies are too_large.")
    max_redirects: int = Field(5, ge=0, description="More hops than this is a redirect error.")
    per_host_concurrency: int = Field(4, ge=1, description="Concurrent requests to one host.")
    total_concurrency: int = Field(16, ge=1, description="Concurrent requests in all.")
    retries: int = Field(2, ge=0, description="Retries for transport errors, 429 and 5xx.")
    retry_backoff_s: float = Field(0.5, ge=0, description="First retry delay; doubles each try.")
    max_retry_after_s: float = Field(30.0, ge=0, description="Cap on a server's Retry-After.")
    allow_private_addresses: bool = Field(
        False, description="Fetch loopback/private addresses (on for the demo and tests)."
    )

    max_fetch_attempts: int = Field(3, ge=1, description="Failed page fetches before giving up.")
    page_retry_backoff_minutes: float = Field(
        15.0,
        ge=0,
        description="A failed page is retried next cycle, then after this wait, doubling.",
    )

    # a bounded cycle (wirewatch/ingest/plan.py): what is left waits for the next cycles
    max_pages_per_feed: int = Field(
        50, ge=0, description="New, changed or retried pages fetched per feed per cycle (0: all)."
    )
    max_pages_per_host: int = Field(
        100, ge=0, description="Pages fetched per host per cycle, revisits included (0: all)."
    )
    max_revisits_per_host: int = Field(
        20, ge=0, description="Of a host's pages per cycle, at most this many are revisits."
    )
    cycle_budget_s: float = Field(
        240.0, ge=0, description="No page fetch starts later than this into a cycle (0: none)."
    )
    revisit_every_cycle_hours: float = Field(
        6.0, ge=0, description="A stored article is revisited every cycle until this age."
    )
    revisit_hourly_hours: float = Field(
        48.0, ge=0, description="Then hourly until this age, then daily until the horizon."
    )
    revisit_horizon_hours: float = Field(
        168.0, ge=0, description="No revisits after this age (0: no revisits)."
    )
    extract_workers: int = Field(2, ge=0, description="Extraction processes; 0 = in-process.")
    extract_fast: bool = Field(False, description="trafilatura fast mode (no fallback).")
    feed_batch_size: int = Field(50, ge=1, description="Feeds per fetch-extract-write batch.")
    page_batch_size: int = Field(
        200, ge=1, description="Pages per write: a batch is written in groups of whole feeds."
    )
    write_threads: int = Field(
        1, ge=1, description="DuckDB threads of the ingest's writes (the workers have the cores)."
    )
    reprocess_batch_size: int = Field(500, ge=1, description="Versions per reprocess batch.")

    story_window_days: float = Field(
        900.0, gt=0, description="Copies are looked for this far back (and ahead)."
    )
    event_window_days: float = Field(14.0, gt=0, description="A story joins events this close.")
    related_window_days: float = Field(
        365.0, gt=0, description="Older events a new event may be linked to as related."
    )
    max_name_stories: int = Field(
        200, ge=1, description="Names in more stories than this gather no event candidates."
    )
    max_candidates: int = Field(20, ge=1, description="Stories or events scored per new story.")

    db_lock_retries: int = Field(20, ge=0, description="Retries when the DB file is locked.")
    db_lock_wait_s: float = Field(0.25, gt=0, description="Wait between lock retries.")
    db_write_wait_s: float = Field(
        300.0, ge=0, description="How long an ingest waits for readers to release the DB file."
    )

    prefect_port: int = Field(
        4200, ge=1, le=65535, description="Port of the Prefect server `serve` starts."
    )
    web_port: int = Field(
        8780, ge=0, le=65535, description="Port of the live page on 127.0.0.1 (0: a free one)."
    )

    # issue 10: running as a service (see wirewatch/fetch/politeness.py, wirewatch/fetch/polling.py)
    log_level: str = Field("INFO", description="Log level of wirewatch and its flow runs.")
    respect_robots: bool = Field(True, description="Honour robots.txt.")
    robots_ttl_s: float = Field(3600.0, gt=0, description="How long a host's robots.txt is kept.")
    min_host_delay_s: float = Field(1.0, ge=0, description="Least time between requests to a host.")
    max_crawl_delay_s: float = Field(30.0, ge=0, description="Cap on a site's Crawl-delay.")
    polite_exempt_hosts: list[str] = Field(
        default_factory=list, description="Hosts polled without robots.txt or delays (JSON list)."
    )
    retry_jitter: float = Field(0.5, ge=0, description="Retry delays grow by up to this share.")
    poll_due_only: bool = Field(
        False,
        description="Poll only the due feeds in runs given no `poll` parameter.",
    )
    min_poll_interval_minutes: float = Field(5.0, gt=0, description="Busiest feeds' interval.")
    max_poll_interval_minutes: float = Field(360.0, gt=0, description="Quietest feeds' interval.")
    max_backoff_minutes: float = Field(1440.0, gt=0, description="Cap on a failing feed's wait.")
    notify_webhook_url: str = Field(
        "", description="`serve` posts each wirewatch.figure.changed event here (automation)."
    )
    prefect_ui: bool = Field(True, description="`serve` starts the Prefect UI on 127.0.0.1.")

    # bounded storage and a warm daemon (wirewatch/ingest/archive.py, wirewatch/service/warm.py)
    archive_raw_html: bool = Field(
        True, description="Raw HTML goes to WARC files, not the database (off: raw_html_z)."
    )
    warc_dir: Path | None = Field(
        None, description="Folder of the WARC files (default: `warc/` beside the DuckDB file)."
    )
    warc_rotate_mb: float = Field(100.0, gt=0, description="A new WARC file past this size.")
    warc_retention_days: float = Field(
        0.0, ge=0, description="Delete WARC files older than this (0 = keep them all)."
    )
    keep_warm: bool = Field(
        False, description="Keep extraction workers between flow runs in one process (`serve`)."
    )

    # replays and tests (wirewatch/ingest/clock.py)
    now: datetime | None = Field(
        None,
        description="Run a cycle as of this time (ISO 8601; UTC when no offset is given): its "
        "clock starts here and runs at real speed. Unset: the machine's clock.",
    )

    @field_validator("now")
    @classmethod
    def _utc(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value

    # lake mode (storage/lake.py): every table and view also in a DuckLake catalog
    lake: str = Field(
        "",
        description="DuckLake catalog: `postgres:dbname=... host=...` or a catalog file path; "
        "empty = the DuckDB file only.",
    )
    lake_data_path: Path | None = Field(
        None, description="Folder of the lake's Parquet files (default: `lake/` beside the DB)."
    )

    def lake_target(self) -> LakeTarget | None:
        """The lake to publish to and read from, or None in the embedded default."""
        if not self.lake:
            return None
        from storage.lake import LakeTarget

        data_path = self.lake_data_path or self.db_path.parent / "lake"
        return LakeTarget(self.lake, data_path)


#: WIREWATCH_* variables that are not settings but are read elsewhere on purpose.
_OTHER_VARIABLES = frozenset({"WIREWATCH_PROCESS_TREE", "WIREWATCH_TEST_KILLS"})


def unknown_variables(environ: Mapping[str, str]) -> list[str]:
    """One warning per `WIREWATCH_*` variable that is no setting, with the closest setting
    (`WIREWATCH_ALOW_PRIVATE_ADDRESSES` -> `WIREWATCH_ALLOW_PRIVATE_ADDRESSES`): a typo in a
    setting's name would otherwise be ignored without a word."""
    known = [f"WIREWATCH_{name.upper()}" for name in Settings.model_fields]
    warnings = []
    for name in sorted(environ):
        if not name.startswith("WIREWATCH_") or name in known or name in _OTHER_VARIABLES:
            continue
        close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
        hint = f"did you mean {close[0]}?" if close else "see `wirewatch --help` and the README"
        warnings.append(f"{name} is not a setting and is ignored ({hint})")
    return warnings


def open_db(
    settings: Settings, read_only: bool = False, path: Path | None = None
) -> AbstractContextManager[duckdb.DuckDBPyConnection]:
    """A short-lived connection to the settings' DuckDB file (or `path`), waiting as the
    settings say while another process holds it."""
    from storage.db import connect  # storage imports duckdb: only when a DB is opened

    retries = settings.db_lock_retries
    if not read_only:  # a writer outwaits readers (a long query) rather than lose its work
        retries = max(retries, math.ceil(settings.db_write_wait_s / settings.db_lock_wait_s))
    return connect(
        path or settings.db_path,
        read_only=read_only,
        retries=retries,
        wait_s=settings.db_lock_wait_s,
        lake=None if read_only else settings.lake_target(),
    )


def open_reader(
    settings: Settings, path: Path | None = None
) -> AbstractContextManager[duckdb.DuckDBPyConnection]:
    """What users read: the lake in lake mode (unless `path` names a DuckDB file), else a
    read-only connection to the DuckDB file."""
    target = settings.lake_target()
    if target is not None and path is None:
        from storage.lake import open_lake

        return open_lake(target)
    return open_db(settings, read_only=True, path=path)
