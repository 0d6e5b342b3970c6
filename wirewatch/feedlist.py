"""The feeds file (YAML, or an OPML file) checked against its schema, and OPML import into it.

A feeds file is a mapping with one key, `feeds:`, a list of entries with the keys in
`ENTRY_KEYS`; any other key is an error that names the closest known key (`feed:` -> `feeds:`,
`nmae:` -> `name:`), so a typo never polls nothing in silence. `add_to_feeds_text` appends an
entry to the file's text, keeping its comments and layout.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import yaml


class FeedListError(ValueError):
    """The feeds file or an OPML file is not usable; the message says where."""


@dataclass(frozen=True, slots=True)
class FeedSpec:
    url: str
    name: str
    outlet: str
    agency: str | None = None
    tags: tuple[str, ...] = ()  # OPML folders, or a `tags:` list in the feeds file
    robots: bool | None = None  # `robots: false` opts this feed out of robots.txt
    min_delay_s: float | None = None  # `min_delay_s: 0`: this feed's own gap between requests


def _outlet_of(url: str, name: str) -> str:
    host = urlsplit(url).hostname or ""
    if host and host not in ("127.0.0.1", "localhost"):
        return host.removeprefix("www.")
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "unknown"


FILE_KEYS = ("feeds",)
ENTRY_KEYS = ("url", "name", "outlet", "agency", "tags", "robots", "min_delay_s")


def unknown_key(key: object, known: tuple[str, ...]) -> str:
    """`unknown key `nmae:` (did you mean `name:`?)`, or the known keys when none is close."""
    close = difflib.get_close_matches(str(key), known, n=1, cutoff=0.6)
    hint = f"did you mean `{close[0]}:`?" if close else "known: " + ", ".join(known)
    return f"unknown key `{key}:` ({hint})"


def _check_keys(item: dict[Any, Any], known: tuple[str, ...], where: str) -> None:
    for key in item:
        if key not in known:
            raise FeedListError(f"{where}: {unknown_key(key, known)}")


def _spec(item: object, where: str) -> FeedSpec:
    if isinstance(item, dict):
        _check_keys(item, ENTRY_KEYS, where)
    if not isinstance(item, dict) or not isinstance(item.get("url"), str):
        raise FeedListError(f"{where}: each feed needs at least a `url`")
    url = item["url"].strip()
    if urlsplit(url).scheme not in ("http", "https"):
        raise FeedListError(f"{where}: {url!r} is not an http(s) URL")
    name = str(item.get("name") or url)
    outlet = str(item.get("outlet") or _outlet_of(url, name))
    agency = item.get("agency")
    tags = item.get("tags") or []
    if not isinstance(tags, list):
        raise FeedListError(f"{where}: `tags` must be a list")
    robots, min_delay_s = _politeness(item, where)
    return FeedSpec(
        url,
        name,
        outlet,
        str(agency) if agency else None,
        tuple(map(str, tags)),
        robots,
        min_delay_s,
    )


def _politeness(item: dict[str, object], where: str) -> tuple[bool | None, float | None]:
    robots, delay = item.get("robots"), item.get("min_delay_s")
    if robots is not None and not isinstance(robots, bool):
        raise FeedListError(f"{where}: `robots` must be true or false")
    if delay is not None and (
        isinstance(delay, bool) or not isinstance(delay, int | float) or delay < 0
    ):
        raise FeedListError(f"{where}: `min_delay_s` must be a number of seconds >= 0")
    return robots, float(delay) if delay is not None else None


def feed_spec(url: str, name: str | None = None) -> FeedSpec:
    """A feeds-file entry for `url` (checked as the feeds file's entries are)."""
    return _spec({"url": url, "name": name or url}, f"feed {url!r}")


def _read_feeds_text(path: Path) -> str:
    if not path.exists():
        raise FeedListError(f"{path}: no such feeds file (set WIREWATCH_FEEDS_FILE)")
    if not path.is_file():
        raise FeedListError(f"{path}: is not a file (a directory?); expected a YAML feeds file")
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise FeedListError(f"{path}: not UTF-8 text (byte {exc.start}); save it as UTF-8") from exc
    except OSError as exc:
        raise FeedListError(f"{path}: cannot be read: {exc.strerror}") from exc


def _is_opml(path: Path, text: str) -> bool:
    return path.suffix.lower() == ".opml" or text.lstrip().startswith("<")


def _opml_specs(path: Path, text: str) -> list[FeedSpec]:
    """An OPML feeds file: every outline must be a usable feed (none skipped in silence)."""
    try:
        found = parse_opml(text.encode("utf-8"))
    except FeedListError as exc:
        raise FeedListError(f"{path}: {exc}") from exc
    if found.skipped:
        raise FeedListError(f"{path}: {found.skipped[0]}")
    return found.specs


def _yaml_items(path: Path, text: str) -> list[Any]:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise FeedListError(f"{path}: not valid YAML: {' '.join(str(exc).split())}") from exc
    if data is None:
        return []  # an empty file (or comments only): no feeds yet
    if not isinstance(data, dict):
        raise FeedListError(f"{path}: expected a mapping with a `feeds:` list")
    _check_keys(data, FILE_KEYS, str(path))
    items = data.get("feeds", None)
    if "feeds" not in data:
        raise FeedListError(f"{path}: no `feeds:` list")
    if items is None:
        return []  # `feeds:` with nothing under it yet
    if not isinstance(items, list):
        raise FeedListError(f"{path}: `feeds:` must be a list of entries")
    return items


def load_feeds(path: Path) -> list[FeedSpec]:
    """The feeds of a feeds file, checked against the schema; the first error is raised."""
    text = _read_feeds_text(path)
    if _is_opml(path, text):
        specs = _opml_specs(path, text)
    else:
        items = _yaml_items(path, text)
        specs = [_spec(item, f"{path} feed #{i + 1}") for i, item in enumerate(items)]
    first_by_url: dict[str, FeedSpec] = {}
    for spec in specs:
        first_by_url.setdefault(spec.url, spec)  # a feed listed twice is polled once
    return list(first_by_url.values())


@dataclass(frozen=True, slots=True)
class OpmlFeeds:
    specs: list[FeedSpec]
    skipped: list[str]  # "<outline>: <why>", one per outline left out


def _folder_tags(feed: dict[str, Any]) -> tuple[str, ...]:
    names: list[str] = []
    for path in feed.get("categories") or []:
        names.extend(str(name) for name in path)
    names.extend(str(tag) for tag in feed.get("tags") or [])
    return tuple(dict.fromkeys(name for name in names if name))


def parse_opml(content: bytes, base_url: str = "") -> OpmlFeeds:
    """The feeds of an OPML file (listparser: any spelling of xmlUrl, nested folders). Folder
    names become tags; a relative URL is resolved against `base_url` or skipped, not fatal."""
    import listparser

    result = listparser.parse(content)
    if result.get("bozo") and not result.feeds:
        raise FeedListError(f"not valid OPML: {result.get('bozo_exception')}")
    if not result.get("version") and not result.feeds:
        raise FeedListError("not valid OPML: no <opml> document found")
    specs, skipped = [], []
    for feed in result.feeds:
        title = str(feed.get("title") or feed.get("url") or "")
        url = urljoin(base_url, str(feed.get("url") or "").strip()) if base_url else feed["url"]
        try:
            spec = _spec({"url": url, "name": title}, f"outline {title!r}")
        except FeedListError as exc:
            skipped.append(str(exc))
            continue
        specs.append(replace(spec, tags=_folder_tags(feed)))
    return OpmlFeeds(specs, skipped)


def read_opml(content: bytes, base_url: str = "") -> list[FeedSpec]:
    return parse_opml(content, base_url).specs


def _entry(spec: FeedSpec) -> dict[str, Any]:
    # keeps `robots: false` and `min_delay_s: 0`, which are settings, not blanks
    item = {k: v for k, v in asdict(spec).items() if v is not None and v not in ((), "")}
    if spec.tags:
        item["tags"] = list(spec.tags)
    return item


def write_feeds(feeds_file: Path, specs: list[FeedSpec]) -> None:
    """Write the feeds file (the whole list, in order)."""
    items = [_entry(spec) for spec in specs]
    feeds_file.write_text(yaml.safe_dump({"feeds": items}, sort_keys=False), encoding="utf-8")


def add_to_feeds_text(text: str, spec: FeedSpec) -> str | None:
    """`text` with `spec` appended as the last entry of its block-style `feeds:` list, every
    other line (comments included) as it was; None when the layout is not one it can extend
    (a flow-style list): the caller rewrites the file then."""
    lines = text.splitlines()
    top = [i for i, line in enumerate(lines) if re.match(r"feeds:\s*(#.*)?$", line)]
    if len(top) != 1:
        return None
    items = [m.group(1) for line in lines[top[0] + 1 :] if (m := re.match(r"(\s*)- ", line))]
    indent = items[0] if items else "  "
    entry = yaml.safe_dump([_entry(spec)], sort_keys=False, allow_unicode=True)
    added = "".join(indent + line + "\n" for line in entry.splitlines())
    return text + ("" if text.endswith("\n") or not text else "\n") + added


def import_opml(opml: Path, feeds_file: Path) -> OpmlFeeds:
    """Add the OPML's new feeds to the feeds file (creating it); return those added and the
    outlines skipped."""
    existing = load_feeds(feeds_file) if feeds_file.exists() else []
    known = {spec.url for spec in existing}
    found = parse_opml(opml.read_bytes())
    new = list({s.url: s for s in found.specs if s.url not in known}.values())
    write_feeds(feeds_file, [*existing, *new])
    return OpmlFeeds(new, found.skipped)
