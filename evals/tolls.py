"""gva-dev: how often the text's own death toll is found as a `killed` claim.

Over articles of ../shared/streams/gva-dev whose incident has a known `num_killed` (>= 1) and
whose text (title and body) states that number near a word of death, the share of articles
with a `killed` claim of exactly that value. A signal, not a target: an early article may state
another figure, and GVA's final tally is not the text's.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from extractors.claims import extract_claims

_WORDS = "zero one two three four five six seven eight nine ten eleven twelve".split()
_DEATH = r"(?:killed|dead|died|deaths?|slain|fatal\w*|lives|bodies)"


def states_toll(text: str, toll: int) -> bool:
    """The toll is written (digits, or a word up to twelve) within a clause of a death word."""
    number = rf"(?:{toll}|{_WORDS[toll]})" if toll < len(_WORDS) else str(toll)
    near = rf"\b{number}\b[^.;\n]{{0,60}}\b{_DEATH}\b|\b{_DEATH}\b[^.;\n]{{0,30}}\b{number}\b"
    return re.search(near, text, re.IGNORECASE) is not None


def _articles(directory: Path) -> list[tuple[str, int]]:
    tolls = {}
    for line in (directory / "incidents.jsonl").read_text().splitlines():
        row = json.loads(line)
        if row.get("num_killed"):
            tolls[row["incident_uri"]] = int(row["num_killed"])
    found = []
    for line in (directory / "docs.jsonl").read_text().splitlines():
        doc = json.loads(line)
        toll = tolls.get(doc["incident"])
        text = f"{doc['title']}\n{doc['content']}"
        if toll and states_toll(text, toll):
            found.append((text, toll))
    return found


def report_tolls(directory: Path, verbose: bool = False) -> None:
    if not (directory / "docs.jsonl").is_file():
        print(f"{directory}: not there, the toll check is skipped")
        return
    articles = _articles(directory)
    hits = 0
    for text, toll in articles:
        values = {c.value for c in extract_claims(text) if c.metric == "killed"}
        hits += toll in values
        if verbose and toll not in values:
            print(f"  missed killed {toll}: found {sorted(values)}: {text[:100]!r}")
    share = hits / max(1, len(articles))
    print(
        f"{directory.name} tolls: killed == num_killed in {hits} of {len(articles)} articles "
        f"that state it ({share:.2f})"
    )
