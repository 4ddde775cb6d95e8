from pathlib import Path

import numpy as np
from tests.factories import CountingEncoder

from techbridge.matching.engine import Matcher
from techbridge.matching.features import stacked
from techbridge.matching.filters import Filters
from techbridge.matching.index import (
    NEED_FILES,
    load_needs,
    stored_query,
    update_index,
)
from techbridge.matching.params import MatchConfig
from techbridge.matching.record import Query, Record
from techbridge.matching.record_file import RecordFile
from techbridge.matching.semantic import DIM, UseEncoder
from techbridge.matching.text import Analyzer

NEED = Query("n1", "알루미늄 다이캐스팅 금형 기술이 필요합니다", ("B22D 17/00",), organizations=("kodaco",))


def test_match_items_and_organisations(matcher: Matcher) -> None:
    items = matcher.match(NEED, "item", k=3)
    assert items[0].id in {"p1", "p5"}
    orgs = matcher.match(NEED, "organization", k=3)
    assert orgs[0].id == "kitech"
    assert all(m.id != "kodaco" for m in orgs)  # the asking side is never a candidate
    assert [(-m.score, m.id) for m in orgs] == sorted((-m.score, m.id) for m in orgs)


def test_explanation_names_terms_codes_and_evidence(matcher: Matcher) -> None:
    top = matcher.match(NEED, "organization", k=1)[0]
    ex = top.explanation
    assert ex is not None and abs(sum(ex.shares.values()) - 1) < 1e-3
    assert "다이캐스팅" in ex.terms and ex.codes
    assert {e.id for e in ex.evidence} <= {"p1", "p5"}


def test_cross_lingual_match_gives_sentence_pair(matcher: Matcher) -> None:
    query = Query("n2", "현장 호흡기 바이러스 진단을 위한 등온증폭")
    top = matcher.match(query, "item", k=1)[0]
    assert top.id == "p3"
    assert top.explanation is not None and top.explanation.evidence[0].sentence_pair is not None


def test_date_and_exclude_rules_and_filters(matcher: Matcher) -> None:
    dated = Query("n3", NEED.text, NEED.codes, date="2020-01-01", exclude=("p1",))
    assert matcher.match(dated, "item", k=5) == [] or all(
        m.id not in {"p1", "p5"} for m in matcher.match(dated, "item", k=5)
    )
    facts = {"kitech": {"kind": "research_institute"}, "kodaco": {"kind": "company"}}
    only = matcher.match(NEED, "organization", k=5, filters=Filters(kinds=("company",)), facts=facts)
    assert only == []


def test_weights_change_the_order(matcher: Matcher, analyzer, encoder) -> None:  # type: ignore[no-untyped-def]
    query = Query("n4", "라이다 광학소재", ("C12Q 1/68",))
    lexical = Matcher({"item": MatchConfig({"bm25": 1.0}, 1)}, analyzer, encoder).fit(matcher.records_)
    codes = Matcher({"item": MatchConfig({"codes": 1.0}, 1)}, analyzer, encoder).fit(matcher.records_)
    assert lexical.match(query, "item", 1)[0].id == "p2"
    assert codes.match(query, "item", 1)[0].id == "p3"


def test_index_round_trip_and_incremental_update(
    tmp_path: Path, matcher: Matcher, corpus: list[Record]
) -> None:
    matcher.save(tmp_path)
    loaded = Matcher.load(tmp_path, analyzer=matcher.analyzer_, encoder=matcher.encoder_)
    assert [m.id for m in loaded.match(NEED, "item", 3)] == [m.id for m in matcher.match(NEED, "item", 3)]
    changed = Record("p4", "다이캐스팅 금형 설계", "금형 설계 자동화", "ko", (), ("etri",), (), "2018-07-01")
    new = Record("p6", "New record", "text", "en")
    records = [*(r for r in corpus if r.id not in {"p4", "p2"}), changed, new]
    _, counts = update_index(tmp_path, records)
    assert counts == {"added": 1, "changed": 1, "removed": 1}
    again = Matcher.load(tmp_path, analyzer=matcher.analyzer_, encoder=matcher.encoder_)
    assert "p2" not in again.row_ and "etri" in {m.id for m in again.match(NEED, "organization", 5)}


