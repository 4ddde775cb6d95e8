"""Interface messages in Korean (the default) and English (money is shown by ``domain.money.format_eok``)."""

from __future__ import annotations

from collections.abc import Callable

LANGUAGES = ("ko", "en")
DEFAULT_LANGUAGE = "ko"

# key: (Korean, English)
MESSAGES: dict[str, tuple[str, str]] = {
    "app.tagline": (
        "기업과 공공연구기관을 잇는 기술협력 플랫폼",
        "Connecting companies with public research",
    ),
    "nav.dashboard": ("대시보드", "Dashboard"),
    "nav.needs": ("기술수요", "Needs"),
    "nav.technologies": ("보유기술", "Technologies"),
    "nav.pipeline": ("협력 파이프라인", "Pipeline"),
    "nav.rounds": ("과제 배정", "Assignment"),
    "nav.kpis": ("성과지표", "KPIs"),
    "nav.consortia": ("컨소시엄", "Consortia"),
    "nav.clusters": ("특허군 지도", "Cluster map"),
    "nav.logout": ("로그아웃", "Sign out"),
    "login.title": ("로그인", "Sign in"),
    "login.username": ("아이디", "User name"),
    "login.password": ("비밀번호", "Password"),
    "login.submit": ("로그인", "Sign in"),
    "login.failed": ("아이디 또는 비밀번호가 올바르지 않습니다.", "Wrong user name or password."),
    "login.locked": (
        "로그인 실패가 많아 잠시 후 다시 시도하세요.",
        "Too many failed sign-ins; try again later.",
    ),
    "nav.password": ("비밀번호 변경", "Change password"),
    "password.title": ("비밀번호 변경", "Change your password"),
    "password.must_change": (
        "발급받은 임시 비밀번호입니다. 계속하려면 직접 정한 비밀번호로 바꾸세요.",
        "This password was given to you: choose your own to continue.",
    ),
    "password.rules": (
        "새 비밀번호는 {minimum}자 이상이어야 하며 아이디나 지금 비밀번호와 달라야 합니다. "
        "바꾸면 다른 곳의 로그인은 끝나고 API 토큰은 모두 폐기됩니다.",
        "At least {minimum} characters, not your user name nor your current password. "
        "Changing it signs you out everywhere else and revokes all your API tokens.",
    ),
    "password.current": ("지금 비밀번호", "Current password"),
    "password.new": ("새 비밀번호", "New password"),
    "password.repeat": ("새 비밀번호 확인", "Repeat the new password"),
    "password.submit": ("비밀번호 변경", "Change password"),
    "password.mismatch": ("새 비밀번호 두 개가 서로 다릅니다.", "The two new passwords differ."),
    "password.wrong_current": ("지금 비밀번호가 올바르지 않습니다.", "The current password is wrong."),
    "password.refused": ("새 비밀번호를 쓸 수 없습니다.", "The new password is refused."),
    "password.conflict": (
        "그 사이에 비밀번호가 바뀌었습니다. 다시 로그인하세요.",
        "The password was changed meanwhile; sign in again.",
    ),
    "role.administrator": ("관리자", "Administrator"),
    "role.program_manager": ("사업 관리자", "Program manager"),
    "role.company_member": ("기업 담당자", "Company member"),
    "role.institute_member": ("기관 기술이전 담당자", "Institute TLO staff"),
    "role.viewer": ("열람자", "Viewer"),
    "dash.title": ("대시보드", "Dashboard"),
    "dash.my_needs": ("우리 회사 기술수요", "Our needs"),
    "dash.open_needs": ("공개된 수요 요약", "Published need summaries"),
    "dash.my_coops": ("참여 중인 협력", "Our cooperations"),
    "dash.stale": ("정체된 협력", "Stale cooperations"),
    "dash.rounds": ("배정할 차수", "Rounds to assign"),
    "dash.stages": ("단계별 협력 수", "Cooperations by stage"),
    "dash.none": ("아직 없습니다.", "None yet."),
    "needs.title": ("기술수요", "Technology needs"),
    "needs.new": ("수요 등록", "New need"),
    "needs.import": ("파일로 가져오기", "Import a file"),
    "needs.summary_only": ("익명 요약", "Anonymised summary"),
    "needs.full": ("전체", "Full"),
    "needs.matches": ("추천 파트너", "Matched partners"),
    "needs.not_indexed": (
        "매칭 색인이 아직 없습니다 (techbridge index).",
        "No matching index yet (techbridge index).",
    ),
    "needs.key_hint": (
        "비워 두면 아무것도 드러내지 않는 키(need-…)가 부여됩니다. "
        "직접 정한 키는 관리자와 모든 사업의 관리자만 쓸 수 있고, "
        "다른 사용자의 수요에는 항상 새 키가 부여됩니다.",
        "Leave it empty and the need gets a key that says nothing (need-…). A chosen key is kept only "
        "for administrators and managers of every program; anyone else's need always gets a new key.",
    ),
    "needs.import_rule": (
        "수요 파일은 관리자와 모든 사업의 관리자가 가져옵니다. "
        "한 사업의 관리자는 그 사업의 수요만 고칠 수 있고, 다른 키가 있는 파일은 통째로 거절됩니다.",
        "Need files are imported by administrators and managers of every program. A program's manager may "
        "only update that program's needs; a file with any other key is refused whole.",
    ),
    "needs.share": ("파트너에게 공유", "Share with a partner"),
    "needs.interest": ("관심 표명", "Express interest"),
    "needs.interests": ("관심 표명한 기관", "Interested organisations"),
    "tech.title": ("보유기술", "Technologies"),
    "tech.new": ("기술 등록", "New technology"),
    "field.key": ("식별키", "Key"),
    "field.title": ("제목", "Title"),
    "field.description": ("설명", "Description"),
    "field.summary": ("공개 요약 (익명)", "Public summary (anonymous)"),
    "field.visibility": ("공개 범위", "Visibility"),
    "field.round": ("사업 차수", "Program round"),
    "field.codes": ("분류코드 (IPC)", "Classification codes (IPC)"),
    "field.field": ("기술분야", "Field"),
    "field.trl": ("목표 TRL", "Target TRL"),
    "field.organization": ("기관", "Organisation"),
    "field.file": ("파일 (CSV, XLSX, JSONL)", "File (CSV, XLSX, JSONL)"),
    "field.stage": ("단계", "Stage"),
    "field.reason": ("사유", "Reason"),
    "field.date": ("일자", "Date"),
    "field.kind": ("종류", "Kind"),
    "field.amount": ("금액 (예: 3.5억원)", "Amount (e.g. 3.5억원)"),
    "field.place": ("장소", "Place"),
    "field.parties": ("당사자", "Parties"),
    "field.score": ("점수", "Score"),
    "vis.confidential": ("비공개", "Confidential"),
    "vis.summary": ("요약 공개", "Summary published"),
    "action.save": ("저장", "Save"),
    "action.cancel": ("취소", "Cancel"),
    "action.import": ("가져오기", "Import"),
    "action.move": ("다음 단계로", "Advance"),
    "action.drop": ("중단", "Drop"),
    "action.override": ("단계 변경 (관리자)", "Set stage (override)"),
    "action.run": ("배정 실행", "Run assignment"),
    "action.accept": ("배정 확정", "Accept assignment"),
    "action.lock": ("고정", "Lock"),
    "action.swap": ("교체", "Swap"),
    "action.back": ("돌아가기", "Back"),
    "action.search": ("검색", "Search"),
    "action.build": ("구성", "Build"),
    "match.why": ("추천 근거", "Why"),
    "match.evidence": ("근거 기록", "Evidence"),
    "match.terms": ("공통 용어", "Shared terms"),
    "signal.bm25": ("키워드", "Keywords"),
    "signal.dense": ("의미 유사도", "Meaning"),
    "signal.codes": ("분류코드", "Codes"),
    "signal.history": ("협력 이력", "History"),
    "signal.recency": ("최근성", "Recency"),
    "signal.prior": ("실적 규모", "Track record"),
    "signal.ngram": ("글자 조각", "Character n-grams"),
    "signal.profile": ("기록 전체", "Whole profile"),
    "match.no_lead": (
        "어느 신호에서도 후보 평균보다 높지 않습니다.",
        "Not above the average candidate in any signal.",
    ),
    "pipe.title": ("협력 파이프라인", "Cooperation pipeline"),
    "pipe.idle": ("일 경과", "days idle"),
    "pipe.drag": ("끌어서 다른 단계로 옮기기", "Drag to another stage"),
    "pipe.drag_hint": (
        "카드를 다른 단계로 끌어 옮기거나 카드의 버튼을 누르세요. "
        "단계를 건너뛰거나 중단하려면 사유가 필요합니다.",
        "Drag a card to another stage, or use its button. Skipping a stage or dropping needs a reason.",
    ),
    "pipe.reason_drop": ("중단하는 사유를 적어 주세요.", "Why is this cooperation dropped?"),
    "pipe.reason_override": (
        "다음 단계가 아닌 단계로 옮깁니다 (관리자). 사유를 적어 주세요.",
        "This is not the next stage (a manager's override): give a reason.",
    ),
    "pipe.moved": ("옮겼습니다:", "Moved:"),
    "stage.matched": ("매칭", "Matched"),
    "stage.introduced": ("소개", "Introduced"),
    "stage.joint_planning": ("공동기획", "Joint planning"),
    "stage.agreement_signed": ("협약 체결", "Agreement signed"),
    "stage.rnd_under_way": ("R&D 수행", "R&D under way"),
    "stage.outcomes": ("성과", "Outcomes"),
    "stage.closed": ("종료", "Closed"),
    "stage.dropped": ("중단", "Dropped"),
    "coop.program": ("사업", "Program"),
    "coop.consortium": ("컨소시엄", "Consortium"),
    "coop.started_on": ("시작일", "Started"),
    "coop.members": ("참여기관", "Members"),
    "coop.history": ("이력", "History"),
    "coop.agreement": ("협약 등록", "Record an agreement"),
    "coop.meeting": ("회의 기록", "Record a meeting"),
    "coop.outcome": ("성과 등록", "Record an outcome"),
    "coop.agreements": ("협약", "Agreements"),
    "coop.outcomes": ("성과", "Outcomes"),
    "field.follow_up": ("후속 조치", "Follow-up"),
    "field.owner": ("담당자", "Owner"),
    "field.due": ("기한", "Due"),
    "agreement.mou": ("업무협약(MOU)", "MOU"),
    "agreement.joint_research": ("공동연구 협약", "Joint research"),
    "agreement.license": ("기술실시 계약", "Licence"),
    "agreement.assignment": ("기술양도 계약", "Assignment"),
    "outcome.technology_transfer": ("기술이전", "Technology transfer"),
    "outcome.royalty": ("기술료", "Royalty"),
    "outcome.startup": ("창업", "Startup"),
    "outcome.investment": ("투자유치", "Investment"),
    "outcome.product": ("제품화", "Product"),
    "outcome.joint_patent": ("공동특허", "Joint patent"),
    "outcome.fusion_technology": ("융합기술", "Fusion technology"),
    "outcome.rnd_strategy": ("R&D 전략", "R&D strategy"),
    "side.demand": ("수요", "Demand"),
    "side.supply": ("공급", "Supply"),
    "side.lead": ("주관", "Lead"),
    "side.participant": ("참여", "Participant"),
    "assign.title": ("과제 배정 보드", "Round assignment board"),
    "assign.need": ("수요", "Need"),
    "assign.partner": ("배정 기관", "Partner"),
    "assign.alternatives": ("대안 후보", "Alternatives"),
    "assign.status": ("상태", "Status"),
    "assign.empty": ("아직 배정 결과가 없습니다. 배정을 실행하세요.", "No assignment yet: run it."),
    "kpi.sources": ("출처", "Sources"),
    "kpi.sources.note": (
        "아래 출처에 발표된 누계가 위 지표에 포함되어 있습니다.",
        "The figures above include totals published in these sources.",
    ),
    "kpi.title": ("성과지표", "Key performance indicators"),
    "kpi.funnel": ("협력 단계별 퍼널", "Pipeline funnel"),
    "kpi.money": ("금액 지표 (억원)", "Money (억원)"),
    "kpi.rnd_strategies": ("R&D 전략", "R&D strategies"),
    "kpi.investment_planned_krw": ("민간투자 계획", "Investment planned"),
    "kpi.agreements": ("협약", "Agreements"),
    "kpi.transfers": ("기술이전", "Transfers"),
    "kpi.royalties_krw": ("기술료", "Royalties"),
    "kpi.startups": ("창업", "Startups"),
    "kpi.investment_krw": ("투자유치", "Investment attracted"),
    "kpi.products": ("제품화", "Products"),
    "kpi.joint_patents": ("공동특허", "Joint patents"),
    "kpi.fusion_technologies": ("융합기술", "Fusion technologies"),
    "kpi.program": ("사업", "Program"),
    "kpi.year": ("연도", "Year"),
    "kpi.all": ("전체", "All"),
    "cons.title": ("컨소시엄 구성", "Consortium builder"),
    "cons.need": ("수요 키", "Need key"),
    "cons.size": ("규모", "Size"),
    "cons.members": ("구성원", "Members"),
    "cons.coverage": ("역량 충족", "Coverage"),
    "clusters.title": ("특허군 지도", "Patent cluster map"),
    "clusters.k": ("군집 수", "Clusters"),
    "error.title": ("요청을 처리할 수 없습니다", "The request could not be handled"),
    "error.not_found": ("찾을 수 없습니다.", "Not found."),
    "error.denied": ("권한이 없습니다.", "You may not do this."),
    "error.too_large": ("보낸 내용이 너무 큽니다", "What you sent is too large"),
    "error.too_large.detail": (
        "요청 본문이 한도({limit} 바이트)를 넘어 아무것도 저장하지 않았습니다. 내용을 줄여 다시 보내세요.",
        "The request body is past the limit of {limit} bytes; nothing was stored. Send less and try again.",
    ),
    "flash.saved": ("저장했습니다.", "Saved."),
}


def translator(language: str) -> Callable[[str], str]:
    """Return ``t(key)`` for ``language``: the message, or the key itself when none is written."""
    column = 1 if language == "en" else 0

    def t(key: str) -> str:
        pair = MESSAGES.get(key)
        return pair[column] if pair else key

    return t


def pick_language(query: str | None, cookie: str | None) -> str:
    """Return the language asked for in the query, else the cookie's, else Korean."""
    for value in (query, cookie):
        if value in LANGUAGES:
            return str(value)
    return DEFAULT_LANGUAGE
