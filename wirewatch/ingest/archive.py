"""Where the raw HTML archive lives, as the settings say (storage/warc.py does the work)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from extractors.pages import Page
from extractors.process import Processed, process_page
from storage.warc import WarcArchive, expire_files, read_raw_html
from wirewatch.settings import Settings, open_db


def warc_folder(settings: Settings) -> Path:
    return settings.warc_dir or settings.db_path.parent / "warc"


def raw_archive(settings: Settings) -> WarcArchive | None:
    """The archive the writer appends to; None keeps raw HTML in the database (raw_html_z)."""
    if not settings.archive_raw_html:
        return None
    return WarcArchive(warc_folder(settings), int(settings.warc_rotate_mb * 1024 * 1024))


def expire_archive(settings: Settings) -> list[str]:
    """Apply `warc_retention_days`: delete older WARC files, flag them in the database."""
    if not settings.warc_retention_days:
        return []
    with open_db(settings) as con:
        return expire_files(
            con, warc_folder(settings), settings.warc_retention_days, datetime.now(UTC)
        )


def reextract(settings: Settings, article_id: str, version: int) -> Processed | None:
    """Run the current extraction again over a version's archived raw HTML (a better
    extractor, new claim rules); None when its WARC file has expired."""
    with open_db(settings, read_only=True) as con:
        body = read_raw_html(con, warc_folder(settings), article_id, version)
    if body is None:
        return None
    return process_page(Page("", "text/html", body), settings.extract_fast)
