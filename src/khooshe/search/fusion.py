"""Reciprocal rank fusion (Cormack, Clarke and Büttcher, SIGIR 2009).

    score(d) = Σ over rankings r of 1 / (k + rank_r(d)),   rank counted from 1, k = 60.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

RRF_K = 60


def rrf(rankings: Iterable[Sequence[int]], k: int = RRF_K) -> list[tuple[int, float]]:
    """Fuse ranked id lists; return [(id, fused score)], best first (ties by id for stable order).

    >>> rrf([[1, 2, 3], [3, 1]])[:2]
    [(1, 0.03252247488101534), (3, 0.032266458495966696)]
    """
    scores: dict[int, float] = {}
    for ranking in rankings:
        for rank, doc_id in enumerate(ranking, start=1):
            scores[doc_id] = scores.get(doc_id, 0.0) + 1.0 / (k + rank)
    return sorted(scores.items(), key=lambda item: (-item[1], item[0]))
