"""Money in 억원."""

from __future__ import annotations

import pytest

from techbridge.domain.agreement import format_eok, to_eok


@pytest.mark.parametrize(
    ("krw", "text"),
    [(70_000_000_000, "700억원"), (250_000_000, "2.5억원"), (54_800_000_000, "548억원"), (0, "0억원")],
)
def test_money_is_shown_in_eok(krw: int, text: str) -> None:
    assert format_eok(krw) == text


def test_eok_is_a_hundred_million_won() -> None:
    assert to_eok(100_000_000) == 1.0