def test_profile_signal_rewards_people_whose_records_together_cover_the_need(analyzer) -> None:  # type: ignore[no-untyped-def]
    records = [
        Record("a1", "알루미늄 금형", "금형 설계", people=("inv:a",), date="2019-01-01"),
        Record("a2", "다이캐스팅 공정", "다이캐스팅 온도", people=("inv:a",), date="2019-02-01"),
        Record("b1", "금형 다이캐스팅", "금형", people=("inv:b",), date="2021-01-01"),
        Record("c1", "라이다 센서", "광학 센서", people=("inv:c",), date="2018-01-01"),
    ]
    config = {"person": MatchConfig({"profile": 1.0}, 1)}
    matcher = Matcher(config, analyzer, encoder=False).fit(records)
    need = Query("n", "알루미늄 금형 다이캐스팅 공정")
    assert matcher.match(need, "person", 3)[0].id == "inv:a"
    dated = matcher.match(Query("n", need.text, date="2020-01-01"), "person", 3)
    assert "inv:b" not in {m.id for m in dated}  # b's only record is later than the need


def test_saved_hnsw_graph_is_loaded_not_rebuilt(tmp_path: Path, matcher: Matcher) -> None:
    small = Matcher(analyzer=matcher.analyzer_, encoder=matcher.encoder_, ann_threshold=2).fit(
        matcher.records_
    )
    assert small.dense_.ann_ is not None
    small.save(tmp_path)
    assert (tmp_path / "vectors.hnsw").exists()
    loaded = Matcher.load(tmp_path, analyzer=matcher.analyzer_, encoder=matcher.encoder_, ann_threshold=2)
    assert loaded.dense_.ann_ is not None
    assert [m.id for m in loaded.match(NEED, "item", 3)] == [m.id for m in small.match(NEED, "item", 3)]


def test_reloaded_index_gives_identical_matches_and_keeps_one_copy_of_the_vectors(
    tmp_path: Path, matcher: Matcher
) -> None:
    fitted = Matcher(analyzer=matcher.analyzer_, encoder=matcher.encoder_, ann_threshold=2).fit(
        matcher.records_
    )
    fitted.save(tmp_path)
    loaded = Matcher.load(tmp_path, analyzer=matcher.analyzer_, encoder=matcher.encoder_, ann_threshold=2)
    for target in ("item", "person", "organization"):
        assert loaded.match(NEED, target, 5) == fitted.match(NEED, target, 5)  # scores and explanations
    # the records stay in their file, read when asked for; the store's terms are ids, one copy
    assert isinstance(loaded.records_, RecordFile) and loaded.records_ == fitted.records_
    assert [loaded.record_terms(row) for row in range(3)] == [fitted.record_terms(row) for row in range(3)]
    # the store's rows are views of the dense index's one matrix; a refit reuses it, no copy
    matrix = loaded.dense_.vectors_
    assert loaded.store_.vectors is matrix
    assert all(np.shares_memory(loaded.store_[r.id][3], matrix) for r in loaded.records_)
    assert np.shares_memory(loaded.fit(loaded.records_).dense_.vectors_, matrix)
    # that matrix is the saved file, mapped read-only, not a copy read into memory
    mapped = np.load(tmp_path / "vectors.npy", mmap_mode="r")
    assert not matrix.flags.writeable and np.array_equal(matrix, mapped)
    assert isinstance(matrix.base, np.memmap) or isinstance(matrix, np.memmap)


def test_stacked_copies_only_rows_that_are_not_one_matrix_already() -> None:
    matrix = np.arange(3 * DIM, dtype=np.float32).reshape(3, DIM)
    assert np.shares_memory(stacked(list(matrix)), matrix)
    shuffled = stacked([matrix[1], matrix[0], matrix[2]])
    assert not np.shares_memory(shuffled, matrix) and shuffled[0].tolist() == matrix[1].tolist()
    assert stacked([]).shape == (0, DIM)


def test_evidence_terms_are_rebuilt_from_the_store(matcher: Matcher) -> None:
    row = matcher.row_["p1"]
    _, title, text, _ = matcher.store_["p1"]
    assert matcher.record_terms(row) == [*title, *title, *text]  # title twice (title_boost=2), then text
    top = matcher.match(NEED, "item", 1)[0]
    assert top.explanation is not None and "다이캐스팅" in top.explanation.evidence[0].terms


