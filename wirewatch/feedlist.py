"""The feeds file (YAML) and OPML import into it."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlsplit

import yaml


class FeedListError(ValueError):
    """The feeds file or an OPML file is not usable; the message says where."""


@dataclass(frozen=True, slots=True)
class FeedSpec:
    url: str
    name: str
    outlet: str
    agency: str | None = None


def _outlet_of(url: str, name: str) -> str:
    host = urlsplit(url).hostname or ""
    if host and host not in ("127.0.0.1", "localhost"):
        return host.removeprefix("www.")
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "unknown"


def _spec(item: object, where: str) -> FeedSpec:
    if not isinstance(item, dict) or not isinstance(item.get("url"), str):
        raise FeedListError(f"{where}: each feed needs at least a `url`")
    url = item["url"].strip()
    if urlsplit(url).scheme not in ("http", "https"):
        raise FeedListError(f"{where}: {url!r} is not an http(s) URL")
    name = str(item.get("name") or url)
    outlet = str(item.get("outlet") or _outlet_of(url, name))
    agency = item.get("agency")
    return FeedSpec(url, name, outlet, str(agency) if agency else None)


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


def load_feeds(path: Path) -> list[FeedSpec]:
    try:
        data = yaml.safe_load(_read_feeds_text(path)) or {}
    except yaml.YAMLError as exc:
        raise FeedListError(f"{path}: not valid YAML: {exc}") from exc
    items = data.get("feeds", []) if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise FeedListError(f"{path}: expected a mapping with a `feeds:` list")
    specs = [_spec(item, f"{path} feed #{i + 1}") for i, item in enumerate(items)]
    first_by_url: dict[str, FeedSpec] = {}
    for spec in specs:
        first_by_url.setdefault(spec.url, spec)  # a feed listed twice is polled once
    return list(first_by_url.values())


def read_opml(content: bytes) -> list[FeedSpec]:
    try:
        root = ET.fromstring(content)
    except ET.ParseError as exc:
        raise FeedListError(f"not valid OPML: {exc}") from exc
    specs = []
    for outline in root.iter("outline"):
        url = outline.get("xmlUrl") or outline.get("xmlurl")
        if url:
            name = outline.get("title") or outline.get("text") or url
            specs.append(
                _spec(
                    {
                        "url": url,
                        "name": name,
                        "outlet": _outlet_of(outline.get("htmlUrl") or url, name),
                    },
                    f"outline {name!r}",
                )
            )
    return specs


def import_opml(opml: Path, feeds_file: Path) -> int:
    """Add the OPML's feeds to the feeds file (creating it); return how many were new."""
    existing = load_feeds(feeds_file) if feeds_file.exists() else []
    known = {spec.url for spec in existing}
    new = [s for s in read_opml(opml.read_bytes()) if s.url not in known]
    items = [{k: v for k, v in asdict(s).items() if v} for s in [*existing, *new]]
    feeds_file.write_text(yaml.safe_dump({"feeds": items}, sort_keys=False), encoding="utf-8")
    return len(new)
