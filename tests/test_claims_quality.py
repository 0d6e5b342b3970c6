"""Quality gate: claim extraction scores on the two labeled sets may not drop below the floors
achieved when they were pinned (see docs/claims.md). `make eval` prints the same scores."""

from pathlib import Path

import pytest

from evals.claims import load, score

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "claims"
SETS = {
    "seeds": (FIXTURES / "seeds.gold.jsonl", ROOT / "wirewatch" / "sample_site" / "data" / "seeds"),
    "extra": (FIXTURES / "extra.gold.jsonl", FIXTURES / "texts"),
}
FLOORS = {  # recall, precision, claimant_kind accuracy
    "seeds": (1.00, 1.00, 1.00),
    "extra": (1.00, 1.00, 1.00),
}


@pytest.mark.parametrize("name", sorted(SETS))
def test_claim_scores_stay_above_their_floors(name):
    scores = score(*load(*SETS[name]))
    recall, precision, kind = FLOORS[name]
    assert scores.recall >= recall, scores
    assert scores.precision >= precision, scores
    assert scores.kind_accuracy >= kind, scores
    assert scores.required > 10  # the set is really there
