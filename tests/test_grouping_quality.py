"""Quality gate for stories and events, on the in-repo subsets (`make eval` runs the full sets).
Floors are the scores achieved when they were pinned (docs/decisions.md, "Stories and events")."""

from pathlib import Path

from evals.dedup import event_score, load_ecb, story_pairs_score

ROOT = Path(__file__).resolve().parents[1]


def _texts():
    folders = [
        ROOT / "tests" / "fixtures" / "claims" / "texts",
        ROOT / "wirewatch" / "sample_site" / "data" / "seeds",
    ]
    # the ecb_* claim fixtures are ECB+ documents themselves: they would be their own copies
    return [
        p.read_text(encoding="utf-8")
        for f in folders
        for p in sorted(f.glob("*.txt"))
        if not p.name.startswith("ecb_")
    ]


def test_copy_variants_are_found_and_nothing_else_is_merged():
    ecb = load_ecb(ROOT / "tests" / "fixtures" / "events" / "ecbplus_subset.jsonl")
    negatives = [(d["subtopic"], d["text"]) for d in ecb]  # reports of same-kind events
    precision, recall, n = story_pairs_score(_texts(), same_topic=negatives)
    assert n == 140
    assert precision >= 1.0
    # Copies are confirmed at exact containment 0.8 (docs/decisions.md, "Grouping in a
    # stream"): variants whose inserted headline and boilerplate lines push them under it are
    # missed; 0.7 found them all but merged different write-ups of one real shooting.
    assert recall >= 0.70


def test_events_keep_sibling_events_apart_on_the_ecb_subset():
    docs = load_ecb(ROOT / "tests" / "fixtures" / "events" / "ecbplus_subset.jsonl")
    scores = event_score(docs)
    assert len({d["subtopic"] for d in docs}) == 8
    assert scores.f1 >= 0.90, scores
