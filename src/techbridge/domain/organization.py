"""Organisations: their kinds, size classes, and the normalisation of their names (no I/O)."""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum

from techbridge.domain.text import remove_ignorables


class OrganizationKind(StrEnum):
    """What an organisation is; the identifiers of the benchmark format."""

    COMPANY = "company"
    RESEARCH_INSTITUTE = "research_institute"
    UNIVERSITY = "university"
    TECH_HOLDING = "tech_holding"
    PATENT_FIRM = "patent_firm"
    INVESTOR = "investor"
    PUBLIC = "public"
    OTHER = "other"


class SizeClass(StrEnum):
    """A company's size class (대기업 / 중견기업 / 중소기업 / 스타트업)."""

    LARGE = "large"
    MID_SIZED = "mid-sized"
    SMALL = "small"
    STARTUP = "startup"


# Korean legal-form marks written before or after a company name: (주), ㈜, 주식회사, (유), 유한회사 …
_LEGAL_FORMS = (
    "주식회사",
    "유한회사",
    "유한책임회사",
    "합자회사",
    "합명회사",
    "재단법인",
    "사단법인",
    "(주)",
    "㈜",
    "(유)",
    "㈔",
    "(사)",
    "(재)",
    "(합)",
)
_LATIN_FORMS = re.compile(
    r"\b(co\.?,?\s*ltd\.?|ltd\.?|inc\.?|corp\.?|corporation|gmbh|s\.?a\.?s?|a/?s|as|asa|plc|llc|b\.?v\.?)$",
    re.IGNORECASE,
)
_SPACES = re.compile(r"\s+")


def normalize_name(name: str) -> str:
    """Return the key under which differently written names of one organisation meet.

    ``(주)엘엠에스``, ``주식회사 엘엠에스`` and ``엘엠에스(주)`` all give ``엘엠에스``; Latin names are
    case-folded and lose a trailing legal form (``Ltd.``, ``GmbH``, ``AS`` …); characters shown as
    nothing (``domain.text.remove_ignorables``) are dropped, so ``코\u200b다코`` is ``코다코``.
    """
    text = remove_ignorables(name).strip()
    text = text.replace("（", "(").replace("）", ")")
    for form in _LEGAL_FORMS:
        text = text.replace(unicodedata.normalize("NFKC", form), " ")
    text = _SPACES.sub(" ", text).strip(" ,.")
    previous = None
    while previous != text:
        previous = text
        text = _LATIN_FORMS.sub("", text).strip(" ,.")
    return _SPACES.sub("", text).casefold()


def parse_kind(value: str) -> OrganizationKind:
    """Return the kind named by ``value`` (identifier, CORDIS activity type or Korean word).

    Raises:
        ValueError: the value names no kind.
    """
    key = value.strip()
    lowered = key.lower().replace("-", "_").replace(" ", "_")
    if lowered in OrganizationKind._value2member_map_:
        return OrganizationKind(lowered)
    if key.upper() in _CORDIS_ACTIVITY:
        return _CORDIS_ACTIVITY[key.upper()]
    if key in _KOREAN_KINDS:
        return _KOREAN_KINDS[key]
    raise ValueError(f"unknown organisation kind {value!r}; use one of {', '.join(OrganizationKind)}")


def parse_size_class(value: str) -> SizeClass:
    """Return the size class named by ``value`` (identifier or Korean word).

    Raises:
        ValueError: the value names no size class.
    """
    key = value.strip().lower().replace("_", "-")
    if key in SizeClass._value2member_map_:
        return SizeClass(key)
    aliases = {"mid": SizeClass.MID_SIZED, "midsized": SizeClass.MID_SIZED, "sme": SizeClass.SMALL}
    if key in aliases:
        return aliases[key]
    if value.strip() in _KOREAN_SIZES:
        return _KOREAN_SIZES[value.strip()]
    raise ValueError(f"unknown size class {value!r}; use one of {', '.join(SizeClass)}")


_CORDIS_ACTIVITY = {
    "HES": OrganizationKind.UNIVERSITY,
    "REC": OrganizationKind.RESEARCH_INSTITUTE,
    "PRC": OrganizationKind.COMPANY,
    "PUB": OrganizationKind.PUBLIC,
    "OTH": OrganizationKind.OTHER,
}
_KOREAN_KINDS = {
    "기업": OrganizationKind.COMPANY,
    "회사": OrganizationKind.COMPANY,
    "출연연": OrganizationKind.RESEARCH_INSTITUTE,
    "공공연구기관": OrganizationKind.RESEARCH_INSTITUTE,
    "연구기관": OrganizationKind.RESEARCH_INSTITUTE,
    "대학": OrganizationKind.UNIVERSITY,
    "대학교": OrganizationKind.UNIVERSITY,
    "기술지주회사": OrganizationKind.TECH_HOLDING,
    "특허법인": OrganizationKind.PATENT_FIRM,
    "투자사": OrganizationKind.INVESTOR,
    "공공기관": OrganizationKind.PUBLIC,
    "기타": OrganizationKind.OTHER,
}
_KOREAN_SIZES = {
    "대기업": SizeClass.LARGE,
    "중견기업": SizeClass.MID_SIZED,
    "중소기업": SizeClass.SMALL,
    "스타트업": SizeClass.STARTUP,
}


def guess_kind(name: str) -> OrganizationKind:
    """Guess an organisation's kind from its (Korean) name, for files that do not say it."""
    if "산학협력단" in name or name.endswith("대학교") or "대학교" in name or "university" in name.lower():
        return OrganizationKind.UNIVERSITY
    if "특허법인" in name:
        return OrganizationKind.PATENT_FIRM
    if "기술지주" in name:
        return OrganizationKind.TECH_HOLDING
    if name.endswith(("연구원", "연구소")) or "institute" in name.lower():
        return OrganizationKind.RESEARCH_INSTITUTE
    if any(form in name for form in ("(주)", "㈜", "주식회사", "(유)")):
        return OrganizationKind.COMPANY
    return OrganizationKind.OTHER
