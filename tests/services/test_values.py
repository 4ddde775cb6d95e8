"""Strict parsing of cell values: dates, lists, codes (KRW amounts: tests/domain/test_money.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from techbridge.services.ingest.values import (
    parse_codes,
    parse_country,
    parse_date,
    parse_flag,
    parse_list,
)


@pytest.mark.parametrize(
    "value",
    [
        "2016-10-24",
        "2016.10.24",
        " 2016.10.24",
        "2016. 10. 24.",
        "20161024",
        "2016-10-24 00:00:00",
        20161024,
        dt.datetime(2016, 10, 24, 9, 30),
        42667,
    ],
)
def test_dates_in_every_accepted_spelling(value: Any) -> None:
    assert parse_date(value) == dt.date(2016, 10, 24)


@pytest.mark.parametrize("value", ["2016.13.45", "yesterday", "2016-02-30", "16.10.24"])
def test_broken_dates_name_the_value(value: str) -> None:
    with pytest.raises(ValueError, match=f"not a date: {value!r}"):
        parse_date(value)


def test_lists_codes_flags_and_countries() -> None:
    assert parse_list("a; b|c\n") == ["a", "b", "c"]
    assert parse_list(["x", " ", "y"]) == ["x", "y"]
    kipris = "['H01G 11/86 H01G 11/32  .... ', 'H01G 11/86|H01G 11/32|B05D 1/12']"
    assert parse_codes(kipris) == ["H01G 11/86", "H01G 11/32", "B05D 1/12"]
    assert parse_codes(["BG-12-2014-1"]) == ["BG-12-2014-1"]
    assert parse_flag("TRUE") is True
    assert parse_flag("아니오") is False
    assert parse_country("kr") == "KR"
    with pytest.raises(ValueError, match="two-letter"):
        parse_country("Korea")
