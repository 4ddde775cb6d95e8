import numpy as np

from techbridge.matching.aggregate import aggregate, build_membership, evidence_rows, latest
from techbridge.matching.codes import CodeIndex, code_levels, code_similarity
from techbridge.matching.engine import date_keys
from techbridge.matching.fusion import FUSIONS, minmax, zscore
from techbridge.matching.history import activity, collaboration, recency
from techbridge.matching.lexical import LexicalIndex
from techbridge.matching.params import MatchConfig
from techbridge.matching.semantic import DenseIndex, best_sentence_pair


def test_bm25_ranks_the_matching_document_first() -> None:
    index = LexicalIndex().fit([["금형", "알루미늄"], ["라이다", "센서"], ["금형", "금형", "다이캐스팅"]])
    scores = index.scores(["다이캐스팅", "금형", "unknown"])
    assert int(np.argmax(scores)) == 2 and scores[1] == 0


def test_code_hierarchy_group_beats_subclass() -> None:
    assert code_levels("G06T 7/00") == ("G06T", "G06T 7", "G06T 7/00")
    assert code_similarity("G06T 7/00", "G06T 7/00") == 1.0
    assert code_similarity("G06T 7/00", "G06T 7/20") > code_similarity("G06T 7/00", "G06T 5/00") > 0
    assert code_similarity("G06T 7/00", "H04N 7/00") == 0
    scores = (
        CodeIndex().fit([["G06T 7/00"], ["G06T 7/20"], ["G06T 5/00"], ["A01B 1/00"]]).scores(["G06T 7/00"])
    )
    assert list(np.argsort(-scores)[:3]) == [0, 1, 2] and scores[3] == 0


def test_dense_crosses_languages(encoder) -> None:  # type: ignore[no-untyped-def]
    vectors = encoder.encode(
        ["자동차용 라이다 광학 소재", "bananas and apples", "optical materials for automotive lidar"]
    )
    dense = DenseIndex().fit(vectors[1:])
    scores = dense.scores(vectors[0])
    assert scores[1] > scores[0]
    pair = best_sentence_pair(
        encoder, "자동차용 라이다 광학 소재. 바나나", "Fruit is sweet. Optical lidar materials."
    )
    assert pair is not None and "lidar" in pair[1]


def test_dense_hnsw_agrees_with_exact(encoder) -> None:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(300, 512)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    exact, ann = DenseIndex(ann_threshold=10_000).fit(vectors), DenseIndex(ann_threshold=100).fit(vectors)
    assert ann.ann_ is not None
    assert set(exact.search(vectors[5], 10)[0]) == set(ann.search(vectors[5], 10)[0])


def test_aggregation_sums_best_n_usable_items() -> None:
    m = build_membership(["a", "b", "c", "d"], [["x"], ["x"], ["x", "y"], ["y"]])
    scores = np.array([0.5, 0.4, 0.3, 0.9], dtype=np.float32)
    usable = np.array([True, True, True, False])
    np.testing.assert_allclose(aggregate(scores, m, usable, top_n=2), [0.9, 0.3])
    np.testing.assert_allclose(aggregate(scores, m, usable, top_n=3, decay=0.5), [0.5 + 0.2 + 0.075, 0.3])
    assert evidence_rows(scores, m, usable, 0, 2) == [0, 1]


def test_history_prior_and_recency() -> None:
    m = build_membership(["a", "b", "c"], [["co", "x"], ["co", "y"], ["y"]])
    orgs = [frozenset({"co", "x"}), frozenset({"co", "y"}), frozenset({"y"})]
    usable = np.array([True, True, True])
    hist = collaboration(m, orgs, usable, ["co"])
    assert m.ids == ("co", "x", "y") and hist[1] == hist[2] > 0
    assert activity(m, usable)[2] > activity(m, usable)[1]
    years = np.array([2010.5, 2020.5, np.nan])
    rec = recency(m, years, usable, "2021-01-01")
    assert rec[2] > rec[1] > 0


