"""One loaded index serves many threads: concurrent queries give exactly the serial results."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from techbridge.matching.engine import Matcher
from techbridge.matching.explain import Match
from techbridge.matching.filters import Filters
from techbridge.matching.params import MatchConfig
from techbridge.matching.record import Query, Record
from techbridge.matching.semantic import UseEncoder
from techbridge.matching.text import Analyzer

TOPICS = [
    ("알루미늄 다이캐스팅 금형", "고강도 알루미늄 다이캐스팅 금형 설계와 공정 제어", "B22D 17/00"),
    ("자율주행 라이다 광학소재", "차량용 라이다 광학 소재와 센서 양산 기술", "G01S 17/93"),
    ("Isothermal amplification", "On-site virus diagnosis by isothermal amplification", "C12Q 1/68"),
    ("AI production optimisation", "Artificial intelligence for integrated production systems", "G06Q 50/04"),
    ("이차전지 전고체 전해질", "전고체 이차전지용 황화물 전해질 합성", "H01M 10/0562"),
    ("Solar module recycling", "Recovering silver and silicon from end-of-life solar modules", "B09B 3/00"),
]
ORGS = ["kitech", "kimm", "kims", "etri", "kaist", "lms", "kodaco", "postech"]
# every signal weighted, so that the n-gram and profile indexes and the timelines are built on
# first use, by whichever thread gets there first
CONFIGS = {
    target: MatchConfig({"bm25": 1.0, "dense": 1.0, "codes": 0.3, "ngram": 0.5, "profile": 0.5,
                         "history": 0.2, "prior": 0.1, "recency": 0.1}, top_n=3, coverage_power=2.0)
    for target in ("item", "person", "organization")
}  # fmt: skip
QUERIES = [
    (Query("q1", "알루미늄 금형 다이캐스팅 기술", ("B22D 17/00",), organizations=("kodaco",)), None),
    (Query("q2", "lidar optical materials for cars", date="2021-06-01"), None),
    (Query("q3", "전고체 배터리 전해질 공동연구", date="2022-01-01", exclude=("r4",)), None),
    (Query("q4", "virus diagnosis on site"), Filters(date_from="2019-01-01")),
    (Query("q5", "태양광 모듈 재활용 은 회수", organizations=("kaist",)), Filters(min_trl=3)),
    (Query("q6", "production scheduling with machine learning", date="2020-03-01"), None),
]


def corpus() -> list[Record]:
    """Forty-eight records over six topics, eight organisations, twelve people and six years."""
    out = []
    for i in range(48):
        title, text, code = TOPICS[i % len(TOPICS)]
        orgs = (ORGS[i % len(ORGS)], ORGS[(i * 3 + 1) % len(ORGS)])
        people = (f"inv:{i % 12}",)
        date = f"{2017 + i % 6}-{1 + i % 12:02d}-01"
        out.append(Record(f"r{i}", f"{title} {i}", f"{text} (변형 {i})", None, (code,), orgs, people, date,
                          trl=i % 9 + 1))  # fmt: skip
    return out


def ask(matcher: Matcher, job: tuple[Query, Filters | None, str]) -> list[Match]:
    query, filters, target = job
    return matcher.match(query, target, 5, filters)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory, analyzer: Analyzer, encoder: UseEncoder) -> Path:
    """An index of the corpus saved once, with an HNSW graph (``ann_threshold`` below its size)."""
    path = tmp_path_factory.mktemp("index")
    Matcher(CONFIGS, analyzer, encoder, ann_threshold=10).fit(corpus()).save(path)
    return path


def test_concurrent_queries_on_one_loaded_index_equal_serial_ones(folder: Path, encoder: UseEncoder) -> None:
    jobs = [(q, f, t) for q, f in QUERIES for t in ("item", "person", "organization")] * 4
    # a fresh analyser and a fresh load: the threads race to load Kiwi and build every lazy index
    params = {"configs": CONFIGS, "encoder": encoder, "ann_threshold": 10}
    shared = Matcher.load(folder, analyzer=Analyzer(), **params)
    with ThreadPoolExecutor(8) as pool:
        concurrent = list(pool.map(lambda job: ask(shared, job), jobs))
    alone = Matcher.load(folder, analyzer=Analyzer(), **params)
    serial = [ask(alone, job) for job in jobs]
    assert shared.dense_.ann_ is not None and all(serial)  # the graph is searched; every query finds some
    assert concurrent == serial  # ids, scores, signal parts and explanations
    assert {"ngrams", ("profile", "person"), ("timeline", "organization")} <= set(shared._derived)


def test_a_query_binds_no_state_on_the_matcher(folder: Path, encoder: UseEncoder) -> None:
    matcher = Matcher.load(folder, configs=CONFIGS, encoder=encoder, ann_threshold=10)
    before = {name: value for name, value in vars(matcher).items() if name != "_derived"}
    for query, filters in QUERIES:
        ask(matcher, (query, filters, "person"))
    assert {name: value for name, value in vars(matcher).items() if name != "_derived"} == before
