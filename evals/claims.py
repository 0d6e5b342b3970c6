"""Score claim extraction against a gold JSONL (the seeds' format).

A gold row matches an extracted claim with the same doc, metric and value whose subject is one
of the row's subjects. Recall counts required rows matched; precision counts extracted claims
that match any gold row (required or not: optional rows are neither required nor penalized);
claimant_kind is right when a matching claim has the row's kind (the same figure often appears
in several sentences of one text, attributed differently: a headline and the body).

    python -m evals.claims NAME=GOLD.jsonl:TEXT_DIR ...  one line per set
    python -m evals.claims --by-source DIR   claims-dev: per file prefix and overall
    python -m evals.claims --tolls DIR       gva-dev: killed tolls found (see tolls.py)

`--only wtd,ecb` limits --by-source to some sources (held-out checks); `-v` lists misses and
extras. A directory that is not there is skipped with a message (the research sets live in
../shared, which a plain clone does not have).
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


def figures(gold_rows: list[dict]) -> list[tuple[dict, set[str]]]:
    """Required rows collapsed into figures: one figure stated in the text's own voice and by a
    source has a row per claimant_kind, and either attribution is accepted (the rubric)."""
    kinds: dict[tuple, tuple[dict, set[str]]] = {}
    for gold in gold_rows:
        if gold.get("required", True):
            key = (gold["doc"], gold["metric"], gold["value"], tuple(sorted(gold["subject"])))
            kinds.setdefault(key, (gold, set()))[1].add(gold["claimant_kind"])
    return list(kinds.values())


def score(gold_rows: list[dict], extracted: dict[str, list[Claim]]) -> Scores:
    required = figures(gold_rows)
    found = kind_ok = 0
    for gold, kinds in required:
        hits = [c for c in extracted.get(gold["doc"], []) if _matches(gold, c)]
        found += bool(hits)
        kind_ok += any(c.claimant_kind in kinds for c in hits)
    claims = [(doc, c) for doc, cs in extracted.items() for c in cs]
    correct = sum(any(g["doc"] == doc and _matches(g, c) for g in gold_rows) for doc, c in claims)
    return Scores(
        found / max(1, len(required)),
        correct / max(1, len(claims)),
        kind_ok / max(1, found),
        len(required),
        len(claims),
    )


def load(
    gold_path: Path, texts: Path, prefixes: tuple[str, ...] = ("",)
) -> tuple[list[dict], dict[str, list[Claim]]]:
    rows = [json.loads(line) for line in gold_path.read_text().splitlines() if line.strip()]
    rows = [r for r in rows if r["doc"].startswith(prefixes)]
    # texts without figures count too
    docs = sorted(p.name for p in texts.glob("*.txt") if p.name.startswith(prefixes))
    return rows, {doc: extract_claims((texts / doc).read_text(encoding="utf-8")) for doc in docs}


def misses(gold_rows: list[dict], extracted: dict[str, list[Claim]]) -> list[str]:
    out = [
        f"missed {g['doc'][:12]} {','.join(sorted(k))} {g['metric']} {g['subject']} {g['value']}"
        for g, k in figures(gold_rows)
        if not any(_matches(g, c) for c in extracted.get(g["doc"], []))
    ]
    out += [
        f"kind   {g['doc'][:12]} {g['metric']} {g['value']}: want {','.join(sorted(k))}, got "
        + ",".join(sorted({c.claimant_kind for c in hits}))
        for g, k in figures(gold_rows)
        if (hits := [c for c in extracted.get(g["doc"], []) if _matches(g, c)])
        and not any(c.claimant_kind in k for c in hits)
    ]
    out += [
        f"extra  {doc[:12]} {c.claimant_kind} {c.metric} {c.subject} {c.value}: {c.sentence[:90]}"
        for doc, cs in extracted.items()
        for c in cs
        if not any(g["doc"] == doc and _matches(g, c) for g in gold_rows)
    ]
    return out


def _report(name: str, rows: list[dict], extracted: dict[str, list[Claim]], verbose: bool) -> None:
    print(score(rows, extracted).line(name))
    if verbose:
        print("\n".join("  " + m for m in misses(rows, extracted)))


def score_by_source(directory: Path, only: tuple[str, ...], verbose: bool) -> None:
    """claims-dev: one line per source (the file name's prefix before `_`), then all of them."""
    gold = directory / "claims.gold.jsonl"
    names = sorted(p.name for p in (directory / "texts").glob("*.txt"))
    sources = sorted(
        {n.split("_", 1)[0] for n in names} & set(only or [n.split("_")[0] for n in names])
    )
    rows, extracted = load(gold, directory / "texts", tuple(f"{s}_" for s in sources))
    for source in sources:
        mine = {d: c for d, c in extracted.items() if d.startswith(f"{source}_")}
        _report(f"  {source}", [r for r in rows if r["doc"] in mine], mine, verbose)
    print(score(rows, extracted).line(f"{directory.name} ({'+'.join(sources)})"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("sets", nargs="*", help="NAME=GOLD.jsonl:TEXT_DIR")
    parser.add_argument("--by-source", type=Path, help="a claims-dev directory")
    parser.add_argument("--only", default="", help="comma-separated source prefixes")
    parser.add_argument("--tolls", type=Path, help="a gva-dev stream directory")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args()
    for spec in args.sets:
        name, paths = spec.split("=", 1)
        gold, texts = paths.split(":", 1)
        if Path(gold).is_file():
            _report(name, *load(Path(gold), Path(texts)), args.verbose)
        else:
            print(f"{name}: {gold} is not there, skipped")
    if args.by_source is not None:
        if (args.by_source / "claims.gold.jsonl").is_file():
            only = tuple(s for s in args.only.split(",") if s)
            score_by_source(args.by_source, only, args.verbose)
        else:
            print(f"{args.by_source}: not there, claims-dev skipped")
    if args.tolls is not None:
        from evals.tolls import report_tolls

        report_tolls(args.tolls, args.verbose)


if __name__ == "__main__":
    main()