def test_normalisations_and_fusions() -> None:
    mask = np.array([True, True, True, False])
    a = np.array([1.0, 3.0, 2.0, 99.0], dtype=np.float32)
    np.testing.assert_allclose(minmax(a, mask), [0, 1, 0.5, 0])
    assert abs(float(zscore(a, mask)[mask].mean())) < 1e-6
    b = np.array([3.0, 0.0, 1.0, 0.0], dtype=np.float32)
    fused = FUSIONS["linear"]({"a": a, "b": b}, {"a": 1.0, "b": 1.0}, mask, "minmax")
    assert int(np.argmax(fused)) in (0, 1)
    rrf = FUSIONS["rrf"]({"a": a, "b": b}, {"a": 1.0, "b": 0.0}, mask, "minmax")
    assert int(np.argmax(rrf)) == 1 and rrf[3] == 0


def test_lexical_coverage_is_the_share_of_known_query_terms() -> None:
    index = LexicalIndex().fit([["lidar", "sensor"], ["mould"]])
    assert index.coverage(["lidar", "라이다", "센서", "lidar"]) == 1 / 3
    assert index.coverage([]) == 0.0


def test_query_weights_lean_on_meaning_when_terms_are_missing() -> None:
    config = MatchConfig({"bm25": 2.0, "dense": 1.0}, coverage_power=2.0)
    assert config.query_weights(1.0) == {"bm25": 2.0, "dense": 1.0}
    assert config.query_weights(0.5) == {"bm25": 0.5, "dense": 1.0}
    assert MatchConfig({"bm25": 2.0}).query_weights(0.0) == {"bm25": 2.0}
    both = MatchConfig({"bm25": 2.0, "ngram": 1.0, "dense": 1.0}, coverage_power=1.0)
    assert both.query_weights(0.25) == {"bm25": 0.5, "ngram": 0.25, "dense": 1.0}


def test_pooled_aggregation_equals_full_when_the_pool_holds_every_positive() -> None:
    m = build_membership(["a", "b", "c", "d"], [["x"], ["x", "y"], ["y"], ["z"]])
    scores = np.array([0.5, 0.4, 0.0, 0.9], dtype=np.float32)
    usable = np.array([True, True, True, False])
    full = aggregate(scores, m, usable, top_n=2)
    pooled = aggregate(scores, m, usable, top_n=2, rows=np.flatnonzero(scores > 0))
    np.testing.assert_allclose(full, pooled)
    assert m.records_of(1).tolist() == [1, 2]
    assert m.pairs_of_records(np.array([1, 3])).tolist() == [1, 2, 4]
    np.testing.assert_allclose(latest(m, np.array([1.0, 2.0, np.nan, 4.0]), usable), [2.0, 2.0, -np.inf])


def test_date_keys_keep_the_order_of_iso_strings() -> None:
    keys = date_keys(["2019-01-01", "", None, "2019", "2019-05"])
    assert keys is not None and keys.tolist() == [20190101, 0, 0, 20190000, 20190500]
    assert date_keys(["01/02/2019"]) is None  # the engine falls back to comparing strings


def test_char_ngrams_match_what_morphology_misses(analyzer) -> None:  # type: ignore[no-untyped-def]
    from techbridge.matching.text import char_ngrams

    assert char_ngrams("Xpressbet 플리머스 G06T 7/00 1590") == [
        "xpressbet", "xpr", "pre", "res", "ess", "ssb", "sbe", "bet", "플리", "리머", "머스", "1590",
    ]  # fmt: skip
    # Kiwi keeps no noun of the verb form 엉킴, so the morphological terms miss the record ...
    query, record = "엉킴 정의", "엉킴 (자동사) 서로 섞이거나 얽히다"
    assert "엉킴" not in analyzer.analyze(query)
    # ... while its character n-grams find it among others
    docs = [char_ngrams(t) for t in ("정의 사전", record, "정의의 여신")]
    scores = LexicalIndex().fit(docs).scores(char_ngrams(query))
    assert int(np.argmax(scores)) == 1
