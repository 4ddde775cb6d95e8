"""A deterministic stand-in for the sentence encoder: hashed bags of words, L2-normalised."""

from __future__ import annotations

import re
import zlib

import numpy as np
from numpy.typing import NDArray

DIM = 512
_WORD = re.compile(r"\w+")


class WordEncoder:
    """Embed a text as the normalised sum of one hashed unit vector per word."""

    def encode(self, texts: list[str]) -> NDArray[np.float32]:
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in _WORD.findall(text.lower()):
                out[row, zlib.crc32(word.encode()) % DIM] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return np.divide(out, norms, out=np.zeros_like(out), where=norms > 0)
