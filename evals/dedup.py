"""Quality of story (wire copy) and event grouping.

Stories: copy variants generated from real article texts (headline rewrite, dropped final
paragraphs, inserted boilerplate and credit lines, re-paragraphing, small word edits), mixed
with every other article as negatives; pairwise precision and recall of "same story".
Events: ECB+ documents (each topic holds two different real events of the same kind);
B-cubed precision, recall and F1 of the online event grouping against the sub-topics.
"""

from __future__ import annotations

import argparse
import json
import random
from collections import defaultdict
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

from evals.replay import Item, group_items

BOILERPLATE = (
    "Follow us on Twitter and Facebook for the latest updates.",
    "Also read: Markets close higher as IT stocks rally for a third day",
    "(With inputs from IANS)",
    "Subscribe to our newsletter for the morning briefing.",
    "Disclaimer: This story has not been edited by our staff and is auto-generated from a "
    "syndicated feed.",
    "Read more stories like this on our app.",
)


def _paragraphs(text: str) -> list[str]:
    return [p for p in text.split("\n") if p.strip()]


def make_variant(text: str, rng: random.Random) -> str:
    """A republished copy: some of the edits outlets make to a wire story."""
    paras = _paragraphs(text)
    if len(paras) > 3 and rng.random() < 0.6:  # trimmed ending
        keep = max(2, int(len(paras) * rng.uniform(0.6, 0.85)))
        paras = paras[:keep]
    if rng.random() < 0.5:  # re-paragraphed
        paras = [" ".join(paras[i : i + 2]) for i in range(0, len(paras), 2)]
    words = " \n ".join(paras).split(" ")
    for _ in range(max(1, len(words) // 40)):  # small word edits, about 2.5 %
        i = rng.randrange(len(words))
        words[i] = rng.choice(["reportedly", "also", "on Friday", "the", words[i].upper()])
    body = " ".join(words)
    headline = "Updated: " + " ".join(
        rng.sample(paras[0].split()[:12], min(8, len(paras[0].split()[:12])))
    )
    extra = rng.sample(BOILERPLATE, rng.randint(1, 3))
    return "\n".join([headline, *extra[:1], body, *extra[1:]])


def story_pairs_score(
    texts: list[str],
    variants_per_text: int = 3,
    seed: int = 7,
    same_topic: list[tuple[str, str]] | None = None,
) -> tuple[float, float, int]:
    """Pairwise precision and recall of "same story" over the texts, their copy variants and
    `same_topic` negatives: (group, text) reports of related events (pairs inside one group
    are left out, since some of those are true wire copies no one labeled)."""
    rng = random.Random(seed)
    docs: list[tuple[str, str, str]] = [(f"t{i}", "", t) for i, t in enumerate(texts)]
    docs += [
        (f"t{i}", "", make_variant(t, rng))
        for i, t in enumerate(texts)
        for _ in range(variants_per_text)
    ]
    docs += [(f"n{n}", group, text) for n, (group, text) in enumerate(same_topic or [])]
    rng.shuffle(docs)
    found = group_items([Item(f"d{n}", text) for n, (_, _, text) in enumerate(docs)])
    predicted = [found[f"d{n}"][0] or f"alone{n}" for n in range(len(docs))]
    pairs = [
        (a, b)
        for a, b in combinations(range(len(docs)), 2)
        if not (docs[a][1] and docs[a][1] == docs[b][1])
    ]
    same_pred = {(a, b) for a, b in pairs if predicted[a] == predicted[b]}
    same_gold = {(a, b) for a, b in pairs if docs[a][0] == docs[b][0]}
    hits = len(same_pred & same_gold)
    return hits / max(1, len(same_pred)), hits / max(1, len(same_gold)), len(docs)


@dataclass(frozen=True)
class BCubed:
    precision: float
    recall: float

    @property
    def f1(self) -> float:
        return 2 * self.precision * self.recall / (self.precision + self.recall)


def b_cubed(predicted: list[str], gold: list[str]) -> BCubed:
    clusters: defaultdict[str, set[int]] = defaultdict(set)
    classes: defaultdict[str, set[int]] = defaultdict(set)
    for i, (p, g) in enumerate(zip(predicted, gold, strict=True)):
        clusters[p].add(i)
        classes[g].add(i)
    precision = recall = 0.0
    for p, g in zip(predicted, gold, strict=True):
        common = len(clusters[p] & classes[g])
        precision += common / len(clusters[p])
        recall += common / len(classes[g])
    return BCubed(precision / len(gold), recall / len(gold))


def event_score(docs: list[dict[str, str]], seed: int = 7) -> BCubed:
    order = list(range(len(docs)))
    random.Random(seed).shuffle(order)
    found = group_items([Item(f"d{n}", docs[n]["text"]) for n in order])
    predicted = [found[f"d{n}"][1] or f"alone{n}" for n in order]
    return b_cubed(predicted, [docs[n]["subtopic"] for n in order])


def load_article_texts(ground_truth: Path, min_words: int = 150) -> list[str]:
    truth = json.loads(ground_truth.read_text())
    return [v["articleBody"] for v in truth.values() if len(v["articleBody"].split()) >= min_words]


def load_ecb(path: Path) -> list[dict[str, str]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=Path, required=True, help="scrapinghub ground-truth")
    parser.add_argument("--ecb", type=Path, required=True, help="ecbplus_docs_derived.jsonl")
    args = parser.parse_args()
    texts = load_article_texts(args.articles)
    ecb = load_ecb(args.ecb)
    negatives = [(d["subtopic"], d["text"]) for d in ecb]
    precision, recall, n = story_pairs_score(texts, same_topic=negatives)
    print(
        f"stories: pairwise precision {precision:.3f}, recall {recall:.3f} ({len(texts)} "
        f"articles + 3 copy variants each + {len(ecb)} ECB+ reports of same-kind events as "
        f"negatives = {n} texts; targets 0.98 / 0.95)"
    )
    scores = event_score(ecb)
    print(
        f"events (ECB+ sub-topics): B-cubed precision {scores.precision:.3f}, recall "
        f"{scores.recall:.3f}, F1 {scores.f1:.3f} (target 0.80)"
    )


if __name__ == "__main__":
    main()
