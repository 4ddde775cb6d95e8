"""Shared, expensive fixtures: Kiwi loads once per session (USE, ``encoder``, is the whole suite's)."""

from __future__ import annotations

import pytest

from techbridge.matching.engine import Matcher
from techbridge.matching.record import Record
from techbridge.matching.semantic import UseEncoder
from techbridge.matching.text import Analyzer


@pytest.fixture(scope="session")
def analyzer() -> Analyzer:
    """A loaded Kiwi + Snowball analyser."""
    a = Analyzer()
    a.analyze("준비")
    return a


CORPUS = [
    Record("p1", "알루미늄 다이캐스팅 금형", "고강도 알루미늄 다이캐스팅 금형 기술", "ko", ("B22D 17/00",),
           ("kitech",), ("inv:kim",), "2019-01-01"),
    Record("p2", "자율주행 라이다 광학소재", "차량용 라이다 광학 소재 양산", "ko", ("G01S 17/93",),
           ("kimm", "lms"), ("inv:lee",), "2020-05-01"),
    Record("p3", "Isothermal amplification for virus diagnosis", "On-site respiratory virus diagnosis by "
           "isothermal amplification", "en", ("C12Q 1/68",), ("kims",), ("inv:park",), "2021-03-01"),
    Record("p4", "AI production optimisation", "Artificial intelligence for integrated production systems",
           "en", ("G06Q 50/04",), ("etri",), ("inv:choi",), "2018-07-01"),
    Record("p5", "다이캐스팅 공정 제어", "다이캐스팅 공정의 온도 제어 방법", "ko", ("B22D 17/32",),
           ("kitech", "kodaco"), ("inv:kim", "inv:jung"), "2022-02-01"),
]  # fmt: skip


@pytest.fixture(scope="session")
def corpus() -> list[Record]:
    """Five hand-made records across languages, codes, organisations and dates."""
    return list(CORPUS)


@pytest.fixture(scope="session")
def matcher(analyzer: Analyzer, encoder: UseEncoder, corpus: list[Record]) -> Matcher:
    """A matcher fitted on the hand-made corpus."""
    return Matcher(analyzer=analyzer, encoder=encoder).fit(corpus)
