"""Patent clusters (특허군): themed groups of technologies across owners, labelled, mapped and exported.

Records are embedded (USE-m3, multilingual) and grouped by k-means (``domain/cluster.py``).
Each cluster is labelled by its most distinctive terms (class-based TF-IDF: frequent in the
cluster, rare in the others) in Korean (Kiwi nouns) and English (words of the text), and by its
most common IPC subclasses. The map is an SVG of the first two principal components; the export
is JSON and XLSX, one candidate licensing bundle per cluster. Same data, same output.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
from openpyxl import Workbook

from techbridge.domain.cluster import default_k, kmeans, layout
from techbridge.domain.cluster_map import render_svg
from techbridge.matching.record import Record
from techbridge.matching.semantic import Encoder, embed_texts
from techbridge.matching.text import has_hangul
from techbridge.services.access.consortium import require_building
from techbridge.services.actor import Actor
from techbridge.services.consortia.competence import record_text
from techbridge.services.consortia.portfolio import Portfolio, PortfolioScope, scoped_portfolio
from techbridge.services.core import Core
from techbridge.services.reports.cells import append_rows

log = logging.getLogger(__name__)
Tokenizer = Callable[[list[str]], list[list[str]]]
_ENGLISH = re.compile(r"[A-Za-z][A-Za-z\-]{2,}")
_STOP_WORDS = (
    "the and for with from that this which are was were has have its into using use used method "
    "methods system systems apparatus device devices same thereof wherein said comprising include "
    "includes including invention present provide provides provided based according one two first "
    "second can may also "
    "발명 방법 상기 이용 포함 상세 장치 시스템 기반 제공 단계 구성 특징 관련 기술 수단 사용 형성 "
    "효과 대한 위한 구비 경우 통해 적어도 하나 복수 각각 다른 이상 이하 본원 청구 실시 해당 따라 가능"
)
_STOP = frozenset(_STOP_WORDS.split())


@dataclass(frozen=True)
class Cluster:
    """One themed cluster: its members and its labels."""

    number: int
    records: list[str]
    titles: list[str]
    owners: list[str]
    terms_ko: list[str]
    terms_en: list[str]
    codes: list[str]

    @property
    def label(self) -> str:
        """A short name: the first Korean and English terms and the top code."""
        parts = [*self.terms_ko[:2], *self.terms_en[:2], *self.codes[:1]]
        return f"{self.number}: " + " · ".join(parts)


@dataclass(frozen=True)
class Clustering:
    """The clusters of a set of records and each record's 2-D position and cluster."""

    clusters: list[Cluster]
    ids: list[str]
    labels: list[int]
    coords: list[tuple[float, float]]


def korean_terms(analyze: Tokenizer | None = None) -> Tokenizer:
    """Return a tokenizer keeping the Hangul index terms of the shared Korean analyser."""
    if analyze is None:
        from techbridge.matching.text import Analyzer

        analyze = Analyzer(num_workers=1).analyze_many
    tokenize: Tokenizer = analyze

    def run(texts: list[str]) -> list[list[str]]:
        return [[t for t in terms if has_hangul(t) and len(t) > 1] for terms in tokenize(texts)]

    return run


def english_terms(texts: list[str]) -> list[list[str]]:
    """Return the lower-cased English words of each text, stop words left out."""
    return [[w for w in (m.lower() for m in _ENGLISH.findall(t)) if w not in _STOP] for t in texts]


def distinctive_terms(docs: Sequence[Sequence[str]], labels: Sequence[int], top: int = 5) -> list[list[str]]:
    """Return each cluster's ``top`` terms: share of its records using the term x log(N / df).

    A term every record uses (발명, method) scores 0; ties are broken by the term.
    """
    n = max(labels, default=-1) + 1
    per = [Counter[str]() for _ in range(n)]
    sizes = Counter(labels)
    for terms, label in zip(docs, labels, strict=True):
        per[label].update(set(terms) - _STOP)
    spread = Counter(t for terms in docs for t in set(terms))
    total = len(docs)
    out = []
    for c, counts in enumerate(per):
        scored = {
            t: k / sizes[c] * math.log(total / spread[t]) for t, k in counts.items() if k > 1 or sizes[c] < 3
        }
        out.append([t for t, _ in sorted(scored.items(), key=lambda kv: (-kv[1], kv[0]))[:top]])
    return out


def _codes(records: Sequence[Record], top: int = 3) -> list[str]:
    counts = Counter(c.replace(" ", "")[:4] for r in records for c in dict.fromkeys(r.codes) if c)
    return [c for c, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:top]]


def cluster_records(
    records: Sequence[Record],
    k: int | None,
    encoder: Encoder,
    tokenizer: Tokenizer,
) -> Clustering:
    """Group ``records`` into ``k`` themed clusters (``None``: ``default_k``), labelled and laid out.

    Args:
        encoder, tokenizer: the core's (``core.models``): the encoder ``settings.encoder`` names and
            the Korean analyser's terms (``korean_terms``).
    """
    if not records:
        return Clustering([], [], [], [])
    texts = [record_text(r) for r in records]
    vectors = embed_texts(encoder, texts).astype(np.float64)
    labels = kmeans(vectors, k or default_k(len(records))).tolist()
    ko = distinctive_terms(tokenizer(texts), labels)
    en = distinctive_terms(english_terms(texts), labels)
    clusters = []
    for c in range(max(labels) + 1):
        members = [r for r, label in zip(records, labels, strict=True) if label == c]
        owners = sorted({o for r in members for o in r.organizations})
        ids, titles = [r.id for r in members], [r.title or r.id for r in members]
        clusters.append(Cluster(c, ids, titles, owners, ko[c], en[c], _codes(members)))
    coords = [(round(float(x), 5), round(float(y), 5)) for x, y in layout(vectors)]
    return Clustering(clusters, [r.id for r in records], labels, coords)


