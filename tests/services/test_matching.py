"""The match use case: a core loads an index once per version, and sees one rebuilt elsewhere.

A stored need is matched with the terms and vector the index saved for it, while its text is unchanged.
"""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from techbridge.config import Settings
from techbridge.errors import NotFoundError, PermissionDeniedError
from techbridge.matching.index import load_needs
from techbridge.matching.semantic import UseEncoder
from techbridge.services.access.need import NeedAction, need_for
from techbridge.services.actor import PROGRAM_MANAGER, Actor, operator
from techbridge.services.core import Core
from techbridge.services.database import database
from techbridge.services.matching import match as matching
from techbridge.storage.db import make_engine, transaction
from tests import factories

OPERATOR = operator("test")


def _add_institute(settings: Settings, key: str, name: str, fields: str) -> None:
    with database(settings) as engine, transaction(engine) as session:
        factories.organization(session, name, kind="research_institute", key=key, description=fields)


def _core(settings: Settings, encoder: UseEncoder | None = None) -> Core:
    return factories.core_on(make_engine(settings), settings, encoder=encoder)


def _texts(core: Core, text: str) -> list[str]:
    found = matching.find_matches(core, OPERATOR, matching.MatchRequest(text=text))
    return [m.id for m in found.matches]


@pytest.mark.slow  # loads the language models (~10-20 s)
def test_the_index_is_loaded_once_and_reloaded_after_a_rebuild(sqlite_settings: Settings) -> None:
    settings = sqlite_settings
    _add_institute(settings, "kr-kitech", "한국생산기술연구원", "알루미늄 다이캐스팅, 금형, 주조, 용접")
    core = _core(settings)
    matching.build_index(core, OPERATOR)
    first = _texts(core, "알루미늄 다이캐스팅 차체")
    loaded = core.models.matcher()
    again = _texts(core, "알루미늄 다이캐스팅 차체")
    assert core.models.matcher() is loaded
    assert first == again == ["kr-kitech"]

    _add_institute(settings, "kr-etri", "한국전자통신연구원", "인공지능 기반 생산 최적화, 이동통신")
    matching.build_index(_core(settings), OPERATOR)  # another process: the served core sees it
    found = _texts(core, "인공지능 생산 최적화")
    assert core.models.matcher() is not loaded
    assert found[0] == "kr-etri"


@pytest.mark.slow  # loads the language models (~10-20 s)
def test_the_index_build_uses_the_configured_ann_threshold(sqlite_settings: Settings) -> None:
    settings = sqlite_settings.model_copy(update={"ann_threshold": 1})
    _add_institute(settings, "kr-kitech", "한국생산기술연구원", "알루미늄 다이캐스팅, 금형, 주조, 용접")
    _add_institute(settings, "kr-etri", "한국전자통신연구원", "인공지능 기반 생산 최적화, 이동통신")
    core = _core(settings)
    matching.build_index(core, OPERATOR)
    assert (settings.resolved_index_dir() / "vectors.hnsw").exists()  # two records > 1: a graph
    found = _texts(core, "인공지능 생산 최적화")
    assert core.models.matcher().dense_.ann_ is not None and found[0] == "kr-etri"


def test_only_those_who_read_every_need_build_the_index(engine: Engine) -> None:
    manager = Actor("pm", roles=frozenset({(PROGRAM_MANAGER, 1)}))
    with pytest.raises(PermissionDeniedError):
        matching.build_index(factories.core_on(engine), manager)


def test_organisation_facts_are_what_filters_and_explanations_read(engine: Engine) -> None:
    with transaction(engine) as session:
        kimm = {"kind": "research_institute", "key": "kr-kimm", "region": "대전"}
        factories.organization(session, "한국기계연구원", **kimm)
        factories.organization(session, "Sintef", kind="research_institute", country="NO", key="no-sintef")
        factories.organization(session, "코다코", key="kr-kodaco", size_class="mid")
        facts = matching.organization_facts(session)
    assert list(facts) == ["kr-kimm", "no-sintef", "kr-kodaco"]
    assert facts["kr-kimm"] == {"name": "한국기계연구원", "kind": "research_institute", "size_class": None,
                                "country": "KR", "region": "대전"}  # fmt: skip
    assert facts["kr-kodaco"]["size_class"] == "mid" and facts["no-sintef"]["country"] == "NO"


