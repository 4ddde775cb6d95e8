"""Rendering without a server: matched terms highlighted (and escaped), explanations, money in 억원."""

from __future__ import annotations

import re

from techbridge.domain.money import format_eok
from techbridge.web.highlight import highlight
from techbridge.web.i18n import pick_language, translator
from techbridge.web.pages import make_templates

MATCH = {
    "target": "organization", "id": "kr-kimm", "score": 0.8, "name": "한국기계연구원",
    "kind": "research_institute", "signals": {}, "explanation": {
        "shares": {"bm25": 0.5, "dense": 0.5}, "terms": ["라이다", "광학"], "codes": ["G02B"],
        "evidence": [{"id": "kr-tech-1", "title": "라이다용 광학 렌즈 <b>", "terms": [], "codes": [],
                      "sentence_pair": ["q", "광학 렌즈", 0.61]}],
    },
}  # fmt: skip


def test_highlight_marks_terms_and_escapes_the_rest() -> None:
    assert str(highlight("<라이다> 광학소재", ["라이다", "광학", "x"])) == (
        "&lt;<mark>라이다</mark>&gt; <mark>광학</mark>소재"
    )
    assert str(highlight("a<b", [])) == "a&lt;b"


def test_a_match_renders_with_bars_terms_and_evidence() -> None:
    template = make_templates().env.get_template("_match.html")
    html = template.render(match=MATCH, rank=1, t=translator("ko"), highlight=highlight)
    assert "<mark>라이다</mark>용 <mark>광학</mark> 렌즈 &lt;b&gt;" in html
    assert 'class="w80"' in html and "키워드" in html and "cos 0.61" in html
    against_best = template.render(match=MATCH, rank=2, best=3.2, t=translator("ko"), highlight=highlight)
    assert 'class="w25"' in against_best  # the score bar is relative to the page's best match
    assert 'class="w80"' not in against_best
    assert 'data-testid="no-lead"' not in html
    behind = {
        **MATCH,
        "score": -2.5,
        "explanation": {**MATCH["explanation"], "shares": {"bm25": 0.0, "dense": 0.0}},
    }  # type: ignore[dict-item]
    lagging = template.render(match=behind, rank=3, best=3.2, t=translator("en"), highlight=highlight)
    assert "Not above the average candidate in any signal." in lagging and 'class="w0"' in lagging


def test_languages_and_money() -> None:
    assert pick_language("en", "ko") == "en" and pick_language("xx", None) == "ko"
    assert translator("en")("nav.pipeline") == "Pipeline" and translator("ko")("unknown.key") == "unknown.key"
    assert format_eok(1_250_000_000) == "12.5억원" and format_eok(None) == "–"


def test_every_message_a_template_names_is_written_in_both_languages() -> None:
    from techbridge.domain.agreement import AgreementKind, OutcomeKind
    from techbridge.domain.cooperation import MemberRole, Stage
    from techbridge.matching.params import SIGNALS
    from techbridge.services.actor import ROLES
    from techbridge.web.i18n import MESSAGES
    from techbridge.web.pages import TEMPLATES

    named = {
        m for f in TEMPLATES.glob("*.html") for m in re.findall(r't\(["\']([\w.]+)["\']\)', f.read_text())
    }
    named |= {f"stage.{s}" for s in Stage} | {f"role.{r}" for r in ROLES} | {f"side.{r}" for r in MemberRole}
    named |= {f"agreement.{k}" for k in AgreementKind} | {f"outcome.{k}" for k in OutcomeKind}
    named |= {f"signal.{s}" for s in SIGNALS}  # a match's signal bars are named "signal." + its signal
    assert sorted(named - set(MESSAGES)) == []
    assert all(ko and en for ko, en in MESSAGES.values())