@dataclass(frozen=True)
class ClusterMap:
    """The clusters of a portfolio, with the portfolio they were built from."""

    portfolio: Portfolio
    clustering: Clustering


@dataclass(frozen=True, slots=True)
class ClusterRequest:
    """The portfolio to group and how many clusters (``None``: about ``sqrt(n / 2)``)."""

    scope: PortfolioScope = field(default_factory=PortfolioScope)
    k: int | None = None


def build_clusters(core: Core, actor: Actor, request: ClusterRequest) -> ClusterMap:
    """Group the technologies of a scope (``portfolio.py``) into ``k`` themed, labelled clusters.

    Portfolios hold only public records (technologies, projects, organisation profiles), never
    needs; building them is for everyone signed in but plain viewers.

    Raises:
        PermissionDeniedError: a viewer.
        NotFoundError: no such consortium.
        InvalidError: the scope holds no record.
    """
    require_building(actor, "build patent clusters")
    encoder, tokenizer = core.models.encoder(), core.models.tokenizer()
    with core.reading() as session, core.models.working:
        portfolio = scoped_portfolio(session, actor, request.scope, encoder)
        return ClusterMap(portfolio, cluster_records(portfolio.records, request.k, encoder, tokenizer))


def _bundle(c: Cluster) -> dict[str, Any]:
    return {
        "cluster": c.number,
        "label": c.label,
        "size": len(c.records),
        "terms_ko": c.terms_ko,
        "terms_en": c.terms_en,
        "codes": c.codes,
        "owners": c.owners,
        "technologies": [{"key": k, "title": t} for k, t in zip(c.records, c.titles, strict=True)],
    }


def clustering_json(clustering: Clustering) -> dict[str, Any]:
    """Return the clusters as plain data: one candidate licensing bundle per cluster."""
    return {
        "clusters": [_bundle(c) for c in clustering.clusters],
        "points": [
            {"key": i, "cluster": label, "x": x, "y": y}
            for i, label, (x, y) in zip(clustering.ids, clustering.labels, clustering.coords, strict=True)
        ],
    }


def cluster_map_json(built: ClusterMap) -> dict[str, Any]:
    """Return the clusters as ``clustering_json`` does, with what was grouped (``portfolio``)."""
    portfolio = built.portfolio
    scope = {
        "kind": portfolio.kind,
        "size": len(portfolio.records),
        "organizations": list(portfolio.organizations),
    }
    return {"portfolio": scope, **clustering_json(built.clustering)}


def write_cluster_files(
    clustering: Clustering, out_dir: Path, stem: str = "clusters", title: str = ""
) -> dict[str, Path]:
    """Write ``<stem>.json``, ``<stem>.xlsx`` and the map ``<stem>.svg`` into ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {ext: out_dir / f"{stem}.{ext}" for ext in ("json", "xlsx", "svg")}
    data = clustering_json(clustering)
    paths["json"].write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    paths["xlsx"].write_bytes(cluster_workbook(clustering))
    paths["svg"].write_text(cluster_map_svg(clustering, title), encoding="utf-8")
    log.info("wrote cluster files %s", ", ".join(str(p) for p in paths.values()))
    return paths


def cluster_map_svg(clustering: Clustering, title: str = "") -> str:
    """Return the cluster map: the records on their first two principal components, by cluster."""
    titles = {k: t for c in clustering.clusters for k, t in zip(c.records, c.titles, strict=True)}
    heading = title or f"{len(clustering.clusters)} clusters of {len(clustering.ids)} records"
    return render_svg(
        np.array(clustering.coords).reshape(-1, 2), clustering.labels, [titles[i] for i in clustering.ids],
        [c.label for c in clustering.clusters], heading,
    )  # fmt: skip


def cluster_workbook(clustering: Clustering) -> bytes:
    """Return the clusters as an XLSX workbook: one row per cluster, one per member technology."""
    out = io.BytesIO()
    _write_xlsx(clustering_json(clustering), out)
    return out.getvalue()


def _write_xlsx(data: dict[str, Any], out: BinaryIO) -> None:
    book = Workbook()
    summary = book.active
    summary.title = "clusters"
    members = book.create_sheet("technologies")
    # through append_rows: a title or term is text, never a formula (cells.py)
    append_rows(summary, [("cluster", "label", "size", "terms_ko", "terms_en", "codes", "owners")])
    append_rows(members, [("cluster", "key", "title")])
    for c in data["clusters"]:
        lists = [", ".join(c[name]) for name in ("terms_ko", "terms_en", "codes", "owners")]
        append_rows(summary, [(c["cluster"], c["label"], c["size"], *lists)])
        append_rows(members, [(c["cluster"], t["key"], t["title"]) for t in c["technologies"]])
    book.properties.created = book.properties.modified = dt.datetime(2020, 1, 1)  # same bytes each run
    book.save(out)
    book.close()