def test_ngram_signal_is_built_only_when_asked(analyzer, encoder) -> None:  # type: ignore[no-untyped-def]
    records = [
        Record("a", "Xpressbet 입금 방법", "계정에 로그인하고 입금을 클릭합니다", "ko", (), (), (), None),
        Record("b", "은행 예금", "모바일로 입금했습니다", "ko", (), (), (), None),
    ]
    plain = Matcher({"item": MatchConfig({"bm25": 1.0})}, analyzer, encoder).fit(records)
    query = Query("q", "Xpress Bet에 돈을 입금하는 데 수수료가 있나요?")
    assert "ngram" not in plain.context(query).item_signals()
    asked = plain.context(query).item_signals(["bm25", "ngram"])["ngram"]
    assert asked[0] > asked[1]  # the trigrams of xpress/bet cross into xpressbet
    configs = {"item": MatchConfig({"bm25": 1.0, "ngram": 1.0}), "organization": MatchConfig({"bm25": 1.0})}
    weighted = Matcher(configs, analyzer, encoder).fit(records)
    top = weighted.match(query, "item", k=1)[0]
    assert top.id == "a" and top.explanation is not None and top.explanation.shares["ngram"] > 0
    assert "ngrams" in weighted._derived  # built for the item config that weights it ...
    weighted.fit(records)
    weighted.match(query, "organization", k=1)
    assert "ngrams" not in weighted._derived  # ... and not for a target kind that does not


def test_explanations_show_words_not_stems(analyzer, encoder) -> None:  # type: ignore[no-untyped-def]
    records = [
        Record("m", "Porous materials", "Porous materials for solid-state batteries", "en", (), ("kims",), (),
               None),
        Record("x", "Crop rotation", "Rotating crops in dry regions", "en", (), ("rda",), (), None),
    ]  # fmt: skip
    matcher = Matcher({"organization": MatchConfig({"bm25": 1.0})}, analyzer, encoder).fit(records)
    top = matcher.match(Query("q", "battery material"), "organization", k=1)[0]
    assert top.id == "kims" and top.explanation is not None
    assert {"materials", "batteries"} <= set(top.explanation.terms)
    assert "materi" not in top.explanation.terms


def _saved_times(folder: Path) -> dict[str, int]:
    return {path.name: path.stat().st_mtime_ns for path in sorted(folder.iterdir())}


def test_update_without_change_keeps_the_saved_index(
    tmp_path: Path, matcher: Matcher, corpus: list[Record]
) -> None:
    from dataclasses import replace

    first, _ = update_index(tmp_path, corpus)
    written = _saved_times(tmp_path)
    again, counts = update_index(tmp_path, list(corpus))
    assert counts == {"added": 0, "changed": 0, "removed": 0}
    assert _saved_times(tmp_path) == written  # nothing refitted is written back
    assert again.records_ == first.records_
    assert np.array_equal(again.dense_.vectors_, first.dense_.vectors_)
    # a change the digest does not see (who owns a record) is still a change
    moved = [replace(r, organizations=("kims",)) if r.id == "p1" else r for r in corpus]
    _, counts = update_index(tmp_path, moved)
    assert counts == {"added": 0, "changed": 0, "removed": 0} and _saved_times(tmp_path) != written
    loaded = Matcher.load(tmp_path, analyzer=matcher.analyzer_, encoder=matcher.encoder_)
    assert loaded.records_ == moved


def test_update_embeds_identical_texts_once(tmp_path: Path) -> None:
    records = [Record(f"t{n}", "Isothermal amplification", "Virus diagnosis on site") for n in range(3)]
    seen: list[tuple[int, int]] = []
    update_index(
        tmp_path,
        [*records, Record("u", "Die casting", "Aluminium moulds")],
        progress=lambda *n: seen.append(n),
    )
    assert seen[-1] == (2, 4)  # two distinct texts embedded for four new records


# one sentence, so that embedding its sentences for an explanation would embed its whole text
STORED = Query(
    "need-7", "알루미늄 다이캐스팅 금형과 차량용 라이다 소재 기술", ("B22D 17/00",), organizations=("kodaco",)
)


def test_a_stored_need_matches_as_at_query_time_without_analysis_or_embedding(
    tmp_path: Path, analyzer: Analyzer, encoder: UseEncoder, corpus: list[Record]
) -> None:
    _, counts = update_index(tmp_path, corpus, needs=[STORED])
    assert counts == {"added": 5, "changed": 0, "removed": 0, "needs": 1, "needs_embedded": 1}
    stored = stored_query(load_needs(tmp_path), STORED)
    assert stored == STORED and stored.terms == tuple(analyzer.analyze(STORED.text))
    counting = CountingEncoder(encoder)
    matcher = Matcher.load(tmp_path, analyzer=analyzer, encoder=counting)
    for target in ("item", "person", "organization"):
        assert matcher.match(stored, target, 5, explain=False)
    assert counting.texts == []  # neither the need nor anything else was embedded
    explained = {target: matcher.match(stored, target, 5) for target in ("item", "person", "organization")}
    assert counting.texts == []  # (no cross-lingual sentence pair among the best: see the next test)
    for target, matches in explained.items():
        assert matches == matcher.match(STORED, target, 5)  # scores, terms, evidence
    assert STORED.text in counting.texts  # the query-time path did embed it (the counter counts)


