"""Near-duplicate detection with MinHash (datasketch) and LSH banding.

The signature of a post is a datasketch ``MinHash`` over the character 5-grams of its folded,
normalized text (so a copy with or without diacritics, a changed emoji or an added "up" still
shares most shingles). The signature is cut into ``BANDS`` bands of ``ROWS`` values; each band
hashes to a 64-bit key stored in ``MentionBand`` for cluster heads. Two posts with Jaccard
similarity s share at least one band with probability 1 − (1 − s^ROWS)^BANDS (≈ 0.97 at
s = 0.6, ≈ 0.2 at s = 0.3); a shared band is then confirmed by the estimated Jaccard
similarity ≥ ``settings.CSKH_SOCIAL_DUPLICATE_THRESHOLD``.

Keeping the bands in the database (not in a per-process index) means every web process and
every batch sees the same clusters.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

import numpy as np
from datasketch import LeanMinHash, MinHash

from cskh.social.lexicon import normalize

__all__ = ["NUM_PERM", "BANDS", "ROWS", "MIN_CHARS", "signatures", "bands", "jaccard"]

NUM_PERM = 64
BANDS = 16
ROWS = 4
SEED = 17
MIN_CHARS = 30  # shorter posts ("mất điện!!!") are too alike to call copies
_MARKERS = re.compile(r"\b(emopos|emoneg|sarcasmx|shoutx|exclaimx|elongx|urlx|userx)\b")


def shingles(text: str, k: int = 5) -> list[bytes]:
    s = " ".join(_MARKERS.sub(" ", normalize(text)).split())
    if len(s) < MIN_CHARS:
        return []
    return list({s[i : i + k].encode() for i in range(len(s) - k + 1)})


def signatures(texts: Sequence[str]) -> list[np.ndarray | None]:
    """uint32 MinHash values per text (None for a text too short to compare)."""
    sets = [shingles(t) for t in texts]
    present = [s for s in sets if s]
    if not present:
        return [None] * len(texts)
    hashes = MinHash.bulk(present, num_perm=NUM_PERM, seed=SEED, scheme="affine32")
    it = iter(hashes)
    return [np.asarray(next(it).hashvalues, dtype=np.uint32) if s else None for s in sets]


def bands(sig: np.ndarray) -> list[int]:
    """BANDS signed 64-bit keys (band index mixed in), for a BigIntegerField."""
    out = []
    for b in range(BANDS):
        chunk = sig[b * ROWS : (b + 1) * ROWS].tobytes()
        digest = hashlib.blake2b(bytes([b]) + chunk, digest_size=8).digest()
        out.append(int.from_bytes(digest, "big", signed=True))
    return out


def to_bytes(sig: np.ndarray) -> bytes:
    return sig.astype(np.uint32).tobytes()


def from_bytes(raw: bytes | memoryview) -> np.ndarray:
    return np.frombuffer(bytes(raw), dtype=np.uint32)


def lean(sig: np.ndarray) -> LeanMinHash:
    """The stored signature as a datasketch LeanMinHash (affine32 scheme, our seed)."""
    return LeanMinHash(seed=SEED, hashvalues=sig, scheme="affine32")


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of two signatures: the share of equal MinHash values,
    datasketch's estimator (``MinHash.jaccard``), computed on the arrays to spare building
    two objects per candidate pair in the hot path (tests check both agree)."""
    return float(np.count_nonzero(a == b)) / len(a)
