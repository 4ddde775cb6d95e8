"""Names and keys as stored and compared (``domain.text``) and the length limits (``domain.limits``)."""

from __future__ import annotations

import itertools
import unicodedata

import pytest

from techbridge.domain.limits import TEXT, length_problems, limit_of
from techbridge.domain.organization import normalize_name
from techbridge.domain.text import DEFAULT_IGNORABLE, is_default_ignorable, normalise_key, normalise_name


@pytest.mark.parametrize(
    "written",
    [
        "(주)코\u200b다코",
        "(주)\u2060코다\u00ad코",
        "（주）코다코\ufeff",
        "\u202e(주)코다코",
        "(주)코\ufe0f다코\U000e0041",
    ],
)
def test_look_alike_names_are_one_name(written: str) -> None:
    assert normalise_name(written) == "(주)코다코"
    assert normalize_name(written) == normalize_name("(주)코다코") == "코다코"


def test_normalising_is_idempotent_and_keeps_visible_text() -> None:
    for text in ("엘엠에스  주식회사 ", "ＡＢＣ Ltd.", "한\u3164국", "kr-lms\u200b"):
        once = normalise_name(text)
        assert normalise_name(once) == once
        assert not any(is_default_ignorable(character) for character in once)
    assert normalise_name("엘엠에스  주식회사 ") == "엘엠에스 주식회사"
    assert normalise_key(" kr-lms\u200b ") == "kr-lms"


def test_the_ignorable_ranges_are_the_unicode_property() -> None:
    # Every listed code point that is assigned is a format character, a mark, a Hangul filler or a
    # variation selector; the ranges do not overlap and are sorted (DerivedCoreProperties.txt).
    assert all(low <= high for low, high in DEFAULT_IGNORABLE)
    assert all(a[1] < b[0] for a, b in itertools.pairwise(DEFAULT_IGNORABLE))
    categories = {
        unicodedata.category(chr(point)) for low, high in DEFAULT_IGNORABLE for point in range(low, high + 1)
    }
    assert categories <= {"Cf", "Mn", "Lo", "Cn"}
    assert not is_default_ignorable(" ") and not is_default_ignorable("a") and not is_default_ignorable("한")


def test_length_limits() -> None:
    assert limit_of("description") == TEXT == 20_000
    assert limit_of("name") == 300 and limit_of("name", "person") == 200
    assert length_problems({"description": "x" * TEXT, "name": "n" * 300}) == []
    assert length_problems({"description": "x" * (TEXT + 1)}) == [
        "description: at most 20,000 characters (20,001 given)"
    ]
    assert length_problems({"codes": ["G06F", "x" * 51]}) == ["codes: at most 50 characters (51 given)"]


def test_lists_of_names_are_held_to_the_name_columns() -> None:
    assert length_problems({"inventors": ["홍길동", "x" * 201]}) == [
        "inventors: at most 200 characters (201 given)"
    ]
    assert length_problems({"name": "x" * 201}, "person") == ["name: at most 200 characters (201 given)"]
    assert length_problems({"name": "x" * 201}, "organization") == []