def test_a_stored_need_embeds_only_its_sentences_for_a_cross_lingual_sentence_pair(
    tmp_path: Path, analyzer: Analyzer, encoder: UseEncoder, corpus: list[Record]
) -> None:
    from techbridge.matching.semantic import split_sentences

    need = Query("need-9", "Aluminium die casting moulds for car bodies. High strength is a must.")
    update_index(tmp_path, corpus, needs=[need])
    counting = CountingEncoder(encoder)
    matcher = Matcher.load(tmp_path, analyzer=analyzer, encoder=counting)
    matches = matcher.match(stored_query(load_needs(tmp_path), need), "item", 3)
    assert matches[0].explanation is not None and matches[0].explanation.evidence[0].sentence_pair
    # the explanation embeds the need's sentences (not saved with the index), never its whole text
    assert split_sentences(need.text) == counting.texts[:2] and need.text not in counting.texts
    assert matches == matcher.match(need, "item", 3)


def test_saved_need_features_follow_edits_and_removals(
    tmp_path: Path, analyzer: Analyzer, corpus: list[Record]
) -> None:
    from dataclasses import replace

    other = Query("need-8", "Isothermal amplification kits for on-site virus diagnosis")
    update_index(tmp_path, corpus, needs=[STORED, other])
    assert all((tmp_path / name).stat().st_mode & 0o077 == 0 for name in NEED_FILES)  # owner-only
    assert not list(tmp_path.glob("*.tmp"))
    written = _saved_times(tmp_path)
    _, counts = update_index(tmp_path, corpus, needs=[STORED, other])
    assert counts["needs_embedded"] == 0 and _saved_times(tmp_path) == written  # nothing rewritten
    edited = replace(STORED, text="자율주행 라이다 광학소재 양산 기술")
    assert stored_query(load_needs(tmp_path), edited).terms is None  # stale: analysed at query time
    _, counts = update_index(tmp_path, corpus, needs=[edited])
    assert counts["needs"] == 1 and counts["needs_embedded"] == 1
    needs = load_needs(tmp_path)
    assert list(needs) == [STORED.id]  # the removed need's features are gone
    assert stored_query(needs, edited).terms == tuple(analyzer.analyze(edited.text))
    update_index(tmp_path, corpus)  # without needs given, their features stay as they are
    assert list(load_needs(tmp_path)) == [STORED.id]


def test_an_index_saved_without_need_features_still_loads_and_matches(
    tmp_path: Path, matcher: Matcher
) -> None:
    matcher.save(tmp_path)  # what `techbridge index` wrote before needs' features were saved
    assert not (tmp_path / NEED_FILES[0]).exists() and load_needs(tmp_path) == {}
    query = stored_query(load_needs(tmp_path), NEED)
    assert query.terms is None and query.vector is None
    loaded = Matcher.load(tmp_path, analyzer=matcher.analyzer_, encoder=matcher.encoder_)
    assert loaded.match(query, "organization", 3) == matcher.match(NEED, "organization", 3)


def test_an_update_of_a_few_records_patches_the_saved_hnsw_graph(
    tmp_path: Path, analyzer: Analyzer, encoder: UseEncoder
) -> None:
    from dataclasses import replace

    topics = ["알루미늄 다이캐스팅 금형", "자율주행 라이다 광학소재", "virus diagnosis", "production AI"]
    records = [Record(f"r{n}", f"{topics[n % 4]} {n}", f"{topics[n % 4]} 과제 {n}번") for n in range(24)]
    first, _ = update_index(tmp_path, records, ann_threshold=5, encoder=encoder)
    assert first.dense_.ann_ is not None and first.dense_.patched_ is None  # built
    changed = [
        replace(r, text="laser welding of aluminium die castings") if r.id == "r3" else r for r in records
    ]
    updated, counts = update_index(tmp_path, changed, ann_threshold=5, encoder=encoder)
    assert counts["changed"] == 1 and updated.dense_.patched_ == 2  # its old vector out, the new one in
    fresh = Matcher(analyzer=analyzer, encoder=encoder, ann_threshold=5).fit(changed)
    need = Query("q", "laser welding for aluminium castings")
    expected = [(m.id, m.score) for m in fresh.match(need, "item", 6)]
    assert [(m.id, m.score) for m in updated.match(need, "item", 6)] == expected
    assert expected[0][0] == "r3"
    # the patched graph is what was saved: the next load maps it and matches the same
    reloaded = Matcher.load(tmp_path, analyzer=analyzer, encoder=encoder, ann_threshold=5)
    assert len(reloaded.dense_.ann_) == 24
    assert [(m.id, m.score) for m in reloaded.match(need, "item", 6)] == expected
