"""The matching service: a served app loads an index once per version, and sees a rebuilt one."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from techbridge.config import Settings
from techbridge.services import matching
from techbridge.services.database import database
from techbridge.storage.db import transaction
from tests import factories


def _add_institute(settings: Settings, key: str, name: str, fields: str) -> None:
    with database(settings) as engine, transaction(engine) as session:
        factories.organization(session, name, kind="research_institute", key=key, description=fields)


@pytest.mark.slow  # loads the language models (~10-20 s)
def test_the_index_is_loaded_once_and_reloaded_after_a_rebuild(sqlite_settings: Settings) -> None:
    settings = sqlite_settings
    _add_institute(settings, "kr-kitech", "한국생산기술연구원", "알루미늄 다이캐스팅, 금형, 주조, 용접")
    matching.build_index(settings)
    first, _ = matching.find_matches(settings, text="알루미늄 다이캐스팅 차체")
    loaded = matching._loaded_matcher(settings)[0]
    again, _ = matching.find_matches(settings, text="알루미늄 다이캐스팅 차체")
    assert matching._loaded_matcher(settings)[0] is loaded
    assert [m.id for m in first] == [m.id for m in again] == ["kr-kitech"]

    _add_institute(settings, "kr-etri", "한국전자통신연구원", "인공지능 기반 생산 최적화, 이동통신")
    matching.build_index(settings)
    found, _ = matching.find_matches(settings, text="인공지능 생산 최적화")
    assert matching._loaded_matcher(settings)[0] is not loaded
    assert found[0].id == "kr-etri"


@pytest.mark.slow  # loads the language models (~10-20 s)
def test_the_index_build_uses_the_configured_ann_threshold(sqlite_settings: Settings) -> None:
    settings = sqlite_settings.model_copy(update={"ann_threshold": 1})
    _add_institute(settings, "kr-kitech", "한국생산기술연구원", "알루미늄 다이캐스팅, 금형, 주조, 용접")
    _add_institute(settings, "kr-etri", "한국전자통신연구원", "인공지능 기반 생산 최적화, 이동통신")
    matching.build_index(settings)
    assert (settings.resolved_index_dir() / "vectors.hnsw").exists()  # two records > 1: a graph
    found, _ = matching.find_matches(settings, text="인공지능 생산 최적화")
    assert matching._loaded_matcher(settings)[0].dense_.ann_ is not None and found[0].id == "kr-etri"


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

    from techbridge.errors import NotFoundError
    from techbridge.storage.tables import Need

    with transaction(engine) as session:
        org = factories.organization(session, "에이스", key="acme")
        need = Need(key="need-acme", organization_id=org.id, title="금형", listed_on=dt.date(2021, 4, 1))
        session.add(need)
        session.flush()
        ident = need.id
    with transaction(engine) as session:
        assert matching.need_query(session, "need-acme").id == "need-acme"
        assert matching.need_query(session, str(ident)).organizations == ("acme",)
        for lookalike in ("²", "٣", "99999999999"):
            with pytest.raises(NotFoundError):
                matching.need_query(session, lookalike)
