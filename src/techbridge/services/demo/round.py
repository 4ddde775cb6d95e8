"""The 2021 demo round end to end: round, screening, assignment, the four named MOUs, invented outcomes.

Facts (the program, nine institutes, four named pairs, the 2021-11-16 MOUs) come from the press
release; every plan and outcome here is invented to show the pipeline and says so (``is_invented``
and "(가상 예시)" in its text). Every step checks what is stored first, so a second run changes nothing.

The round is assigned from the matching engine's scores, as any round without loaded scores is. A
named pair the engine does not propose is then locked, as the program decided it, with a reason
that says so; the summary names those pairs (``pinned``), so the demo never claims the engine found
what it did not.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

from sqlalchemy import Engine, func, select, update

from techbridge.config import Settings
from techbridge.domain.cooperation import PIPELINE, Stage
from techbridge.domain.money import EOK
from techbridge.services.actor import operator
from techbridge.services.catalogue.finding import find_cooperation
from techbridge.services.cooperations.agreement import SignRequest, sign_agreement
from techbridge.services.cooperations.outcome import OutcomeInput, record_outcome
from techbridge.services.cooperations.pipeline import move
from techbridge.services.cooperations.plan import PlanRequest, save_joint_plan
from techbridge.services.core import Core
from techbridge.services.models import Models
from techbridge.services.programs import round as rounds
from techbridge.services.programs.assignment import AcceptRequest, accept_assignment, run_assignment
from techbridge.services.programs.pairing import (
    PairRuleRequest,
    ScoresRequest,
    set_candidate_scores,
    set_pair_rule,
)
from techbridge.storage.db import transaction
from techbridge.storage.pipeline import Assignment, JointPlan, PairRule, RoundScoring
from techbridge.storage.tables import Agreement, Cooperation, Need, Organization, Outcome, Program, Round

log = logging.getLogger(__name__)

PROGRAM, ROUND = "demo-2021", "2021"
REF = rounds.RoundRef(PROGRAM, ROUND)
CAPACITIES: dict[str, int | None] = {
    "kr-kimm": 2, "kr-kitech": 2, "kr-kier": 1, "kr-katech": 1, "kr-keri": 1,
    "kr-keti": 1, "kr-etri": 2, "kr-kims": 1, "kr-krict": 1,
}  # fmt: skip
MATCHED_AT = dt.datetime(2021, 7, 1, 9, tzinfo=dt.UTC)
SIGNED_ON = dt.date(2021, 11, 16)
INVENTED = "(가상 예시 · invented example)"
NAMED = ("lms-lidar", "kodaco-diecasting", "douzone-ai", "zeus-diagnosis")
PINNED = "named pair (press release)"
# Invented moves after matching: (need, stage, date, reason).
MOVES = [
    *((n, "introduced", dt.date(2021, 7, 20), None) for n in (*NAMED, "hanbit-cathode", "nuri-iot")),
    *((n, "joint_planning", dt.date(2021, 8, 10), None) for n in NAMED),
    ("hanbit-cathode", "dropped", dt.date(2021, 9, 30), f"예산 조정으로 중단 {INVENTED}"),
]
AFTER_SIGNING = [
    ("lms-lidar", "rnd_under_way", dt.date(2022, 1, 10)),
    ("kodaco-diecasting", "rnd_under_way", dt.date(2022, 2, 1)),
    ("douzone-ai", "rnd_under_way", dt.date(2022, 3, 2)),
]
# Invented investment roadmaps (억원 by year) of the four named pairs' joint plans.
ROADMAPS = {"lms-lidar": {2022: 30, 2023: 50}, "kodaco-diecasting": {2022: 40, 2023: 60},
            "douzone-ai": {2022: 20, 2023: 30}, "zeus-diagnosis": {2022: 10, 2023: 20}}  # fmt: skip
# Invented outcomes: (key, need, kind, date, 억원).
OUTCOMES = [
    *((f"demo-2021-strategy-{n}", n, "rnd_strategy", SIGNED_ON, None) for n in ROADMAPS),
    ("demo-2021-patent-lms", "lms-lidar", "joint_patent", dt.date(2022, 10, 5), None),
    ("demo-2021-transfer-lms", "lms-lidar", "technology_transfer", dt.date(2023, 3, 2), None),
    ("demo-2021-royalty-lms-1", "lms-lidar", "royalty", dt.date(2023, 9, 1), 1.2),
    ("demo-2021-royalty-lms-2", "lms-lidar", "royalty", dt.date(2024, 3, 1), 0.8),
    ("demo-2021-product-lms", "lms-lidar", "product", dt.date(2024, 2, 15), None),
    ("demo-2021-patent-kodaco", "kodaco-diecasting", "joint_patent", dt.date(2023, 1, 20), None),
    ("demo-2021-investment-kodaco", "kodaco-diecasting", "investment", dt.date(2023, 5, 10), 45),
    ("demo-2021-product-douzone", "douzone-ai", "product", dt.date(2023, 11, 1), None),
]


@dataclass(frozen=True, slots=True)
class DemoRoundSummary:
    """What the demo round holds after the run, and whether this run changed anything."""

    program: str
    round: str
    institutes: int
    needs_accepted: int
    pairs: tuple[tuple[str, str, float], ...]
    total: float
    cooperations: int
    agreements: int
    outcomes: int
    changed: bool
    scores_source: str = "engine"
    pinned: tuple[tuple[str, str], ...] = ()


def named_pairs() -> list[dict[str, str]]:
    """Return the four pairs the press release names, from the bundled ``program.json``."""
    text = (resources.files("techbridge") / "data" / "demo-2021" / "program.json").read_text(encoding="utf-8")
    pairs: list[dict[str, str]] = json.loads(text)["pairs"]
    return pairs


def coop_key(need: str) -> str:
    """Return the key of the cooperation the round opens for the demo need ``demo-2021-<need>``."""
    return f"coop-{PROGRAM}-{ROUND}-demo-2021-{need}"


def run_demo_round(
    core: Core, actor: str, scores: Mapping[tuple[str, str], float] | None = None
) -> DemoRoundSummary:
    """Run the 2021 round end to end on the imported demo data; a second run changes nothing.

    Args:
        core: the core whose matching index scores the round (``techbridge index`` built it).
        scores: candidate scores ``{(need key, institute key): score}`` that override the engine's.

    Raises:
        NotFoundError: the demo organisations, needs or program have not been imported.
        NotIndexedError: no ``scores`` and no matching index.
    """
    engine = core.engine
    changed = _ensure_round(engine, actor)
    changed |= _ensure_assignment(core, actor, scores)
    changed |= _ensure_pipeline(engine, actor)
    return summarize(engine, changed)


def _ensure_round(engine: Engine, actor: str) -> bool:
    with transaction(engine) as session:
        exists = (
            session.scalar(select(Round.id).join(Program).where(Program.key == PROGRAM, Round.key == ROUND))
            is not None
        )
        needs = session.execute(
            select(Need.key, Need.round_id, Need.status).where(Need.key.like("demo-2021-%"))
        ).all()
    core, operator_ = demo_core(engine), operator(actor)
    if not exists:
        request = rounds.RoundRequest(
            PROGRAM,
            ROUND,
            "2021 중견기업-공공연구기관 협력수요 매칭",
            opens_on=dt.date(2021, 4, 1),
            closes_on=dt.date(2021, 5, 31),
            eligibility={"kinds": ["company", "research_institute"], "size_classes": ["mid-sized"]},
        )
        rounds.create_round(core, operator_, request)
        rounds.set_participants(core, operator_, rounds.ParticipantsRequest(REF, CAPACITIES))
    unsubmitted = sorted(key for key, round_id, _ in needs if round_id is None)
    if unsubmitted:
        rounds.submit(core, operator_, rounds.SubmitRequest(REF, unsubmitted))
    unscreened = sorted(key for key, _, status in needs if status == "submitted")
    for key in unscreened:
        rounds.screen(core, operator_, rounds.ScreenRequest(REF, key, True))
    return not exists or bool(unsubmitted or unscreened)


def _ensure_assignment(core: Core, actor: str, scores: Mapping[tuple[str, str], float] | None) -> bool:
    with transaction(core.engine) as session:
        round_id = session.scalar(
            select(Round.id).join(Program).where(Program.key == PROGRAM, Round.key == ROUND)
        )
        if session.scalar(
            select(func.count()).select_from(Assignment).where(Assignment.round_id == round_id)
        ):
            return False
    operator_ = operator(actor)
    if scores:
        set_candidate_scores(core, operator_, ScoresRequest(REF, dict(scores)))
    proposed = run_assignment(core, operator_, REF)
    chosen = {pair.need: pair.partner for pair in proposed.pairs}
    for pair in named_pairs():
        need, institute = pair["need"], pair["institute"]
        if chosen.get(need) == institute:
            continue
        # the program paired them; the scores did not: pinned, and the reason says what was proposed
        reason = f"{PINNED} (scores proposed {chosen.get(need) or 'nobody'})"
        log.info("demo round: %s – %s pinned; the scores proposed %s", need, institute, chosen.get(need))
        set_pair_rule(core, operator_, PairRuleRequest(REF, need, institute, "lock", reason))
    run_assignment(core, operator_, REF)
    accept_assignment(core, operator_, AcceptRequest(REF, at=MATCHED_AT))
    with transaction(core.engine) as session:  # cooperations of invented companies are invented too
        invented = select(Need.id).join(Organization).where(Organization.is_invented.is_(True))
        session.execute(update(Cooperation).where(Cooperation.need_id.in_(invented)).values(is_invented=True))
    return True


def _stages(engine: Engine) -> dict[str, str]:
    with transaction(engine) as session:
        return dict(
            session.execute(
                select(Cooperation.key, Cooperation.stage).where(Cooperation.key.like(coop_key("%")))
            ).all()
        )


def _move(engine: Engine, actor: str, need: str, stage: str, day: dt.date, reason: str | None) -> bool:
    stage_now = _stages(engine).get(coop_key(need))
    if stage_now is None:  # the need got no partner from the scores given
        return False
    current = Stage(stage_now)
    target = Stage(stage)
    if current == target or current == Stage.DROPPED:
        return False
    if target != Stage.DROPPED and PIPELINE.index(current) >= PIPELINE.index(target):
        return False
    at = dt.datetime.combine(day, dt.time(9), tzinfo=dt.UTC)
    with transaction(engine) as session:
        move(session, actor, find_cooperation(session, coop_key(need)), target, reason, False, at)
    return True


def _ensure_pipeline(engine: Engine, actor: str) -> bool:
    changed = False
    for need, stage, day, reason in MOVES:
        changed |= _move(engine, actor, need, stage, day, reason)
    with transaction(engine) as session:
        done = set(session.scalars(select(JointPlan.key)))
        signed = set(session.scalars(select(Agreement.key)))
        recorded = set(session.scalars(select(Outcome.key)))
    for pair in named_pairs():
        need = pair["need"].removeprefix("demo-2021-")
        if f"plan-{need}" not in done:
            _plan(engine, actor, need, pair)
            changed = True
        if f"mou-2021-{need}" not in signed:
            request = SignRequest(
                coop_key(need),
                "mou",
                "중견기업-출연연 기술협력 업무협약(MOU)",
                SIGNED_ON,
                parties=[pair["company"], pair["institute"]],
                key=f"mou-2021-{need}",
            )
            sign_agreement(demo_core(engine), operator(actor), request)
            changed = True
    for need, stage, day in AFTER_SIGNING:
        changed |= _move(engine, actor, need, stage, day, None)
    for key, need, kind, day, eok in OUTCOMES:
        if key not in recorded:
            amount = round(eok * EOK) if eok is not None else None
            item = OutcomeInput(
                key, kind, day, amount, f"{kind} {INVENTED}", coop_key(need), is_invented=True
            )
            record_outcome(demo_core(engine), operator(actor), item)
            changed = True
    return changed


def _plan(engine: Engine, actor: str, need: str, pair: dict[str, str]) -> None:
    roadmap = ROADMAPS[need]
    request = PlanRequest(
        coop_key(need),
        f"{pair.get('field', need)} 공동 R&D 기획 {INVENTED}",
        starts_on=dt.date(2022, 1, 1),
        ends_on=dt.date(2023, 12, 31),
        budget={(pair["company"], 2022): 5 * EOK, (pair["institute"], 2022): 3 * EOK},
        investment={year: eok * EOK for year, eok in roadmap.items()},
        key=f"plan-{need}",
        is_invented=True,
    )
    save_joint_plan(demo_core(engine), operator(actor), request)


def demo_core(engine: Engine) -> Core:
    """Return a core on the demo's engine, for the use cases the demo runs as the operator."""
    settings = Settings(database_url=engine.url.render_as_string(hide_password=False))
    return Core(settings, engine, Models(settings))


