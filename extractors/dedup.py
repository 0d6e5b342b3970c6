"""Near-duplicate wire copies: MinHash signatures of word shingles, an LSH index for candidates,
and a containment check, so that a trimmed republication (mostly contained in the original)
is caught as well as a full copy.

    fingerprint(text) -> Fingerprint          (pure; runs in the extraction workers)
    StoryIndex().assign(key, fingerprint)     (online: the matching story, or a new one)
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
from datasketch import LeanMinHash, MinHash, MinHashLSH

DEDUP_VERSION = "dedup-1"
NUM_PERM = 128
SHINGLE_WORDS = 4
#: LSH finds pairs from about this Jaccard similarity; a copy trimmed to half scores 0.5.
LSH_THRESHOLD = 0.3
#: A candidate is a copy when this share of the smaller text's shingles is in the other.
MIN_CONTAINMENT = 0.6
_WORD = re.compile(r"\w+")
_SCHEME = "affine32"


@dataclass(frozen=True, slots=True)
class Fingerprint:
    n_shingles: int
    signature: bytes  # NUM_PERM uint32 MinHash values


def shingles(text: str) -> set[bytes]:
    words = _WORD.findall(text.lower())
    if len(words) < SHINGLE_WORDS:
        return {" ".join(words).encode()} if words else set()
    return {
        " ".join(words[i : i + SHINGLE_WORDS]).encode()
        for i in range(len(words) - SHINGLE_WORDS + 1)
    }


def fingerprint(text: str) -> Fingerprint:
    found = shingles(text)
    minhash = MinHash(num_perm=NUM_PERM, scheme=_SCHEME)
    minhash.update_batch(list(found))
    return Fingerprint(len(found), LeanMinHash(minhash).hashvalues.astype(np.uint32).tobytes())


def _lean(fp: Fingerprint) -> LeanMinHash:
    values = np.frombuffer(fp.signature, dtype=np.uint32)
    return LeanMinHash(seed=1, hashvalues=values, scheme=_SCHEME)


def containment(a: Fingerprint, b: Fingerprint) -> float:
    """Estimated share of the smaller shingle set found in the other (from Jaccard and sizes)."""
    if not a.n_shingles or not b.n_shingles:
        return 0.0
    jaccard = float(_lean(a).jaccard(_lean(b)))
    overlap = jaccard * (a.n_shingles + b.n_shingles) / (1 + jaccard)
    return min(1.0, overlap / min(a.n_shingles, b.n_shingles))


class StoryIndex:
    """Every stored version's signature, queryable for copies. Rebuilt from storage at start."""

    def __init__(self) -> None:
        self._lsh = MinHashLSH(threshold=LSH_THRESHOLD, num_perm=NUM_PERM)
        self._items: dict[str, tuple[str, Fingerprint]] = {}

    def __len__(self) -> int:
        return len(self._items)

    def add(self, key: str, story_id: str, fp: Fingerprint) -> None:
        if key in self._items:
            return
        self._items[key] = (story_id, fp)
        self._lsh.insert(key, _lean(fp))

    def match(self, fp: Fingerprint) -> str | None:
        """The story of the most contained candidate above MIN_CONTAINMENT, if any."""
        if not fp.n_shingles:
            return None
        best, best_score = None, MIN_CONTAINMENT
        for key in self._lsh.query(_lean(fp)):
            story_id, other = self._items[key]
            score = containment(fp, other)
            if score >= best_score:
                best, best_score = story_id, score
        return best

    def assign(self, key: str, fp: Fingerprint, new_story_id: str) -> str:
        """Add the version under `key`; return its story (an existing one, or `new_story_id`)."""
        story_id = self.match(fp) or new_story_id
        self.add(key, story_id, fp)
        return story_id
