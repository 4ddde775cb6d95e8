"""A round with no scores loaded is scored by the matching engine (issue 21): per need, against the
round's participants but its own organisation, with the index and settings that produced the scores
and why each pair scored so; a manager's locks and forbids still apply, and loaded scores still win."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select

from techbridge.config import Settings
from techbridge.errors import InvalidError, NotIndexedError
from techbridge.matching.semantic import UseEncoder
from techbridge.services.matching.match import MatchRequest, find_matches
from techbridge.services.programs.assignment import get_assignment, run_assignment
from techbridge.services.programs.pairing import (
    PairRuleRequest,
    ScoresRequest,
    SwapRequest,
    set_candidate_scores,
    set_pair_rule,
    swap_partner,
)
from techbridge.storage.db import transaction
from techbridge.storage.pipeline import RoundCandidate, RoundScoring
from techbridge.storage.tables import Need, Organization
from tests.factories import core_on
from tests.services.round_scoring_world import OPERATOR, REF, indexed_core, scored_world

pytestmark = pytest.mark.slow  # builds a matching index with the language models (~10-20 s)


def _candidates(engine: Engine) -> dict[tuple[str, str], float]:
    with transaction(engine) as session:
        rows = session.execute(
            select(Need.key, Organization.key, RoundCandidate.score)
            .join(Need, Need.id == RoundCandidate.need_id)
            .join(Organization, Organization.id == RoundCandidate.organization_id)
        ).all()
    return {(need, org): score for need, org, score in rows}


def test_a_round_without_scores_is_scored_by_the_engine_never_with_a_needs_own_organisation(
    engine: Engine, settings: Settings, encoder: UseEncoder
) -> None:
    scored_world(engine)
    core = indexed_core(engine, settings, encoder)
    report = run_assignment(core, OPERATOR, REF)
    assert report.scores_source == "engine" and report.scoring is not None
    assert report.scoring.index is not None and report.scoring.index["records"] == 3
    assert report.scoring.settings is not None and report.scoring.settings["config"]["fusion"] == "linear"
    assert report.scoring.unindexed == ("ghost",)  # no record of it: no score, never a made-up one
    pairs = {(p.need, p.partner) for p in report.pairs}
    assert pairs == {("need-diecast", "kitech"), ("need-ai", "etri")}
    scores = _candidates(engine)
    # the first company is a participant and describes its own need's work, but is never its candidate
    assert ("need-diecast", "diecast") not in scores and ("need-ai", "diecast") in scores
    assert all(org != "ghost" for _, org in scores)
    assert scores[("need-diecast", "kitech")] != scores[("need-ai", "kitech")]  # scores differ by need
    alternatives = {(p.need, p.partner) for pairs in report.alternatives.values() for p in pairs}
    assert ("need-diecast", "diecast") not in alternatives
    # the score of a pair is the one the match use case gives that partner for that need
    found = find_matches(core, OPERATOR, MatchRequest(need="need-diecast", k=50))
    by_id = {match.id: match.score for match in found.matches}
    assert by_id["kitech"] == pytest.approx(scores[("need-diecast", "kitech")])
    for pair in report.pairs:  # each pair says why: the shared terms of the records behind it
        assert pair.explanation is not None and pair.explanation.terms and pair.explanation.evidence
    explained = {p.need: p.explanation for p in get_assignment(core, OPERATOR, REF).pairs}
    assert explained["need-diecast"] == next(p for p in report.pairs if p.need == "need-diecast").explanation
    with transaction(engine) as session:
        scoring = session.get_one(RoundScoring, 1)
        assert (scoring.source, scoring.actor) == ("engine", "tester")
        assert scoring.index == report.scoring.index


def test_engine_scores_are_kept_until_the_round_or_the_index_changes(
    engine: Engine, settings: Settings, encoder: UseEncoder
) -> None:
    scored_world(engine)
    core = indexed_core(engine, settings, encoder)
    first = run_assignment(core, OPERATOR, REF)
    again = run_assignment(core, OPERATOR, REF)
    assert again.scoring == first.scoring  # not scored again: same index, needs and participants
    with transaction(engine) as session:
        session.get_one(Need, 1).description += " 금형 설계"
    changed = run_assignment(core, OPERATOR, REF)
    assert changed.scoring is not None and first.scoring is not None
    assert changed.scoring.at is not None and first.scoring.at is not None
    assert changed.scoring.at > first.scoring.at


def test_locks_forbids_and_swaps_apply_on_top_of_engine_scores(
    engine: Engine, settings: Settings, encoder: UseEncoder
) -> None:
    scored_world(engine)
    core = indexed_core(engine, settings, encoder)
    lock = PairRuleRequest(REF, "need-ai", "kitech", "lock", then_run=True)
    locked = set_pair_rule(core, OPERATOR, lock)
    assert locked is not None and locked.scores_source == "engine"
    assert ("need-ai", "kitech", True) in {(p.need, p.partner, p.is_locked) for p in locked.pairs}
    forbid = PairRuleRequest(REF, "need-diecast", "kitech", "forbid", "다른 과제로 바쁨", then_run=True)
    forbidden = set_pair_rule(core, OPERATOR, forbid)
    assert forbidden is not None
    assert {(p.need, p.partner) for p in forbidden.pairs} == {("need-ai", "kitech"), ("need-diecast", "etri")}
    swap = SwapRequest(REF, "need-ai", "kitech", "diecast", "기업 요청", then_run=True)
    swapped = swap_partner(core, OPERATOR, swap)
    assert swapped is not None and ("need-ai", "diecast") in {(p.need, p.partner) for p in swapped.pairs}
    with pytest.raises(InvalidError, match="its own organisation: need-diecast – diecast"):
        set_pair_rule(core, OPERATOR, PairRuleRequest(REF, "need-diecast", "diecast", "lock"))


def test_loaded_scores_override_the_engine_and_never_pair_a_need_with_its_own_organisation(
    engine: Engine, settings: Settings, encoder: UseEncoder
) -> None:
    scored_world(engine)
    core = core_on(engine, settings, encoder=encoder)
    with pytest.raises(NotIndexedError):  # no scores and no index: nothing is made up
        run_assignment(core, OPERATOR, REF)
    own = {("need-diecast", "diecast"): 0.9, ("need-ai", "kitech"): 0.5}
    with pytest.raises(InvalidError, match="its own organisation: need-diecast – diecast"):
        set_candidate_scores(core, OPERATOR, ScoresRequest(REF, own))
    assert _candidates(engine) == {}
    loaded = {("need-diecast", "etri"): 0.9, ("need-ai", "kitech"): 0.8, ("need-ai", "etri"): 0.1}
    set_candidate_scores(core, OPERATOR, ScoresRequest(REF, loaded))
    core = indexed_core(engine, settings, encoder)
    report = run_assignment(core, OPERATOR, REF)
    assert report.scores_source == "candidates"  # the file wins over the engine, index or not
    assert {(p.need, p.partner, p.score) for p in report.pairs} == {
        ("need-diecast", "etri", 0.9),
        ("need-ai", "kitech", 0.8),
    }
    assert all(p.explanation is None for p in report.pairs)
    set_candidate_scores(core, OPERATOR, ScoresRequest(REF, {}))  # no scores: back to the engine
    assert run_assignment(core, OPERATOR, REF).scores_source == "engine"
