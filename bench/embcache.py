"""A disk cache of USE-m3 embeddings for benchmark runs (``bench/out/embeddings-*.npz``).

Benchmarks embed the same passages and queries many times while fusion is studied; caching the
vectors by text hash makes a re-run cost seconds instead of minutes. Not used by the product.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from techbridge.matching.semantic import DIM, UseEncoder

OUT = Path(__file__).resolve().parent / "out"


def _key(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=10).hexdigest()


class CachedEncoder(UseEncoder):
    """USE-m3 with a persistent cache at ``path`` (loaded now, written by ``save``)."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path
        self.store: dict[str, NDArray[np.float32]] = {}
        if path.exists():
            data = np.load(path, allow_pickle=False)
            self.store = dict(zip(data["keys"].tolist(), data["vectors"], strict=True))
        self.dirty = False

    def encode(self, texts: list[str], progress: Callable[[int], None] | None = None) -> NDArray[np.float32]:
        keys = [_key(t) for t in texts]
        missing = list(dict.fromkeys(i for i, k in enumerate(keys) if k not in self.store))
        if missing:
            fresh = self._embed([texts[i] for i in missing], progress)
            for i, row in zip(missing, fresh, strict=True):
                self.store[keys[i]] = row
            self.dirty = True
        if not texts:
            return np.zeros((0, DIM), np.float32)
        return np.stack([self.store[k] for k in keys]).astype(np.float32)

    def save(self) -> None:
        """Write the cache if anything new was embedded."""
        if self.dirty:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            keys = np.array(list(self.store), dtype="U20")
            np.savez(self.path, keys=keys, vectors=np.stack(list(self.store.values())))
            self.dirty = False
