"""Names and keys as they are stored and compared: NFKC, without default-ignorable code points.

A name that looks like another must be the other: ``(주)코\u200b다코`` (a zero-width space inside)
is stored and compared as ``(주)코다코``. Both functions are pure and idempotent.

The default-ignorable code points are those of the Unicode property ``Default_Ignorable_Code_Point``
(``DerivedCoreProperties.txt``; the same ranges from Unicode 14 to 16): characters a renderer shows
as nothing, such as the soft hyphen, zero-width space and joiners, bidirectional controls,
variation selectors, the Hangul fillers and the tag characters.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

# Unicode DerivedCoreProperties.txt, Default_Ignorable_Code_Point (unchanged since Unicode 14).
DEFAULT_IGNORABLE = (
    (0x00AD, 0x00AD),
    (0x034F, 0x034F),
    (0x061C, 0x061C),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x206F),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFF8),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
)
_IGNORABLE = re.compile("[" + "".join(f"{chr(low)}-{chr(high)}" for low, high in DEFAULT_IGNORABLE) + "]")


def is_default_ignorable(character: str) -> bool:
    """Return whether ``character`` is a default-ignorable code point (shown as nothing)."""
    return _IGNORABLE.fullmatch(character) is not None


def remove_ignorables(text: str) -> str:
    """Return ``text`` in NFKC without default-ignorable code points."""
    # NFKC can give an ignorable (U+3164 HANGUL FILLER becomes U+1160), and removing one can let
    # marks compose: normalise, remove, and normalise again.
    cleaned = _IGNORABLE.sub("", unicodedata.normalize("NFKC", text))
    return unicodedata.normalize("NFKC", cleaned)


def normalise_name(name: str) -> str:
    """Return a name as it is stored: NFKC, no default-ignorable code points, runs of spaces as one."""
    return " ".join(remove_ignorables(name).split())


def normalise_key(key: str) -> str:
    """Return a key as it is stored and looked up: NFKC, no default-ignorable code points, trimmed."""
    return remove_ignorables(key).strip()


#: Fields holding names (or lists of names) and keys (or references by key), wherever they come from.
NAME_FIELDS = frozenset({"name", "name_en", "owners", "inventors", "participants"})
KEY_FIELDS = frozenset({"key", "organization", "technology", "program", "round", "need"})


def normalise_field(field: str, value: Any) -> Any:
    """Return ``value`` normalised as its field holds it: names and keys (and lists of them), else as is."""
    clean = normalise_name if field in NAME_FIELDS else normalise_key if field in KEY_FIELDS else None
    if clean is None:
        return value
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, list | tuple):
        return type(value)(clean(item) if isinstance(item, str) else item for item in value)
    return value


def normalise_values(values: dict[str, Any]) -> dict[str, Any]:
    """Return ``values`` with every name and key field normalised (``normalise_field``)."""
    return {field: normalise_field(field, value) for field, value in values.items()}
