import numpy as np
import pytest

from techbridge.matching.aggregate import aggregate, build_membership, latest, usable_counts
from techbridge.matching.codes import CodeIndex, code_levels, code_similarity
from techbridge.matching.engine import Matcher
from techbridge.matching.fusion import FUSIONS, minmax, zscore
from techbridge.matching.history import Timeline, date_keys, joint_history, recency, year_of
from techbridge.matching.lexical import LexicalIndex
from techbridge.matching.params import MatchConfig
from techbridge.matching.semantic import DenseIndex, best_sentence_pair


def test_bm25_ranks_the_matching_document_first() -> None:
    index = LexicalIndex().fit([["금형", "알루미늄"], ["라이다", "센서"], ["금형", "금형", "다이캐스팅"]])
    scores = index.scores(["다이캐스팅", "금형", "unknown"])
    assert int(np.argmax(scores)) == 2 and scores[1] == 0


def test_bm25_scores_equal_bm25s_lucene_scores() -> None:
    """Our block-wise numpy build reproduces bm25s's Lucene BM25, empty documents included."""
    import bm25s

    rng = np.random.default_rng(3)
    words = [f"w{i}" for i in range(120)] + ["태양광", "모듈", "금형"]
    docs = [
        [words[int(j)] for j in rng.integers(0, rng.integers(5, len(words)), rng.integers(0, 30))]
        for _ in range(700)
    ]
    ours = LexicalIndex()
    ours.BLOCK = 97  # several blocks, terms first seen in later ones
    ours.fit(iter(docs))
    reference = bm25s.BM25(k1=1.2, b=0.75)
    reference.index([d or [""] for d in docs], show_progress=False)
    matrix = reference.scores
    for _ in range(40):
        query = [words[int(j)] for j in rng.integers(0, len(words), 4)]
        expected = np.zeros(len(docs))
        for term in dict.fromkeys(query):
            t = reference.vocab_dict.get(term)
            if t is not None:
                span = slice(matrix["indptr"][t], matrix["indptr"][t + 1])
                np.add.at(expected, matrix["indices"][span], matrix["data"][span])
        np.testing.assert_allclose(ours.scores(query), expected, rtol=1e-5, atol=1e-6)
    assert ours.size_ == len(docs) and set(ours.vocab_) == {t for d in docs for t in d}


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


