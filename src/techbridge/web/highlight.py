"""Marking matched terms in text: escaped HTML with ``<mark>`` around each term the match shares."""

from __future__ import annotations

import re
from collections.abc import Iterable

from markupsafe import Markup, escape


def highlight(text: str | None, terms: Iterable[str]) -> Markup:
    """Return ``text`` escaped, with every occurrence of a term (case-insensitive) in ``<mark>``.

    Longer terms win where terms overlap; terms of one character are ignored (too noisy).
    """
    words = sorted({t for t in terms if len(t.strip()) > 1}, key=len, reverse=True)
    source = text or ""
    if not words:
        return escape(source)
    pattern = re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)
    out, last = [], 0
    for found in pattern.finditer(source):
        out.append(str(escape(source[last : found.start()])))
        out.append(f"<mark>{escape(found.group(0))}</mark>")
        last = found.end()
    out.append(str(escape(source[last:])))
    return Markup("".join(out))  # every piece was escaped above
