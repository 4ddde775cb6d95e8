"""Organisation names, kinds and size classes."""

from __future__ import annotations

import pytest

from techbridge.domain.organization import (
    OrganizationKind,
    SizeClass,
    guess_kind,
    normalize_name,
    parse_kind,
    parse_size_class,
)


@pytest.mark.parametrize(
    "name", ["(주)엘엠에스", "주식회사 엘엠에스", "엘엠에스(주)", "㈜엘엠에스", " 엘엠에스 ", "엘엠에스 (주)"]
)
def test_korean_legal_forms_meet_in_one_name(name: str) -> None:
    assert normalize_name(name) == "엘엠에스"


def test_different_companies_stay_apart() -> None:
    assert normalize_name("(주)코다코") != normalize_name("(주)엘엠에스")


@pytest.mark.parametrize(
    ("name", "key"),
    [("SINTEF AS", "sintef"), ("Sintef", "sintef"), ("Acme Co., Ltd.", "acme"), ("Siemens GmbH", "siemens")],
)
def test_latin_legal_forms_and_case_are_ignored(name: str, key: str) -> None:
    assert normalize_name(name) == key


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("company", OrganizationKind.COMPANY),
        ("research institute", OrganizationKind.RESEARCH_INSTITUTE),
        ("HES", OrganizationKind.UNIVERSITY),
        ("REC", OrganizationKind.RESEARCH_INSTITUTE),
        ("출연연", OrganizationKind.RESEARCH_INSTITUTE),
        ("기술지주회사", OrganizationKind.TECH_HOLDING),
    ],
)
def test_kinds_are_read_from_identifiers_cordis_types_and_korean(value: str, kind: OrganizationKind) -> None:
    assert parse_kind(value) is kind


def test_unknown_kind_is_refused_with_the_choices() -> None:
    with pytest.raises(ValueError, match="research_institute"):
        parse_kind("laboratory")


@pytest.mark.parametrize(
    ("value", "size"), [("mid-sized", SizeClass.MID_SIZED), ("중견기업", SizeClass.MID_SIZED)]
)
def test_size_classes(value: str, size: SizeClass) -> None:
    assert parse_size_class(value) is size


def test_unknown_size_class_is_refused() -> None:
    with pytest.raises(ValueError, match="size class"):
        parse_size_class("huge")


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("인천대학교 산학협력단", OrganizationKind.UNIVERSITY),
        ("한국화학연구원", OrganizationKind.RESEARCH_INSTITUTE),
        ("(주)진우에프티", OrganizationKind.COMPANY),
        ("특허법인 다나", OrganizationKind.PATENT_FIRM),
        ("공정애", OrganizationKind.OTHER),
    ],
)
def test_kind_is_guessed_from_korean_names(name: str, kind: OrganizationKind) -> None:
    assert guess_kind(name) is kind
