"""Texts straight into the write path (storage.records.write_batch with the real Grouping, on
a DuckDB file), skipping HTTP and trafilatura: how the evals and quality tests group texts."""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from extractors.claims import extract_claims
from extractors.dedup import fingerprint
from extractors.events import event_features, terms_json
from extractors.pages import hash_text, version_key
from extractors.wire import detect_agency
from storage import records
from storage.db import connect
from wirewatch.ingest.cycle import claim_row
from wirewatch.sequence.grouping import Grouping

NO_DATE = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Item:
    key: str  # becomes the article id
    text: str
    title: str = ""
    when: datetime | None = None
    url: str = ""
    outlet: str = ""


def version_row(item: Item, claims: bool = True) -> records.VersionRow:
    when = item.when or NO_DATE
    features = event_features(item.text, item.title)
    fp = fingerprint(item.text)
    found = extract_claims(item.text, context=item.title) if claims else []
    return records.VersionRow(
        item.key, item.url or item.key, item.outlet, "replay", when, item.when, "page",
        item.title, "", "", "en", item.text, hash_text(version_key(item.text, item.title)),
        "replay", "0", item.url, b"",
        claims=tuple(claim_row(c) for c in found), claims_version="replay",
        n_shingles=fp.n_shingles, signature=fp.signature, agency=detect_agency(item.text),
        terms=terms_json(features), names=tuple(sorted(features.names)),
    )  # fmt: skip


def write_batches(batches: list[list[Item]], db: Path, claims: bool = True) -> list[float]:
    """Write each batch as one ingest batch would be; the seconds each write took."""
    times, grouping = [], Grouping()
    for batch in batches:
        rows = [version_row(item, claims) for item in batch]
        start = time.perf_counter()
        with connect(db) as con:  # as the pipeline opens it (migrations, row group size)
            records.write_batch(con, records.Batch(pages=rows), group=grouping)
        times.append(time.perf_counter() - start)
    return times


def assignments(db: Path) -> dict[str, tuple[str | None, str | None]]:
    """article id -> (story_id, event_id) of its first version; (None, None) for non-articles."""
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            "SELECT s.article_id, s.story_id, e.event_id, s.not_article FROM version_stories s "
            "LEFT JOIN story_events e USING (story_id) WHERE s.version = 1"
        ).fetchall()
    return {a: (None, None) if flag else (s, e) for a, s, e, flag in rows}


def group_items(
    items: list[Item], batch_size: int = 50, claims: bool = False
) -> dict[str, tuple[str | None, str | None]]:
    """Each item's (story_id, event_id), written in order in batches of `batch_size`."""
    batches = [items[i : i + batch_size] for i in range(0, len(items), batch_size)]
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "replay.duckdb"
        write_batches(batches, db, claims)
        return assignments(db)


def related_roots(db: Path) -> dict[str, str]:
    """event_id -> the oldest event it follows up through related_event_id links."""
    with duckdb.connect(str(db), read_only=True) as con:
        links = dict(
            con.execute(
                "SELECT event_id, related_event_id FROM event_profiles "
                "WHERE related_event_id IS NOT NULL"
            ).fetchall()
        )
    roots = {}
    for event in links:
        root, seen = event, set()
        while root in links and root not in seen:
            seen.add(root)
            root = links[root]
        roots[event] = root
    return roots