def test_dense_above_threshold_keeps_half_precision_vectors_shared_with_the_graph(tmp_path) -> None:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(1)
    vectors = rng.normal(size=(400, 512)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    ann = DenseIndex(ann_threshold=100).fit(vectors)
    assert ann.vectors_.dtype == np.float16
    assert DenseIndex(ann_threshold=1000).fit(vectors).vectors_.dtype == np.float32
    # search and exact scores read the half-precision rows (cosines within 2e-3 of float32)
    query = vectors[7]
    np.testing.assert_allclose(ann.scores(query), vectors @ query, atol=2e-3)
    rows, sims = ann.search(query, 5)
    assert rows[0] == 7 and abs(float(sims[0]) - 1.0) < 2e-3
    # the graph's cosines are those of the stored rows (which search no longer reads), but for
    # the query, which the graph takes in half precision too
    np.testing.assert_allclose(sims, ann.vectors_[rows].astype(np.float32) @ query, atol=5e-5)
    half = query.astype(np.float16).astype(np.float32)
    rows, sims = ann.search(half, 5)
    np.testing.assert_allclose(sims, ann.vectors_[rows].astype(np.float32) @ half, atol=1e-6)
    # a restored graph searches as widely as the one that was saved (usearch restores 64)
    ann.save(tmp_path / "g.hnsw")
    restored = DenseIndex(ann_threshold=100, expansion=200).fit(vectors, tmp_path / "g.hnsw")
    assert restored.ann_ is not None and restored.ann_.expansion_search == 200
    assert set(restored.search(query, 10)[0]) == set(ann.search(query, 10)[0])


def _unit(rng: np.random.Generator, n: int) -> np.ndarray:
    vectors = rng.normal(size=(n, 64)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


@pytest.mark.parametrize("saved", [False, True])
def test_an_hnsw_graph_is_patched_for_a_few_changed_rows(tmp_path, saved: bool) -> None:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(2)
    old = _unit(rng, 400)
    first = DenseIndex(ann_threshold=100).fit(old)
    if saved:  # as an update finds it: the saved graph, a read-only view
        first.save(tmp_path / "g.hnsw")
        first = DenseIndex(ann_threshold=100).fit(old, tmp_path / "g.hnsw")
    # rows 0-9 removed, 10-19 changed, the rest kept in reverse order, 5 records added at the end
    kept = np.array([*range(399, 19, -1), *[-1] * 10, *[-1] * 5], np.int64)
    new = np.concatenate([old[399:19:-1], _unit(rng, 15)])
    patched = DenseIndex(ann_threshold=100).fit(new, previous=(first, kept))
    assert patched.patched_ == 20 + 15  # removed (10 gone, 10 changed), then added (10 changed, 5 new)
    assert len(patched.ann_) == len(new)
    for row in (0, 200, 379, 380, 394):  # kept rows under their new numbers, and new rows
        assert patched.search(new[row], 1)[0][0] == row
    # as good as a graph built afresh: recall@10 against exact search over the same rows
    exact = DenseIndex(ann_threshold=10_000).fit(new.astype(np.float16).astype(np.float32))

    def recall(queries: np.ndarray) -> float:
        found = [len({*patched.search(q, 10)[0]} & {*exact.search(q, 10)[0]}) for q in queries]
        return sum(found) / (10 * len(queries))

    assert recall(new[::4]) >= 0.95
    assert recall(old[:20]) >= 0.95  # removed and changed records' old vectors find what is there
    assert first.search(old[5], 1)[0][0] == 5  # the previous index is left as it was


def test_saving_a_graph_leaves_one_that_is_mapped_as_it_was(tmp_path) -> None:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(4)
    first, second = _unit(rng, 300), _unit(rng, 300)
    DenseIndex(ann_threshold=100).fit(first).save(tmp_path / "g.hnsw")
    served = DenseIndex(ann_threshold=100).fit(first, tmp_path / "g.hnsw")  # memory-mapped
    DenseIndex(ann_threshold=100).fit(second).save(tmp_path / "g.hnsw")  # the next index run
    rows, sims = served.search(first[5], 1)
    assert rows[0] == 5 and abs(float(sims[0]) - 1.0) < 2e-3
    again = DenseIndex(ann_threshold=100).fit(second, tmp_path / "g.hnsw")
    assert again.search(second[5], 1)[0][0] == 5 and not list(tmp_path.glob("*.tmp"))


def test_a_graph_mostly_replaced_is_built_afresh() -> None:
    rng = np.random.default_rng(3)
    old = _unit(rng, 300)
    first = DenseIndex(ann_threshold=100).fit(old)
    new = np.concatenate([old[:250], _unit(rng, 50)])  # 50 of 300 rows new: over PATCH_SHARE
    kept = np.array([*range(250), *[-1] * 50], np.int64)
    rebuilt = DenseIndex(ann_threshold=100).fit(new, previous=(first, kept))
    assert rebuilt.patched_ is None and rebuilt.ann_ is not None
    assert rebuilt.search(new[290], 1)[0][0] == 290


def test_timeline_answers_before_a_date_as_the_pass_over_every_pair_does() -> None:
    rng = np.random.default_rng(5)
    n = 600
    mentions = [[f"t{int(t)}" for t in rng.integers(0, 40, rng.integers(0, 4))] for _ in range(n)]
    dates = [
        "" if r < 0.1 else f"{y}" if r < 0.2 else f"{y}-{m:02d}" if r < 0.3 else f"{y}-{m:02d}-{d:02d}"
        for r, y, m, d in zip(
            rng.random(n), rng.integers(2000, 2024, n), rng.integers(1, 13, n), rng.integers(1, 29, n),
            strict=True,
        )
    ]  # fmt: skip
    membership = build_membership([f"r{i}" for i in range(n)], mentions)
    keys = date_keys(dates)
    assert keys is not None
    years = np.array([year_of(d) for d in dates])
    timeline = Timeline.build(membership, keys, years)
    for query in ("2000-01-01", "2010", "2015-06", "2015-06-15", "2030-01-01"):
        limit = date_keys([query])
        assert limit is not None
        usable = (keys > 0) & (keys < limit[0])
        counts, last = timeline.before(int(limit[0]))
        np.testing.assert_array_equal(counts, usable_counts(membership, usable))
        np.testing.assert_array_equal(last, latest(membership, years, usable))
        assert np.array_equal(
            recency(membership, years, usable, query, last), recency(membership, years, usable, query)
        )


def test_timeline_counts_targets_with_undated_or_only_later_records_as_none() -> None:
    # the target mentioned last has only undated records: its run ends the pairs
    for order in ((0, 1, 2), (2, 1, 0)):
        mentions = [["a"], ["a"], ["late"], ["undated"], ["undated"]]
        dates = ["2001-05-01", "2019-01-01", "2021-01-01", "", ""]
        picked = [mentions[i] for i in order] + mentions[3:]
        membership = build_membership([f"r{i}" for i in range(5)], picked)
        keys = date_keys([dates[i] for i in order] + dates[3:])
        assert keys is not None
        years = np.array([year_of(d) for d in [dates[i] for i in order] + dates[3:]])
        counts, last = Timeline.build(membership, keys, years).before(20200101)
        by_id = dict(zip(membership.ids, zip(counts.tolist(), last.tolist(), strict=True), strict=True))
        assert by_id == {"a": (2.0, year_of("2019-01-01")), "late": (0.0, -np.inf), "undated": (0.0, -np.inf)}


def test_pool_keeps_exactly_the_best_positives_on_large_and_sparse_signals() -> None:
    rng = np.random.default_rng(8)
    matcher = Matcher(score_pool=16)  # the sampled threshold applies above 64 * 16 records
    dense = rng.random(5000).astype(np.float32)  # every record scores
    sparse = np.zeros(5000, np.float32)
    sparse[rng.choice(5000, 40, replace=False)] = rng.random(40).astype(np.float32)  # few score
    few = np.zeros(5000, np.float32)
    few[[3, 9]] = [0.5, 0.2]
    for scores in (dense, sparse, few):
        positives = np.flatnonzero(scores > 0)
        best = positives[np.argsort(-scores[positives])][:16]
        assert sorted(matcher.pool(scores).tolist()) == sorted(best.tolist())


def test_aggregation_sums_best_n_usable_items() -> None:
    m = build_membership(["a", "b", "c", "d"], [["x"], ["x"], ["x", "y"], ["y"]])
    scores = np.array([0.5, 0.4, 0.3, 0.9], dtype=np.float32)
    usable = np.array([True, True, True, False])
    np.testing.assert_allclose(aggregate(scores, m, usable, top_n=2), [0.9, 0.3])
    np.testing.assert_allclose(aggregate(scores, m, usable, top_n=3, decay=0.5), [0.5 + 0.2 + 0.075, 0.3])


def test_a_profile_record_stands_for_every_place_of_its_organisation() -> None:
    """An institute's one profile competes with a partner's best records on what each says."""
    m = build_membership(["p1", "p2", "p3", "prof", "q"], [["big"], ["big"], ["big"], ["inst"], ["big"]])
    scores = np.array([0.3, 0.3, 0.3, 0.5, 0.0], dtype=np.float32)
    usable = np.ones(5, dtype=bool)
    profiles = np.array([False, False, False, True, False])
    np.testing.assert_allclose(aggregate(scores, m, usable, top_n=3), [0.9, 0.5])  # counted, the partner wins
    np.testing.assert_allclose(aggregate(scores, m, usable, top_n=3, profiles=profiles), [0.9, 1.5])
    np.testing.assert_allclose(
        aggregate(scores, m, usable, top_n=3, decay=0.5, profiles=profiles), [0.525, 0.875]
    )
    unusable = np.array([True, True, True, False, True])  # a profile that may not be used counts for nothing
    np.testing.assert_allclose(aggregate(scores, m, unusable, top_n=3, profiles=profiles), [0.9, 0.0])
    marked_partner = np.array([True, False, False, True, False])  # never less than the plain sum
    np.testing.assert_allclose(aggregate(scores, m, usable, top_n=3, profiles=marked_partner), [0.9, 1.5])


def test_history_prior_and_recency() -> None:
    m = build_membership(["a", "b", "c"], [["co", "x"], ["co", "y"], ["y"]])
    usable = np.array([True, True, True])
    hist = joint_history(m, np.array([0, 1]), usable)  # the records that mention the asking side, "co"
    assert m.ids == ("co", "x", "y") and hist[1] == hist[2] > 0
    assert usable_counts(m, usable)[2] > usable_counts(m, usable)[1]
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
