"""Hard filters: the vectorised record rules keep the semantics of the per-record loop."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from techbridge.matching.filters import Filters

DATES = ["", "2019", "2019-12", "2019-12-31", "2020", "2020-01", "2020-01-01", "2020-06-15", "2021"]
TRLS: list[int | None] = [None, 1, 3, 4, 9, None, 5, 2, 7]


def looped_mask(rules: Filters, dates: Sequence[str], trls: Sequence[int | None]) -> list[bool]:
    """Return the record mask the way it was computed before vectorising, one record at a time."""
    keep = []
    for date, trl in zip(dates, trls, strict=True):
        passes = not (date and rules.date_from and date < rules.date_from)
        passes = passes and not (date and rules.date_to and date > rules.date_to)
        passes = passes and not (rules.min_trl is not None and (trl is None or trl < rules.min_trl))
        keep.append(bool(passes))
    return keep


@pytest.mark.parametrize(
    "rules",
    [
        Filters(),
        Filters(date_from="2020"),
        Filters(date_from="2020-01"),
        Filters(date_from="2020-01-01"),
        Filters(date_to="2019"),
        Filters(date_to="2019-12"),
        Filters(date_to="2020-01-01"),
        Filters(date_from="2019-12", date_to="2020-01"),
        Filters(date_from="", date_to=""),
        Filters(min_trl=0),
        Filters(min_trl=4),
        Filters(date_from="2019-12-31", date_to="2020-06", min_trl=3),
    ],
)
def test_record_mask_matches_the_loop_on_edge_cases(rules: Filters) -> None:
    expected = looped_mask(rules, DATES, TRLS)
    assert rules.record_mask(DATES, TRLS).tolist() == expected
    # the same answer from arrays (what the engine keeps) as from lists
    levels = np.array([np.nan if t is None else t for t in TRLS])
    assert rules.record_mask(np.array(DATES, dtype="U10"), levels).tolist() == expected


def test_record_mask_reads_partial_and_missing_dates_as_strings_do() -> None:
    mask = Filters(date_from="2020-01-01", date_to="2020-12").record_mask(
        ["2020", "2020-01", "2020-01-01", "2020-12", "2020-12-01", ""], [None] * 6
    )
    # a partial date sorts before the full dates it starts with; undated records pass dates
    assert mask.tolist() == [False, False, True, True, False, True]
    assert Filters(min_trl=1).record_mask(["", "2020"], [None, 1]).tolist() == [False, True]
    assert Filters(date_to="2020").record_mask([], []).tolist() == []


@given(
    st.lists(
        st.tuples(
            st.sampled_from(DATES),
            st.one_of(st.none(), st.integers(min_value=0, max_value=9)),
        ),
        max_size=30,
    ),
    st.one_of(st.none(), st.sampled_from(DATES)),
    st.one_of(st.none(), st.sampled_from(DATES)),
    st.one_of(st.none(), st.integers(min_value=0, max_value=9)),
)
def test_record_mask_matches_the_loop_on_any_records(
    rows: list[tuple[str, int | None]], date_from: str | None, date_to: str | None, min_trl: int | None
) -> None:
    rules = Filters(date_from=date_from, date_to=date_to, min_trl=min_trl)
    dates = [date for date, _ in rows]
    trls = [trl for _, trl in rows]
    assert rules.record_mask(dates, trls).tolist() == looped_mask(rules, dates, trls)
