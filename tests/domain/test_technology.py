"""Classification codes and readiness levels."""

from __future__ import annotations

import pytest

from techbridge.domain.technology import check_trl, find_codes


def test_codes_are_found_in_kipris_style_lists() -> None:
    text = "['H01G 11/86 H01G 11/32  .... ', 'H01G 11/86|H01G 11/32|H01G 11/46|B05D 1/12']"
    assert find_codes(text) == ["H01G 11/86", "H01G 11/32", "H01G 11/46", "B05D 1/12"]


def test_codes_are_canonical_and_subclasses_alone_are_kept() -> None:
    assert find_codes("G06T7/00, G06N, A61K  36/03") == ["G06T 7/00", "G06N", "A61K 36/03"]


def test_text_without_codes_gives_none() -> None:
    assert find_codes("자율주행차 라이다용 광학소재") == []


@pytest.mark.parametrize("level", [0, 10])
def test_trl_outside_one_to_nine_is_refused(level: int) -> None:
    with pytest.raises(ValueError, match="TRL"):
        check_trl(level)


def test_trl_inside_is_kept() -> None:
    assert check_trl(6) == 6