def test_a_need_is_found_by_key_or_id_and_digit_lookalikes_are_keys(engine: Engine) -> None:
    import datetime as dt

    from techbridge.storage.tables import Need

    with transaction(engine) as session:
        org = factories.organization(session, "에이스", key="acme")
        need = Need(key="need-acme", organization_id=org.id, title="금형", listed_on=dt.date(2021, 4, 1))
        session.add(need)
        session.flush()
        ident = need.id
    with transaction(engine) as session:
        by_key = need_for(session, OPERATOR, "need-acme", NeedAction.READ_FULL)
        assert matching.need_query(by_key).id == "need-acme"
        by_id = need_for(session, OPERATOR, str(ident), NeedAction.READ_FULL)
        assert matching.need_query(by_id).organizations == ("acme",)
        for lookalike in ("²", "٣", "99999999999"):
            with pytest.raises(NotFoundError):
                need_for(session, OPERATOR, lookalike, NeedAction.READ_FULL)


def _add_need(settings: Settings, key: str, title: str, description: str) -> None:
    from techbridge.storage.tables import Need

    with database(settings) as engine, transaction(engine) as session:
        company = factories.organization(session, "코다코", key="kr-kodaco")
        session.add(Need(key=key, organization_id=company.id, title=title, description=description))


def _edit_need(settings: Settings, key: str, text: tuple[str, str] | None) -> None:
    """Give the need a new title and description, or delete it (None)."""
    from sqlalchemy import select

    from techbridge.storage.tables import Need

    with database(settings) as engine, transaction(engine) as session:
        need = session.scalars(select(Need).where(Need.key == key)).one()
        if text is None:
            session.delete(need)
        else:
            need.title, need.description = text


def _query_time(core: Core, key: str) -> list[object]:
    """Return the need's matches with its features computed now, as before they were saved."""
    matcher = core.models.matcher()
    with core.reading() as session:
        query = matching.need_query(need_for(session, OPERATOR, key, NeedAction.READ_FULL))
        facts = matching.organization_facts(session)
    return list(matcher.match(query, "organization", 10, None, facts))


def _matched(core: Core, key: str, explain: bool = True) -> list[object]:
    result = matching.find_matches(core, OPERATOR, matching.MatchRequest(need=key, explain=explain))
    return [(m.id, m.score, m.signals, m.explanation) for m in result.matches]


def _as_found(matches: list[object]) -> list[object]:
    return [(m.id, m.score, m.signals, m.explanation) for m in matches]  # type: ignore[attr-defined]


@pytest.mark.slow  # loads the language models (~10-20 s)
def test_a_stored_need_is_matched_with_the_features_saved_by_the_index(
    engine: Engine, settings: Settings, encoder: UseEncoder
) -> None:
    _add_institute(settings, "kr-kitech", "한국생산기술연구원", "알루미늄 다이캐스팅, 금형, 주조, 용접")
    _add_institute(settings, "kr-etri", "한국전자통신연구원", "인공지능 기반 생산 최적화, 이동통신")
    _add_need(settings, "need-body", "알루미늄 차체 부품", "다이캐스팅 금형 개발이 필요합니다")
    core = factories.core_on(engine, settings, encoder=encoder)
    counts = matching.build_index(core, OPERATOR)
    assert counts.needs == 1 and counts.needs_embedded == 1
    matcher = core.models.matcher()
    counting = matcher.encoder_ = factories.CountingEncoder(encoder)  # the real encoder, counted
    bare = _matched(core, "need-body", explain=False)
    found = _matched(core, "need-body")
    assert counting.texts == []  # neither analysed nor embedded: the index's features were used
    assert found[0][0] == "kr-kitech" and [m[0] for m in bare] == [m[0] for m in found]
    assert found == _as_found(_query_time(core, "need-body"))  # identical scores and explanations
    assert "알루미늄 차체 부품\n다이캐스팅 금형 개발이 필요합니다" in counting.texts

    # edited after the index: matched with fresh features until the next index saves them
    _edit_need(settings, "need-body", ("생산 최적화", "인공지능 생산 최적화 기술이 필요합니다"))
    counting.texts.clear()
    found = _matched(core, "need-body")
    assert counting.texts[0] == "생산 최적화\n인공지능 생산 최적화 기술이 필요합니다"
    assert found[0][0] == "kr-etri" and found == _as_found(_query_time(core, "need-body"))
    counts = matching.build_index(core, OPERATOR)
    assert counts.needs_embedded == 1 and counts.changed == 0
    assert core.models.matcher() is matcher  # records unchanged: the same matcher
    counting.texts.clear()
    assert _matched(core, "need-body")[0] == found[0] and counting.texts == []

    # a removed need's features are dropped by the next index
    _edit_need(settings, "need-body", None)
    assert matching.build_index(core, OPERATOR).needs == 0
    assert load_needs(settings.resolved_index_dir()) == {}
