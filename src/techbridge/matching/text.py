"""Text analysis: Korean morphology (Kiwi), English stemming, classification codes.

Korean goes through ``kiwipiepy`` (nouns, roots, foreign words, numbers) with a user
dictionary of domain terms Kiwi would otherwise split; adjacent nouns written without a
space are also joined into a compound token (태양광+모듈 -> 태양광모듈) so that a compound
in a need matches the same compound in a record. ``Analyzer(verbs=True)`` also indexes verb
and adjective stems in their dictionary form (엉켜 -> 엉키다), less the light and auxiliary
verbs that carry no topic (하다, 있다, 되다, 관하다 …, ``LIGHT_VERBS``); it is off by default
(measured in ``docs/benchmarks-history.md``: it raises BM25 as much as the fusion). Text without
Hangul skips Kiwi and is tokenised by a pattern. Every Latin word is lower-cased and
Snowball-stemmed, so mixed text is handled word by word. IPC/CPC codes are pulled out with a
pattern first, because morphology mangles them (``G06T 7/00`` -> G / 06 / T / 7/00).
"""

from __future__ import annotations

import re
import sys
import threading
from collections.abc import Iterable, Sequence
from typing import Any

# Bump when a change here alters the terms of any text: saved indexes made under another
# version are then re-analysed (``techbridge.matching.features``).
ANALYSIS_VERSION = 1
DOMAIN_WORDS: tuple[str, ...] = (
    "다이캐스팅", "금형", "등온증폭", "라이다", "광학소재", "이차전지", "전고체", "반도체",
    "기술이전", "기술료", "사업화", "융합기술", "특허군", "출연연", "산학협력단", "기술지주회사",
)  # fmt: skip

_IPC = re.compile(r"\b([A-H])\s?(\d{2})\s?([A-Z])\s?(\d{1,4})\s?/\s?(\d{1,6})\b")
_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_GRAM_RUN = re.compile(r"[\uac00-\ud7a3]+|[a-z]+|[0-9]+")
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9\-]*[A-Za-z0-9]|[A-Za-z]|\d+(?:\.\d+)?")
_KEEP_TAGS = frozenset({"NNG", "NNP", "NR", "SL", "SN", "SH", "XR", "W_SERIAL"})
_NOUN_TAGS = frozenset({"NNG", "NNP", "XR", "SH"})
_VERB_TAGS = frozenset({"VV", "VA", "VV-I", "VA-I", "VV-R", "VA-R"})  # -I/-R: irregular, regular
# Stems of verbs and adjectives that say nothing about a topic: light and auxiliary verbs
# (하다, 되다, 있다, 주다, 싶다 …), verbs that act as postpositions (관하다 in "…에 관한",
# 위하다, 의하다, 통하다, 따르다 …), having and consisting (가지다, 갖다, 이루어지다) and the
# demonstrative or question adjectives (어떻다, 그렇다 …).
LIGHT_VERBS: frozenset[str] = frozenset(
    (
        "하", "되", "있", "없", "같", "않", "아니", "이", "보", "주", "받", "가", "오", "나", "지",
        "두", "놓", "말", "싶", "버리", "들", "내", "관하", "대하", "위하", "의하", "통하", "따르",
        "인하", "비롯하", "가지", "갖", "이루", "이루어지", "어떻", "이렇", "그렇", "저렇", "아무렇",
    )
)  # fmt: skip
_STOPWORDS = frozenset(
    (
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "has",
        "have",
        "in",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "that",
        "the",
        "this",
        "to",
        "was",
        "were",
        "which",
        "with",
        "we",
        "our",
        "their",
        "not",
        "can",
        "will",
        "may",
        "also",
        "been",
        "into",
        "using",
        "use",
        "used",
        "method",
        "system",
    )
)


def extract_codes(text: str) -> tuple[str, ...]:
    """Return the IPC/CPC codes written in ``text``, normalised as ``G06T 7/00``."""
    return tuple(f"{a}{b}{c} {d}/{e}" for a, b, c, d, e in _IPC.findall(text))


def char_ngrams(text: str) -> list[str]:
    """Return the character n-grams of ``text``: the second lexical view (``ngram`` signal).

    Each run of Hangul gives its syllable bigrams (엉킴 -> 엉킴; 플리머스 -> 플리, 리머, 머스), each
    Latin word itself and, above three letters, its letter trigrams (xpressbet -> xpr, pre, …),
    each number itself. Codes are blanked first, as for the morphological terms.
    """
    out: list[str] = []
    for run in _GRAM_RUN.findall(strip_codes(text).lower()):
        if _HANGUL.match(run):
            out.extend([run] if len(run) < 2 else [run[i : i + 2] for i in range(len(run) - 1)])
        elif run.isalpha() and len(run) > 3:
            out.append(run)
            out.extend(run[i : i + 3] for i in range(len(run) - 2))
        elif len(run) > 1 or run.isdigit():
            out.append(run)
    return out


def strip_codes(text: str) -> str:
    """Return ``text`` with classification codes blanked out before morphology."""
    return _IPC.sub(" ", text)


