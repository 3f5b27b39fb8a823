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

import functools
import hashlib
import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np

from cskh.social.lexicon import normalize

if TYPE_CHECKING:
    from datasketch import LeanMinHash

# datasketch is imported where a signature is made: its package imports its LSH module and,
# through it, SciPy's integrate and optimize, a quarter of a second of CPU that every process
# would otherwise pay at start (the API's URLconf imports the social services).

__all__ = ["NUM_PERM", "BANDS", "ROWS", "MIN_CHARS", "signatures", "bands", "jaccard"]

NUM_PERM = 64
BANDS = 16
ROWS = 4
SEED = 17
MIN_CHARS = 30  # shorter posts ("mất điện!!!") are too alike to call copies
_MARKERS = re.compile(r"\b(emopos|emoneg|sarcasmx|shoutx|exclaimx|elongx|urlx|userx)\b")


def shingles(text: str, k: int = 5, *, normalized: str | None = None) -> list[bytes]:
    """Character k-grams of the normalized text (``normalized``: ``lexicon.normalize(text)``
    when the caller already has it)."""
    norm = normalize(text) if normalized is None else normalized
    s = " ".join(_MARKERS.sub(" ", norm).split())
    if len(s) < MIN_CHARS:
        return []
    return list({s[i : i + k].encode() for i in range(len(s) - k + 1)})


@functools.cache
def _hash32() -> Callable[[bytes], int]:
    """datasketch's default hash function, memoised: posts share most of their 5-grams (the
    same words, the same complaint copied), so a batch hashes each distinct shingle once. The
    values are datasketch's own, so stored signatures stay comparable."""
    from datasketch.hashfunc import sha1_hash32

    return functools.lru_cache(maxsize=500_000)(sha1_hash32)


def signatures(
    texts: Sequence[str], normalized: Sequence[str] | None = None
) -> list[np.ndarray | None]:
    """uint32 MinHash values per text (None for a text too short to compare)."""
    if normalized is None:
        sets = [shingles(t) for t in texts]
    else:
        sets = [shingles(t, normalized=n) for t, n in zip(texts, normalized, strict=True)]
    present = [s for s in sets if s]
    if not present:
        return [None] * len(texts)
    from datasketch import MinHash

    hashes = MinHash.bulk(
        present, num_perm=NUM_PERM, seed=SEED, scheme="affine32", hashfunc=_hash32()
    )
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


def to_hex(sig: np.ndarray) -> str:
    """The signature as stored (``Mention.minhash``): hex of the little-endian uint32s. Text,
    not bytea, so a batch INSERT of mentions takes PostgreSQL's UNNEST form (one parameter
    per column instead of one per value)."""
    return sig.astype("<u4").tobytes().hex()


def from_hex(raw: str) -> np.ndarray:
    return np.frombuffer(bytes.fromhex(raw), dtype="<u4").astype(np.uint32)


def lean(sig: np.ndarray) -> LeanMinHash:
    """The stored signature as a datasketch LeanMinHash (affine32 scheme, our seed)."""
    from datasketch import LeanMinHash

    return LeanMinHash(seed=SEED, hashvalues=sig, scheme="affine32")


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of two signatures: the share of equal MinHash values,
    datasketch's estimator (``MinHash.jaccard``), computed on the arrays to spare building
    two objects per candidate pair in the hot path (tests check both agree)."""
    return float(np.count_nonzero(a == b)) / len(a)