def summarize(engine: Engine, changed: bool) -> DemoRoundSummary:
    """Return what the demo round holds now."""
    with transaction(engine) as session:
        round_ = session.scalar(select(Round).join(Program).where(Program.key == PROGRAM, Round.key == ROUND))
        assert round_ is not None
        rows = session.execute(
            select(Need.key, Organization.key, Assignment.score)
            .join(Need, Need.id == Assignment.need_id)
            .join(Organization, Organization.id == Assignment.organization_id)
            .where(Assignment.round_id == round_.id)
            .order_by(Need.key, Organization.key)
        ).all()
        coops = select(Cooperation.id).where(Cooperation.round_id == round_.id)
        pinned = session.execute(
            select(Need.key, Organization.key)
            .select_from(PairRule)
            .join(Need, Need.id == PairRule.need_id)
            .join(Organization, Organization.id == PairRule.organization_id)
            .where(PairRule.round_id == round_.id, PairRule.rule == "lock")
            .where(PairRule.reason.startswith(PINNED))
        ).all()
        scoring = session.get(RoundScoring, round_.id)

        def count(query: Any) -> int:
            return int(session.scalar(select(func.count()).select_from(query.subquery())) or 0)

        return DemoRoundSummary(
            PROGRAM,
            ROUND,
            len(CAPACITIES),
            count(select(Need.id).where(Need.round_id == round_.id, Need.status == "accepted")),
            tuple((n, o, s) for n, o, s in rows),
            round(sum(s for _, _, s in rows), 6),
            count(coops),
            count(select(Agreement.id).where(Agreement.cooperation_id.in_(coops))),
            count(select(Outcome.id).where(Outcome.cooperation_id.in_(coops))),
            changed,
            scoring.source if scoring is not None else "candidates",
            tuple(sorted((need, org) for need, org in pinned)),
        )
