"""Entries are not dropped silently: parse feed-rs's fixture feeds and compare with feed-rs's
independent expected parses (`*.serde.json`).

For every fixture: the entries we keep must be the expected entries that have a link, and every
entry the parser found must be either kept or counted as skipped with a reason. An entry whose id
is an http(s) URL counts as linked (an RSS guid is a permalink unless it says otherwise; we fetch
it, feed-rs lists no link). JSON Feed fixtures are reported apart: feedparser does not read JSON
Feed, so such a feed is one `parse_error` poll row, not silently empty.

    python -m evals.feeds --fixtures ../shared/corpora/feed-rs-fixtures/fixture
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from extractors.feeds import FeedParseError, parse_feed


@dataclass(frozen=True, slots=True)
class FixtureResult:
    name: str
    expected: int  # entries in feed-rs's parse
    expected_linked: int  # of those, entries with a link
    kept: int
    skipped: dict[str, int]

    @property
    def ok(self) -> bool:
        found = self.kept + sum(self.skipped.values())
        return self.kept == self.expected_linked and found == self.expected


def _linked(entry: dict[str, object]) -> bool:
    links = entry.get("links") or []
    if any(isinstance(link, dict) and link.get("href") for link in links):  # type: ignore[union-attr]
        return True
    return str(entry.get("id") or "").startswith(("http://", "https://"))


def check_fixture(feed: Path, expected_path: Path) -> FixtureResult:
    expected = json.loads(expected_path.read_text(encoding="utf-8"))["entries"]
    try:
        parsed = parse_feed(
            feed.read_bytes(), f"http://fixture.test/{feed.parent.name}/{feed.name}"
        )
        kept, skipped = len(parsed.entries), dict(parsed.skipped)
    except FeedParseError as exc:
        kept, skipped = 0, {f"parse_error:{exc.reason}": len(expected)}
    linked = sum(_linked(entry) for entry in expected)
    return FixtureResult(feed.name, len(expected), linked, kept, skipped)


def check_all(fixtures: Path) -> list[FixtureResult]:
    results = []
    for expected_path in sorted(fixtures.rglob("*.serde.json")):
        stem = expected_path.name.removesuffix(".serde.json")
        feeds = [p for p in expected_path.parent.glob(f"{stem}.*") if p != expected_path]
        if feeds and feeds[0].suffix != ".json":
            results.append(check_fixture(feeds[0], expected_path))
    return results


def count_feedparser_tests(folder: Path) -> Counter[str]:
    """Over feedparser's own test feeds: entries feedparser found, kept, skipped by reason."""
    import feedparser

    counts: Counter[str] = Counter()
    for path in sorted(folder.rglob("*.xml")):
        content = path.read_bytes()
        found = len(feedparser.parse(content, response_headers={"content-location": ""}).entries)
        try:
            parsed = parse_feed(content, f"http://fixture.test/{path.name}")
        except FeedParseError:
            counts["found_in_parse_errors"] += found
            continue
        counts["found"] += found
        counts["kept"] += len(parsed.entries)
        counts.update({f"skipped_{k}": v for k, v in parsed.skipped})
    return counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fixtures", type=Path, required=True)
    parser.add_argument("--feedparser-tests", type=Path, help="feedparser's tests/ folder")
    args = parser.parse_args()
    if args.feedparser_tests:
        counts = count_feedparser_tests(args.feedparser_tests)
        print(f"feedparser test feeds: {dict(sorted(counts.items()))}")
    results = check_all(args.fixtures)
    skipped: Counter[str] = Counter()
    for result in results:
        skipped.update(result.skipped)
        if not result.ok:
            print(
                f"MISMATCH {result.name}: expected {result.expected} entries "
                f"({result.expected_linked} with links), kept {result.kept}, "
                f"skipped {result.skipped}"
            )
    json_feeds = len(list(args.fixtures.rglob("*.json"))) - len(
        list(args.fixtures.rglob("*.serde.json"))
    )
    print(
        f"feed-rs fixtures (XML): {len(results)}, matching {sum(r.ok for r in results)}; "
        f"entries expected {sum(r.expected for r in results)}, "
        f"with links {sum(r.expected_linked for r in results)}, "
        f"kept {sum(r.kept for r in results)}, skipped {dict(skipped)}; "
        f"JSON Feed fixtures not read (parse_error): {json_feeds}"
    )
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
