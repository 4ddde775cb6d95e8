import pytest

from techbridge.matching.text import Analyzer, extract_codes, strip_codes


def test_domain_words_stay_whole(analyzer: Analyzer) -> None:
    terms = analyzer.analyze("알루미늄 다이캐스팅 금형의 등온증폭")
    assert {"다이캐스팅", "금형", "등온증폭", "알루미늄"} <= set(terms)
    assert "다이" not in terms


def test_compound_nouns_are_joined(analyzer: Analyzer) -> None:
    terms = analyzer.analyze("태양광모듈을 탑재한 부이")
    assert "태양광" in terms and "모듈" in terms and "태양광모듈" in terms


def test_english_is_stemmed_word_by_word_in_mixed_text(analyzer: Analyzer) -> None:
    terms = analyzer.analyze("광대역 패치 안테나(Broadband Patch Antennas) measuring networks")
    assert {"광대역", "안테나", "broadband", "antenna", "measur", "network"} <= set(terms)


def test_codes_are_extracted_before_morphology(analyzer: Analyzer) -> None:
    text = "분류 G06T 7/00 및 H04N13/20"
    assert extract_codes(text) == ("G06T 7/00", "H04N 13/20")
    assert "G06T" not in strip_codes(text)
    assert "06" not in analyzer.analyze(text)


def test_numbers_and_foreign_words_kept(analyzer: Analyzer) -> None:
    terms = analyzer.analyze("LiDAR 센서 905 nm 파장")
    assert "lidar" in terms and "905" in terms


def test_surface_shows_stems_as_the_words_of_the_text(analyzer: Analyzer) -> None:
    text = "Porous Materials for 전고체 batteries"
    terms = analyzer.analyze(text)
    assert "materi" in terms  # the index holds stems
    shown = analyzer.surface(terms, text)
    assert "materials" in shown and "batteries" in shown and "materi" not in shown
    assert "전고체" in shown
    # a stem the text does not contain stays as it is
    assert analyzer.surface(["electrod"], "no such word") == ["electrod"]


@pytest.fixture(scope="module")
def verbs() -> Analyzer:
    """An analyser that also indexes verb and adjective stems."""
    return Analyzer(verbs=True)


def test_verb_and_adjective_stems_are_terms_in_dictionary_form(verbs: Analyzer) -> None:
    terms = verbs.analyze("실이 엉켜 있는 것을 차갑게 식혀 끓는 물로 옮겼다")
    assert {"엉키다", "차갑다", "식히다", "끓다", "옮기다"} <= set(terms)
    assert "엉키" not in terms  # a bare stem would read as a fragment in explanations


def test_light_verbs_are_not_terms(verbs: Analyzer) -> None:
    text = "안테나에 관한 것으로 빔을 보상하도록 하고, 있다. 도움이 되지 않았다. 어떻게 흡수됩니까?"
    terms = verbs.analyze(text)
    assert not {"하다", "있다", "되다", "않다", "관하다", "어떻다"} & set(terms)
    assert {"안테나", "보상", "흡수"} <= set(terms)


def test_verbs_are_off_by_default(analyzer: Analyzer, verbs: Analyzer) -> None:
    assert "엉키다" not in analyzer.analyze("실이 엉켜 있다")
    assert "엉키다" in verbs.analyze("실이 엉켜 있다")
