"""Money in 억원: the one format every report, page and command shows amounts in."""

from __future__ import annotations

import pytest

from techbridge.domain.money import EOK, format_eok, to_eok


@pytest.mark.parametrize(
    ("krw", "text"),
    [
        (70_000_000_000, "700억원"),
        (250_000_000, "2.5억원"),
        (1_250_000_000, "12.5억원"),
        (54_800_000_000, "548억원"),
        (200_000_000, "2억원"),
        (123_456_000_000_000, "1,234,560억원"),
        (0, "0억원"),
        (None, "–"),
    ],
)
def test_money_is_shown_in_eok(krw: int | None, text: str) -> None:
    assert format_eok(krw) == text


def test_eok_is_a_hundred_million_won() -> None:
    assert EOK == 100_000_000 and to_eok(100_000_000) == 1.0
