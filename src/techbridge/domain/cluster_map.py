"""The cluster map: a deterministic SVG scatter of records in 2-D, coloured by cluster, with a legend."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

import numpy as np
from numpy.typing import NDArray

# Okabe-Ito and Tableau colours: distinguishable, then repeated with a ring for clusters past 16.
PALETTE = (
    "#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000",
    "#4E79A7", "#F28E2B", "#59A14F", "#E15759", "#B07AA1", "#76B7B2", "#EDC948", "#9C755F",
)  # fmt: skip
WIDTH, HEIGHT, MARGIN, LEGEND = 720, 560, 30, 300


def _scale(coords: NDArray[np.float64]) -> NDArray[np.float64]:
    if len(coords) == 0:
        return coords
    lo, hi = coords.min(axis=0), coords.max(axis=0)
    span = np.where(hi - lo > 0, hi - lo, 1.0)
    unit = (coords - lo) / span
    return np.column_stack(
        [MARGIN + unit[:, 0] * (WIDTH - 2 * MARGIN), HEIGHT - MARGIN - unit[:, 1] * (HEIGHT - 2 * MARGIN)]
    )


def render_svg(
    coords: NDArray[np.float64],
    labels: Sequence[int],
    titles: Sequence[str],
    legend: Sequence[str],
    title: str,
) -> str:
    """Return an SVG document: one dot per record (hover shows its title), a legend per cluster."""
    points = _scale(np.asarray(coords, dtype=np.float64))
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH + LEGEND}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH + LEGEND} {HEIGHT}" font-family="NanumGothic, sans-serif" font-size="12">',
        f'<rect width="{WIDTH + LEGEND}" height="{HEIGHT}" fill="white"/>',
        f'<text x="{MARGIN}" y="18" font-size="14">{escape(title)}</text>',
    ]
    for (x, y), label, name in zip(points, labels, titles, strict=True):
        colour = PALETTE[label % len(PALETTE)]
        ring = ' stroke="#333" stroke-width="1.2"' if label >= len(PALETTE) else ""
        out.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}" fill-opacity="0.8"{ring}>'
            f"<title>{escape(name)}</title></circle>"
        )
    for i, text in enumerate(legend):
        y = 40 + 18 * i
        out.append(f'<circle cx="{WIDTH + 10}" cy="{y - 4}" r="5" fill="{PALETTE[i % len(PALETTE)]}"/>')
        out.append(f'<text x="{WIDTH + 20}" y="{y}">{escape(text[:44])}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"
