"""Competences a need asks for, and how well each organisation's records cover them.

A need's competences are the phrases of its text (split at commas, semicolons, colons, line
breaks, "및" and "and") plus one per classification code; the user may replace them. An
organisation covers a competence as well as its best record does: the cosine between the
competence and the record's title and text in multilingual sentence embeddings (USE-m3, so a
Korean competence finds an English project), rescaled to [0, 1], or, for the records closest to
it, the cosine with the record's best phrase (rescaled from a higher floor) when that is higher;
a code competence is covered (1.0) by a record carrying a code with that prefix. The best record
is the evidence, with the phrase that matched.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from techbridge.errors import InvalidError
from techbridge.matching.record import Record
from techbridge.matching.semantic import Encoder, embed_texts
from techbridge.matching.text import extract_codes, strip_codes

CODE_PREFIX = "code:"
# USE-m3 cosines: unrelated pairs ~0.1, a translation 0.75-0.83 (MACHINE.md); map [0.15, 0.65] to [0, 1].
FLOOR, SPAN = 0.15, 0.5
# A short phrase against a short competence: unrelated pairs reach ~0.35, so the floor is higher.
PHRASE_FLOOR, PHRASE_SPAN = 0.35, 0.35
_SEGMENT = re.compile(r"[.,;:·\n]|\s및\s")
_SPLIT = re.compile(r"[,;:\n/·]|\s및\s|\sand\s")
_BARE_CODE = re.compile(r"^[A-H]\d{2}[A-Z]?$")


def derive_competences(text: str, codes: Sequence[str] = ()) -> list[str]:
    """Return the competences ``text`` and ``codes`` ask for, in order, without repeats."""
    phrases = [_balance(p.strip(" .-")) for p in _SPLIT.split(strip_codes(text))]
    found = [p for p in phrases if len(p) >= 2]
    code_list = [*codes, *extract_codes(text)]
    found += [CODE_PREFIX + c.split()[0][:4] for c in code_list if c.strip()]
    return list(dict.fromkeys(found))


def _balance(phrase: str) -> str:
    """Drop an unmatched bracket left by a split inside brackets (``항바이러스제(인플루엔자``)."""
    if phrase.count("(") > phrase.count(")"):
        phrase = phrase.replace("(", " ", 1)
    if phrase.count(")") > phrase.count("("):
        phrase = phrase[::-1].replace(")", " ", 1)[::-1]
    return " ".join(phrase.split())


def _is_code(competence: str) -> bool:
    return competence.startswith(CODE_PREFIX) or bool(_BARE_CODE.match(competence))


def _code_of(competence: str) -> str:
    return competence.removeprefix(CODE_PREFIX).replace(" ", "")


def record_text(record: Record) -> str:
    """Return the text a record is embedded by: its title and the start of its text."""
    return f"{record.title}\n{record.text}"[:1200]


def segments(record: Record, limit: int = 16) -> list[str]:
    """Return the phrases of a record (title, then its text split at punctuation), at most ``limit``."""
    parts = (p.strip() for p in _SEGMENT.split(f"{record.title}\n{record.text}"))
    return list(dict.fromkeys(p for p in parts if len(p) > 3))[:limit]


def _segment_scores(
    records: Sequence[Record], rows: list[int], wanted: NDArray[np.float32], encoder: Encoder
) -> tuple[NDArray[np.float64], list[list[str]]]:
    """Return, for the records at ``rows``, each competence's best phrase cosine and the phrase."""
    pieces = [segments(records[r]) or [records[r].title or " "] for r in rows]
    flat = [p for piece in pieces for p in piece]
    sims = embed_texts(encoder, flat) @ wanted.T
    best, phrases, start = np.zeros((len(rows), wanted.shape[0])), [], 0
    for k, piece in enumerate(pieces):
        block = sims[start : start + len(piece)]
        best[k] = block.max(axis=0)
        phrases.append([piece[int(i)] for i in block.argmax(axis=0)])
        start += len(piece)
    return best, phrases


def record_coverage(
    records: Sequence[Record], competences: Sequence[str], encoder: Encoder, rerank: int = 100
) -> NDArray[np.float64]:
    """Return the ``(records, competences)`` coverage of each competence by each record, in [0, 1]."""
    return record_coverage_with_phrases(records, competences, encoder, rerank)[0]


def record_coverage_with_phrases(
    records: Sequence[Record], competences: Sequence[str], encoder: Encoder, rerank: int = 100
) -> tuple[NDArray[np.float64], dict[tuple[int, int], str]]:
    """Return the coverage matrix and, per (record, competence) that a phrase covers best, the phrase.

    Whole records are compared first; the ``rerank`` best records per competence are then compared
    phrase by phrase (a profile listing ten fields matches one of them far better than as a whole).
    """
    out = np.zeros((len(records), len(competences)))
    phrases: dict[tuple[int, int], str] = {}
    texts = [i for i, c in enumerate(competences) if not _is_code(c)]
    if texts and records:
        wanted = embed_texts(encoder, [competences[i] for i in texts])
        whole = embed_texts(encoder, [record_text(r) for r in records]) @ wanted.T
        out[:, texts] = np.clip((whole - FLOOR) / SPAN, 0.0, 1.0)
        rows = sorted(
            {int(r) for t in range(len(texts)) for r in np.argsort(-whole[:, t], kind="stable")[:rerank]}
        )
        best, found = _segment_scores(records, rows, wanted, encoder)
        parts = np.clip((best - PHRASE_FLOOR) / PHRASE_SPAN, 0.0, 1.0)
        for k, r in enumerate(rows):
            for t, j in enumerate(texts):
                if parts[k, t] > out[r, j]:
                    out[r, j] = parts[k, t]
                    phrases[(r, j)] = found[k][t]
    for j, competence in enumerate(competences):
        if _is_code(competence):
            code = _code_of(competence)
            out[:, j] = [any(c.replace(" ", "").startswith(code) for c in r.codes) for r in records]
    return out, phrases


@dataclass(frozen=True)
class Coverage:
    """Each organisation's coverage of each competence, the record that shows it and its phrase."""

    competences: list[str]
    orgs: list[str]
    matrix: NDArray[np.float64]
    evidence: list[list[str | None]]
    phrases: list[list[str | None]]


def records_by_org(records: Sequence[Record], orgs: Sequence[str]) -> dict[str, list[int]]:
    """Return the positions of the records that mention each of ``orgs``."""
    wanted = set(orgs)
    found: dict[str, list[int]] = defaultdict(list)
    for i, record in enumerate(records):
        for org in record.organizations:
            if org in wanted:
                found[org].append(i)
    return found


def org_coverage(
    records: Sequence[Record], orgs: Sequence[str], competences: Sequence[str], encoder: Encoder
) -> Coverage:
    """Return how well each organisation's records cover each competence (max over its records)."""
    if not competences:
        raise InvalidError("a consortium needs at least one competence")
    by_org = records_by_org(records, orgs)
    used = sorted({i for rows in by_org.values() for i in rows})
    per_record, found = record_coverage_with_phrases([records[i] for i in used], competences, encoder)
    position = {r: p for p, r in enumerate(used)}
    matrix = np.zeros((len(orgs), len(competences)))
    evidence: list[list[str | None]] = []
    phrases: list[list[str | None]] = []
    for o, org in enumerate(orgs):
        rows = [position[i] for i in by_org.get(org, [])]
        best: list[str | None] = [None] * len(competences)
        said: list[str | None] = [None] * len(competences)
        if rows:
            block = per_record[rows]
            matrix[o] = block.max(axis=0)
            top = [rows[int(t)] for t in block.argmax(axis=0)]
            best = [records[used[r]].id if matrix[o, j] > 0 else None for j, r in enumerate(top)]
            said = [found.get((r, j)) if matrix[o, j] > 0 else None for j, r in enumerate(top)]
        evidence.append(best)
        phrases.append(said)
    return Coverage(list(competences), list(orgs), matrix, evidence, phrases)


def org_relevance(
    records: Sequence[Record], orgs: Sequence[str], need: str, encoder: Encoder
) -> tuple[NDArray[np.float64], list[str | None]]:
    """Return each organisation's closeness to a need (its best record) and that record's id."""
    coverage = org_coverage(records, orgs, [need], encoder)
    return coverage.matrix[:, 0], [row[0] for row in coverage.evidence]
