"""The feature store holds every record's features in flat arrays and gives them back unchanged."""

import numpy as np
import pytest

from techbridge.matching.store import FeatureStore

VECTORS = np.eye(3, 4, dtype=np.float32)
FEATURES = {
    "p1": ("d1", ["다이캐스팅", "금형"], ["알루미늄", "금형", "금형"], VECTORS[0]),
    "p2": ("d2", [], ["isotherm", "amplif"], VECTORS[1]),
    "p3": ("d3", ["금형"], [], VECTORS[2]),
}


def test_a_built_store_gives_back_each_records_features_in_order() -> None:
    store = FeatureStore.build(FEATURES.items())
    assert list(store) == ["p1", "p2", "p3"] and len(store) == 3
    for key, (digest, title, text, vector) in FEATURES.items():
        got = store[key]
        assert got[:3] == (digest, title, text)  # repeated terms and empty parts kept as they were
        assert np.array_equal(got[3], vector)
    assert "p2" in store and "p9" not in store and store.digest_of("p9") is None
    assert sorted(store.vocab) == sorted({"다이캐스팅", "금형", "알루미늄", "isotherm", "amplif"})
    assert store.term_ids.dtype == np.int32  # ids into one vocabulary, not lists of strings
    assert next(store.lines()) == ["p1", "d1", ["다이캐스팅", "금형"], ["알루미늄", "금형", "금형"]]


def test_merged_takes_fresh_features_keeps_the_rest_and_drops_the_missing() -> None:
    store = FeatureStore.build(FEATURES.items())
    ids_before = {t: store.vocab.index(t) for t in store.vocab}
    fresh = {
        "p2": ("e2", ["새", "금형"], ["laser"], np.ones(4, np.float32)),
        "p4": ("d4", ["x"], [], VECTORS[0]),
    }
    merged = store.merged(["p4", "p2", "p1"], fresh)
    assert list(merged) == ["p4", "p2", "p1"]
    assert merged["p2"][:3] == ("e2", ["새", "금형"], ["laser"])
    assert merged["p1"][:3] == FEATURES["p1"][:3]
    assert np.array_equal(merged.vectors, np.stack([VECTORS[0], np.ones(4), VECTORS[0]]))
    assert "p3" not in merged
    assert all(merged.vocab.index(t) == i for t, i in ids_before.items())  # a term keeps its id
    assert merged.rows == {"p4": 0, "p2": 1, "p1": 2}


def test_merged_with_nothing_new_is_the_same_store() -> None:
    store = FeatureStore.build(FEATURES.items())
    assert store.merged(["p1", "p2", "p3"], {}) is store
    assert store.merged(["p2", "p1", "p3"], {}) is not store


def test_a_plain_dict_of_features_converts_and_rows_must_match_vectors() -> None:
    assert FeatureStore.of(FEATURES)["p3"][:3] == ("d3", ["금형"], [])
    with pytest.raises(ValueError, match="3 records but 2 vectors"):
        FeatureStore.build(((k, f[:3]) for k, f in FEATURES.items()), vectors=VECTORS[:2])
    empty = FeatureStore.build(())
    assert len(empty) == 0 and empty.merged([], {}) is empty
