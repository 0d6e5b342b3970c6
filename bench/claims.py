"""Claim extraction speed: articles per second on one core, over real article texts.

The first pass meets every word for the first time (spaCy grows its vocabulary); the second
is the steady state of a long-running process.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from extractors.claims import extract_claims


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", type=Path, required=True)
    args = parser.parse_args()
    truth = json.loads((args.corpus / "ground-truth.json").read_text())
    texts = [item["articleBody"] for item in truth.values()]
    words = sum(len(t.split()) for t in texts) / len(texts)
    print(f"claims: {len(texts)} article texts, {words:.0f} words avg")
    for label in ("cold (first pass)", "warm (steady state)"):
        started = time.perf_counter()
        found = sum(len(extract_claims(text)) for text in texts)
        rate = len(texts) / (time.perf_counter() - started)
        print(
            f"claim extraction, 1 core, {label}: {rate:6.0f} articles/s  ({found} claims; "
            f"target >= 200)"
        )


if __name__ == "__main__":
    main()
