"""Score claim extraction against a gold JSONL (the seeds' format).

A gold row matches an extracted claim with the same doc, metric and value whose subject is one
of the row's subjects. Recall counts required rows matched; precision counts extracted claims
that match any gold row (required or not: optional rows are neither required nor penalized);
claimant_kind is right when a matching claim has the row's kind (the same figure often appears
in several sentences of one text, attributed differently: a headline and the body).
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from pathlib import Path

from extractors.claims import Claim, extract_claims


@dataclass(frozen=True)
class Scores:
    recall: float
    precision: float
    kind_accuracy: float
    required: int
    extracted: int

    def line(self, name: str) -> str:
        return (
            f"{name}: recall {self.recall:.3f} ({self.required} required), precision "
            f"{self.precision:.3f} ({self.extracted} extracted), claimant_kind "
            f"{self.kind_accuracy:.3f}"
        )


def _matches(gold: dict, claim: Claim) -> bool:
    return (
        claim.metric == gold["metric"]
        and claim.value == gold["value"]
        and claim.subject in gold["subject"]
    )


def score(gold_rows: list[dict], extracted: dict[str, list[Claim]]) -> Scores:
    required = [g for g in gold_rows if g.get("required", True)]
    found = kind_ok = 0
    for gold in required:
        hits = [c for c in extracted.get(gold["doc"], []) if _matches(gold, c)]
        found += bool(hits)
        kind_ok += any(c.claimant_kind == gold["claimant_kind"] for c in hits)
    claims = [(doc, c) for doc, cs in extracted.items() for c in cs]
    correct = sum(any(g["doc"] == doc and _matches(g, c) for g in gold_rows) for doc, c in claims)
    return Scores(
        found / max(1, len(required)),
        correct / max(1, len(claims)),
        kind_ok / max(1, found),
        len(required),
        len(claims),
    )


def load(gold_path: Path, texts: Path) -> tuple[list[dict], dict[str, list[Claim]]]:
    rows = [json.loads(line) for line in gold_path.read_text().splitlines() if line.strip()]
    docs = sorted(p.name for p in texts.glob("*.txt"))  # texts without figures count too
    return rows, {doc: extract_claims((texts / doc).read_text(encoding="utf-8")) for doc in docs}


def misses(gold_rows: list[dict], extracted: dict[str, list[Claim]]) -> list[str]:
    out = [
        f"missed {g['doc'][:12]} {g['metric']} {g['subject']} {g['value']}"
        for g in gold_rows
        if g.get("required", True) and not any(_matches(g, c) for c in extracted.get(g["doc"], []))
    ]
    out += [
        f"extra  {doc[:12]} {c.claimant_kind} {c.metric} {c.subject} {c.value}: {c.sentence[:90]}"
        for doc, cs in extracted.items()
        for c in cs
        if not any(g["doc"] == doc and _matches(g, c) for g in gold_rows)
    ]
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("sets", nargs="+", help="NAME=GOLD.jsonl:TEXT_DIR")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args()
    for spec in args.sets:
        name, paths = spec.split("=", 1)
        gold, texts = paths.split(":", 1)
        rows, extracted = load(Path(gold), Path(texts))
        print(score(rows, extracted).line(name))
        if args.verbose:
            print("\n".join("  " + m for m in misses(rows, extracted)))


if __name__ == "__main__":
    main()