def has_hangul(text: str) -> bool:
    """Return whether ``text`` contains any Hangul syllable."""
    return _HANGUL.search(text) is not None


class Analyzer:
    """Turn text into index terms; Kiwi and the stemmer load lazily on first use.

    Args:
        user_words: domain terms added to Kiwi's dictionary as proper nouns.
        num_workers: Kiwi worker threads (>= 1 so that it accepts a list of texts).
        compounds: also emit joined forms of adjacent nouns written without a space.
        verbs: also emit verb and adjective stems (not ``LIGHT_VERBS``) as dictionary forms.
    """

    def __init__(
        self,
        user_words: Sequence[str] = DOMAIN_WORDS,
        num_workers: int = 2,
        compounds: bool = True,
        verbs: bool = False,
    ) -> None:
        self.user_words = tuple(user_words)
        self.num_workers = num_workers
        self.compounds = compounds
        self.verbs = verbs
        self._kiwi: Any = None
        self._stemmer: Any = None
        # one analysis at a time: Kiwi builds its model on first use and the Snowball stemmer
        # keeps its state in the object, so threads sharing an analyser take turns
        self._lock = threading.RLock()

    def _load(self) -> None:
        if self._kiwi is None:
            from kiwipiepy import Kiwi
            from Stemmer import Stemmer

            kiwi = Kiwi(num_workers=max(1, self.num_workers))
            for word in self.user_words:
                kiwi.add_user_word(word, "NNP", 0)
            self._kiwi, self._stemmer = kiwi, Stemmer("english")

    def _latin(self, word: str) -> str | None:
        low = word.lower()
        if low in _STOPWORDS or (len(low) == 1 and not low.isdigit()):
            return None
        return str(self._stemmer.stemWord(low)) if low[0].isalpha() else low

    def _plain(self, text: str) -> list[str]:
        terms = (self._latin(w) for w in _WORD.findall(text))
        return [t for t in terms if t]

    def _korean(self, tokens: Iterable[Any]) -> list[str]:
        terms: list[str] = []
        run: list[Any] = []
        for tok in tokens:
            if tok.tag not in _KEEP_TAGS:
                run = self._flush(run, terms)
                if self.verbs and tok.tag in _VERB_TAGS and tok.form not in LIGHT_VERBS:
                    terms.append(f"{tok.form}다")
                continue
            term = self._latin(tok.form) if tok.tag == "SL" else tok.form
            if term:
                terms.append(term)
            if tok.tag in _NOUN_TAGS and run and run[-1].start + run[-1].len == tok.start:
                run.append(tok)
            else:
                run = [*self._flush(run, terms), tok] if tok.tag in _NOUN_TAGS else self._flush(run, terms)
        self._flush(run, terms)
        return terms

    def _flush(self, run: list[Any], terms: list[str]) -> list[Any]:
        if self.compounds and len(run) > 1:
            terms.append("".join(t.form for t in run))
        return []

    def analyze_many(self, texts: Sequence[str]) -> list[list[str]]:
        """Return the index terms of each text, in order; each distinct term is one string object.

        The terms are interned: a million records' term lists then share their strings instead
        of holding ~40 string objects each (3 GiB at a million records, ``docs/benchmarks-history.md``).
        """
        with self._lock:
            return self._analyze_many(texts)

    def _analyze_many(self, texts: Sequence[str]) -> list[list[str]]:
        self._load()
        cleaned = [strip_codes(t) for t in texts]
        out: list[list[str]] = [[] for _ in cleaned]
        korean = [i for i, t in enumerate(cleaned) if has_hangul(t)]
        korean_rows = set(korean)
        for i, t in enumerate(cleaned):
            if i not in korean_rows:
                out[i] = self._plain(t)
        if korean:
            parsed = self._kiwi.tokenize([cleaned[i] for i in korean])
            for i, tokens in zip(korean, parsed, strict=True):
                out[i] = self._korean(tokens)
        return [[sys.intern(t) for t in terms] for terms in out]

    def analyze(self, text: str) -> list[str]:
        """Return the index terms of one text."""
        return self.analyze_many([text])[0]

    def surface(self, terms: Sequence[str], text: str) -> list[str]:
        """Return ``terms`` as a reader would see them: each stem as its first word in ``text``.

        English words are indexed as Snowball stems (materials -> materi), which explanations
        should not show; a stem becomes the first word of ``text`` that stems to it, lower-cased
        as in the index. Korean and compound terms are already surface forms and stay as they are.
        """
        with self._lock:
            return self._surface(terms, text)

    def _surface(self, terms: Sequence[str], text: str) -> list[str]:
        self._load()
        wanted = {t for t in terms if t[:1].isascii() and t[:1].isalpha()}
        firsts = {t[0] for t in wanted}  # a Snowball stem keeps its word's first letter
        forms: dict[str, str] = {}
        for word in _WORD.findall(text) if wanted else ():
            if word[0].lower() not in firsts:
                continue
            stem = self._latin(word)
            if stem in wanted and stem not in forms:
                forms[stem] = word.lower()
                if len(forms) == len(wanted):
                    break
        return [forms.get(t, t) for t in terms]
