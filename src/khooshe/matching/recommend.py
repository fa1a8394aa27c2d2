"""Recommendations both ways: the solvers for a challenge, the open challenges for an organization.

How a challenge's solvers are ranked (``recommend_solvers``):

1. **Candidates** by text retrieval over the search index (``khooshe.search``): the challenge's title,
   problem statement, background, success criteria and sector titles, analysed by the same Persian/English
   pipeline as the index, BM25 with the index's field boosts (name > capabilities > description), fused
   with dense retrieval by reciprocal rank fusion when a model is installed. Unlike a search box the whole
   text is used (up to ``MAX_TERMS`` distinct terms, the rarest first), not only its first words. The
   index is asked for the best ``candidates`` (1,000) ids and scores only (the ``id`` fast field: no stored
   document is read), so the structured signals re-rank a deep list; explanations are built only for the
   results shown. The partners of the best text matches in the relation graph and organizations in the
   challenge's ISIC divisions join the candidates, with their exact BM25 score.
2. **Signals**, each a number from 0 to 1:

   ========== ==============================================================================================
   text       BM25 (or fused) score / the best score of the challenge
   sector     deepest shared level of the ISIC hierarchy between the challenge's sectors and the
              organization's sectors or capability sectors: class 1, group 0.75, division 0.5, section 0.25
   distance   same region 1; else exp(-km / ``distance_km``) between coordinates (organization or its
              region, the challenge's region or its owner's); without coordinates same province 0.6, same
              country 0.3
   size       fit of the organization's size class to the challenge's budget band (``BUDGET_BANDS``);
              0.5 (neutral) when the budget or the size is unknown
   track      track record: log(1 + Σ relations' strength/3 × recency + 2 × agreements × recency +
              3 × awarded proposals), divided by the largest in the registry; recency = 0.5 ** (age in
              years / ``half_life_years``)
   trust      1 / d for the shortest path of d ties (d ≤ ``max_hops``) from the problem owner to the
              organization in the relation graph; the path is shown
   network    propagation of the text scores of the best matches over the relation graph (one step,
              optionally two, of the symmetric normalised adjacency D^-1/2 W D^-1/2): their partners
   ========== ==============================================================================================

3. **Score** = Σ weight × signal / Σ weight (0 to 1); weights are ``DEFAULT_WEIGHTS``, overridden by the
   setting ``KHOOSHE_RECOMMEND_WEIGHTS`` or the ``weights`` argument. An organization's signals do not
   depend on the other candidates, so ``score_candidates`` (a fixed set of organizations, e.g. a
   matchmaking day's participants) gives it the same score as ``recommend_solvers``. Each recommendation carries its
   explanation: matching words (highlighted), the shared sector and its level, the distance, the trust
   path (organization names), the track-record counts and each signal's contribution.

Visibility: only organizations ``Organization.objects.visible_to(user)`` are recommended, and trust paths
and the network signal never go through an organization the user may not see.

The relation graph ties organizations by their relations and by the public agreements they are parties
to (``_agreement_ties``). It (a SciPy sparse matrix) and the track-record scores are built once and cached: a
change saved in this process invalidates them at once (signals); new or deleted records saved elsewhere
are seen at the next data-version check (counts and highest ids of relations, agreements, parties and
awards, every ``KHOOSHE_RECOMMEND_GRAPH_CHECK_SECONDS``), and the graph is rebuilt at least every
``KHOOSHE_RECOMMEND_GRAPH_REBUILD_SECONDS``. Candidates and the names on a path are always checked against
``visible_to(user)`` exactly.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import tantivy
from django.conf import settings
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from khooshe.registry.access import access_for
from khooshe.registry.models import Agreement, Organization, Region, Relation, Role, Sector, Visibility
from khooshe.search.fusion import rrf
from khooshe.search.highlight import highlight
from khooshe.search.organizations import get_index

from .models import Challenge, Proposal

SIGNALS = ("text", "sector", "distance", "size", "track", "trust", "network")
SIGNAL_LABELS = {
    "text": gettext_lazy("text"), "sector": gettext_lazy("sector"), "distance": gettext_lazy("distance"),
    "size": gettext_lazy("size fit"), "track": gettext_lazy("track record"), "trust": gettext_lazy("trust network"),
    "network": gettext_lazy("partners of matches"),
}
DEFAULT_WEIGHTS: dict[str, float] = {
    "text": 1.0, "sector": 0.3, "distance": 0.2, "size": 0.1, "track": 0.8, "trust": 0.3, "network": 0.2,
}
DEFAULT_PARAMS: dict[str, float] = {
    "candidates": 1000,  # text candidates (ids and scores only: cheap)
    "network_candidates": 100,  # extra candidates from the network signal
    "sector_candidates": 200,  # extra candidates in the challenge's ISIC divisions
    "seeds": 10,  # best text matches that seed the network signal
    "second_step": 0.0,  # weight of the second propagation step (0: partners of the seeds only)
    "distance_km": 300.0,
    "half_life_years": 3.0,
    "max_hops": 3,
}
MAX_TERMS = 96
LEVEL_SCORE = {4: 1.0, 3: 0.75, 2: 0.5, 1: 0.25}
LEVEL_LABELS = {1: gettext_lazy("same section"), 2: gettext_lazy("same division"), 3: gettext_lazy("same group"),
                4: gettext_lazy("same class")}
# Budget bands per currency: (upper bound of a small budget, upper bound of a medium budget).
BUDGET_BANDS = {"IRR": (50_000_000_000, 500_000_000_000), "EUR": (100_000, 1_000_000),
                "USD": (100_000, 1_000_000)}
SIZE_FIT = {
    "small": {"micro": 1.0, "small": 1.0, "medium": 0.6, "large": 0.3},
    "medium": {"micro": 0.5, "small": 1.0, "medium": 1.0, "large": 0.7},
    "large": {"micro": 0.2, "small": 0.5, "medium": 1.0, "large": 1.0},
}


class _System:
    """The platform itself (notifications): sees every organization."""

    is_authenticated = False

    def __repr__(self):
        return "SYSTEM"


SYSTEM = _System()


def _visible_orgs(user):
    return Organization.objects.all() if user is SYSTEM else Organization.objects.visible_to(user)


class NoTextError(ValueError):
    """The challenge (or organization) has no text to match."""


def setting_weights(weights: Mapping[str, float] | None = None) -> dict[str, float]:
    out = dict(DEFAULT_WEIGHTS)
    out.update(getattr(settings, "KHOOSHE_RECOMMEND_WEIGHTS", None) or {})
    out.update(weights or {})
    unknown = set(out) - set(SIGNALS)
    if unknown:
        raise ValueError(f"unknown signal(s) {sorted(unknown)}; known: {', '.join(SIGNALS)}")
    for name, value in out.items():
        if not isinstance(value, (int, float)) or value < 0 or math.isnan(value):
            raise ValueError(f"weight of {name!r} must be a number >= 0, not {value!r}")
    return out


def setting_params(params: Mapping[str, float] | None = None) -> dict[str, float]:
    out = dict(DEFAULT_PARAMS)
    out.update(getattr(settings, "KHOOSHE_RECOMMEND_PARAMS", None) or {})
    out.update(params or {})
    return out


# -- results -------------------------------------------------------------------------------------------
@dataclass
class Recommendation:
    """One recommended organization (``recommend_solvers``) or challenge (``recommend_challenges``)."""

    object: object
    score: float  # 0..1
    signals: dict[str, float]  # signal -> value 0..1
    contributions: dict[str, float]  # signal -> weight × value / Σ weights (sums to score)
    words: list[str] = field(default_factory=list)  # matching terms
    snippet: str = ""  # HTML, matches in <mark>, escaped
    sector: dict | None = None  # {"code", "title", "level", "label"}
    distance_km: float | None = None
    same_region: str = ""  # the region's name when both are in it
    path: list[dict] = field(default_factory=list)  # [{"id", "name"}] from the owner to the organization
    track: dict = field(default_factory=dict)  # {"relations", "agreements", "awards"}

    @property
    def percent(self) -> int:
        return round(self.score * 100)

    def chips(self) -> list[dict]:
        """Contributions as display rows, largest first: label, value, points (percent of the score bar)."""
        return [{"signal": s, "label": str(SIGNAL_LABELS[s]), "value": round(self.signals[s], 3),
                 "points": round(c * 100, 1)}
                for s, c in sorted(self.contributions.items(), key=lambda kv: -kv[1]) if c > 0]

    def as_dict(self) -> dict:
        obj = self.object
        head = ({"organization": {"id": obj.pk, "name": str(obj), "url": obj.get_absolute_url()}}
                if isinstance(obj, Organization) else
                {"challenge": {"id": obj.pk, "title": obj.title, "url": obj.get_absolute_url()}})
        return {**head, "score": round(self.score, 4),
                "signals": {k: round(v, 4) for k, v in self.signals.items()},
                "contributions": {k: round(v, 4) for k, v in self.contributions.items()},
                "explanation": {"words": self.words, "snippet": self.snippet, "sector": self.sector,
                                "distance_km": None if self.distance_km is None else round(self.distance_km, 1),
                                "same_region": self.same_region or None, "path": self.path, "track": self.track}}


@dataclass
class RecommendationList:
    items: list[Recommendation]
    mode: str = "bm25"  # "bm25" or "bm25+dense"
    messages: list[str] = field(default_factory=list)
    weights: dict[str, float] = field(default_factory=dict)


# -- cached reference data and graph -------------------------------------------------------------------------
_cache_lock = threading.Lock()
_cache: dict[str, tuple[object, object]] = {}


def _cached(key: str, version, build):
    with _cache_lock:
        hit = _cache.get(key)
        if hit is not None and hit[0] == version:
            return hit[1]
    value = build()
    with _cache_lock:
        _cache[key] = (version, value)
    return value


def clear_cache() -> None:
    with _cache_lock:
        _cache.clear()
        _graph_state.update(checked=0.0, version=None)


def _sector_paths() -> dict[int, tuple[str, ...]]:
    """Sector id -> path codes (a few hundred rows: read per call, so edits show at once)."""
    return {pk: tuple(path.split("/")) for pk, path in Sector.objects.values_list("pk", "path")}


@dataclass
class _Place:
    lat: float | None
    lon: float | None
    chain: tuple[int, ...]  # region and its ancestors
    kinds: dict[int, str]


def _regions() -> dict[int, tuple]:
    """Region id -> (parent, lat, lon, kind, name_fa, name_en) (hundreds of rows: read per call)."""
    return {pk: (parent, lat, lon, kind, name_fa, name_en)
            for pk, parent, lat, lon, kind, name_fa, name_en in Region.objects.values_list(
                "pk", "parent_id", "latitude", "longitude", "kind", "name_fa", "name_en")}


def _region_chain(region_id: int | None, regions: dict) -> tuple[int, ...]:
    chain, seen = [], set()
    while region_id is not None and region_id in regions and region_id not in seen:
        seen.add(region_id)
        chain.append(region_id)
        region_id = regions[region_id][0]
    return tuple(chain)


def _place(lat, lon, region_id, regions) -> _Place | None:
    chain = _region_chain(region_id, regions)
    if lat is None or lon is None:
        lat = lon = None
        for r in chain:
            if regions[r][1] is not None and regions[r][2] is not None:
                lat, lon = regions[r][1], regions[r][2]
                break
    if lat is None and not chain:
        return None
    return _Place(lat, lon, chain, {r: regions[r][3] for r in chain})


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km (mean Earth radius 6371 km).

    >>> round(haversine_km(35.6892, 51.3890, 30.2839, 57.0834))  # Tehran - Kerman
    803
    """
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(a)))


@dataclass
class _Graph:
    index: dict[int, int]  # org id -> row
    ids: np.ndarray
    weights: object  # scipy csr, symmetric, recency-weighted strengths
    norm: object  # D^-1/2 W D^-1/2
    track: np.ndarray  # 0..1
    counts: dict[int, tuple[int, int, int]]  # org id -> (relations, agreements, awards)


def _graph_version():
    """Cheap data version (counts and highest ids: index look-ups); edits in place of an existing
    relation are caught by the signals in this process and by the periodic rebuild elsewhere."""
    rel = Relation.objects.aggregate(n=Count("pk"), m=Max("pk"))
    agr = Agreement.objects.aggregate(n=Count("pk"), m=Max("pk"))
    parties = Agreement.parties.through.objects.aggregate(n=Count("pk"), m=Max("pk"))
    awards = Proposal.objects.filter(status=Proposal.Status.AWARDED).aggregate(n=Count("pk"), m=Max("pk"))
    return (rel["n"], rel["m"], agr["n"], agr["m"], parties["n"], parties["m"], awards["n"], awards["m"])


def _recency(date, today: dt.date, half_life: float) -> float:
    if date is None:
        return 0.5
    age = max(0.0, (today - date).days / 365.25)
    return 0.5 ** (age / half_life)


def _build_graph(half_life: float) -> _Graph:
    from scipy import sparse

    today = timezone.localdate()
    rows, cols, vals = [], [], []
    rel_count: dict[int, int] = {}
    raw_track: dict[int, float] = {}
    for s, t, strength, start in Relation.objects.values_list("source_id", "target_id", "strength", "start_date") \
            .iterator(chunk_size=20000):
        w = (strength or 3) / 3.0 * _recency(start, today, half_life)
        rows.append(s)
        cols.append(t)
        vals.append(w)
        for o in (s, t):
            rel_count[o] = rel_count.get(o, 0) + 1
            raw_track[o] = raw_track.get(o, 0.0) + w
    agr_count: dict[int, int] = {}
    public_parties: dict[int, list[int]] = {}  # agreement id -> parties (ties in the graph)
    agr_recency: dict[int, float] = {}
    for agreement, org, signed, start, visibility in Agreement.parties.through.objects.values_list(
            "agreement_id", "organization_id", "agreement__signed_on", "agreement__start_date",
            "agreement__visibility").iterator(chunk_size=20000):
        recency = _recency(signed or start, today, half_life)
        agr_count[org] = agr_count.get(org, 0) + 1
        raw_track[org] = raw_track.get(org, 0.0) + 2 * recency
        if visibility == Visibility.PUBLIC:  # a private agreement is never shown as a path
            public_parties.setdefault(agreement, []).append(org)
            agr_recency[agreement] = recency
    award_count: dict[int, int] = {}
    for org, updated in Proposal.objects.filter(status=Proposal.Status.AWARDED).values_list("solver_id",
                                                                                            "updated_at"):
        award_count[org] = award_count.get(org, 0) + 1
        raw_track[org] = raw_track.get(org, 0.0) + 3 * _recency(updated.date() if updated else None, today,
                                                                half_life)
    ids = np.array(sorted(set(rows) | set(cols) | set(raw_track)), dtype=np.int64)
    index = {int(o): i for i, o in enumerate(ids)}
    n = len(ids)
    r = np.fromiter((index[o] for o in rows), dtype=np.int64, count=len(rows))
    c = np.fromiter((index[o] for o in cols), dtype=np.int64, count=len(cols))
    v = np.asarray(vals, dtype=np.float64)
    w = sparse.coo_matrix((np.concatenate([v, v]), (np.concatenate([r, c]), np.concatenate([c, r]))),
                          shape=(n, n)).tocsr()
    w = w + _agreement_ties(public_parties, agr_recency, index, n)
    w.sum_duplicates()
    deg = np.asarray(w.sum(axis=1)).ravel()
    inv = np.where(deg > 0, 1.0 / np.sqrt(np.maximum(deg, 1e-12)), 0.0)
    norm = sparse.diags(inv) @ w @ sparse.diags(inv)
    track = np.zeros(n)
    for o, value in raw_track.items():
        track[index[o]] = math.log1p(value)
    if n and track.max() > 0:
        track /= track.max()
    counts = {o: (rel_count.get(o, 0), agr_count.get(o, 0), award_count.get(o, 0)) for o in index}
    return _Graph(index, ids, w.tocsr(), norm.tocsr(), track, counts)


def _agreement_ties(parties: dict[int, list[int]], recency: dict[int, float], index: dict[int, int], n: int):
    """Every two parties of a public agreement are tied: weight recency / (k - 1) for k parties, so that
    each party gains as much as from one relation of strength 3 (a consortium of 30 does not outweigh a
    bilateral contract 29 times). Computed as B^T B of the agreement-party incidence, diagonal removed."""
    from scipy import sparse

    rows, cols, vals = [], [], []
    for number, (agreement, orgs) in enumerate(parties.items()):
        orgs = sorted(set(orgs))
        if len(orgs) < 2:
            continue
        value = math.sqrt(recency[agreement] / (len(orgs) - 1))
        rows.extend([number] * len(orgs))
        cols.extend(index[o] for o in orgs)
        vals.extend([value] * len(orgs))
    incidence = sparse.csr_matrix((vals, (rows, cols)), shape=(len(parties), n))
    ties = (incidence.T @ incidence).tocsr()
    ties = ties - sparse.diags(ties.diagonal())
    ties.eliminate_zeros()
    return ties


_graph_state = {"checked": 0.0, "version": None, "generation": 0}


def _invalidate(**kwargs) -> None:
    """A relation, agreement or proposal changed in this process: the next request rebuilds the graph."""
    with _cache_lock:
        _graph_state["generation"] += 1


def connect() -> None:
    """Invalidate the cached graph on every change made through the ORM (idempotent)."""
    from django.db.models.signals import m2m_changed, post_delete, post_save

    for model in (Relation, Agreement, Proposal):
        post_save.connect(_invalidate, sender=model, dispatch_uid=f"khooshe.recommend.save.{model.__name__}")
        post_delete.connect(_invalidate, sender=model, dispatch_uid=f"khooshe.recommend.delete.{model.__name__}")
    m2m_changed.connect(_invalidate, sender=Agreement.parties.through, dispatch_uid="khooshe.recommend.parties")
    post_save.connect(_invalidate_restricted, sender=Organization, dispatch_uid="khooshe.recommend.org.save")
    post_delete.connect(_invalidate_restricted, sender=Organization, dispatch_uid="khooshe.recommend.org.delete")
    # A new or removed role changes what its user may see.
    post_save.connect(_invalidate_restricted, sender=Role, dispatch_uid="khooshe.recommend.role.save")
    post_delete.connect(_invalidate_restricted, sender=Role, dispatch_uid="khooshe.recommend.role.delete")



def relation_graph(half_life: float | None = None) -> _Graph:
    """The relation graph and track record, cached. Changes made in this process (signals) are seen at
    once; new or deleted records from elsewhere (another worker, a bulk import) after at most
    ``KHOOSHE_RECOMMEND_GRAPH_CHECK_SECONDS`` (default 5), when the data version is checked again; and the
    graph is rebuilt at least every ``KHOOSHE_RECOMMEND_GRAPH_REBUILD_SECONDS`` (default 600)."""
    import time

    half_life = float(half_life or DEFAULT_PARAMS["half_life_years"])
    every = float(getattr(settings, "KHOOSHE_RECOMMEND_GRAPH_CHECK_SECONDS", 5.0))
    now = time.monotonic()
    with _cache_lock:
        due = now - _graph_state["checked"] >= every or _graph_state["version"] is None
        generation = _graph_state["generation"]
    if due:
        version = _graph_version()
        with _cache_lock:
            _graph_state.update(checked=now, version=version)
    rebuild = float(getattr(settings, "KHOOSHE_RECOMMEND_GRAPH_REBUILD_SECONDS", 600.0))
    with _cache_lock:
        version = (_graph_state["version"], generation, int(now // rebuild))
    return _cached(f"graph:{half_life}", version, lambda: _build_graph(half_life))


def _hidden_ids(user) -> frozenset[int]:
    """Organizations the user may not see (few: only non-public ones can be hidden), cached per user like
    ``_restricted_ids`` (refreshed on every organization or role change in this process and at least
    every 60 s); what is shown is always checked exactly."""
    import time

    if user is SYSTEM or access_for(user).is_admin:
        return frozenset()
    restricted = _restricted_ids()
    if not restricted:
        return frozenset()
    with _cache_lock:
        version = (_restricted_state["generation"], int(time.monotonic() // 60))
        if len(_cache) > 2000:  # many users: forget their sets (they are rebuilt on demand)
            for key in [k for k in _cache if k.startswith("hidden:")]:
                del _cache[key]

    def build():
        # The non-public organizations the user may see, found through the (visibility, name) index: a few
        # ms, where a list of the restricted ids cost 50 ms at 5,000 of them.
        others = [v for v in Visibility.values if v != Visibility.PUBLIC]
        visible = set(Organization.objects.visible_to(user).filter(visibility__in=others).values_list("pk", flat=True))
        return frozenset(restricted - visible)

    return _cached(f"hidden:{user.pk}", version, build)


_restricted_state = {"generation": 0}


def _invalidate_restricted(**kwargs) -> None:
    with _cache_lock:
        _restricted_state["generation"] += 1


def _restricted_ids() -> frozenset[int]:
    """Ids of the non-public organizations (the only ones a user can be denied), cached: refreshed on
    every organization change in this process and at least every 60 s. What is shown is checked exactly
    (candidates and path names go through ``visible_to``)."""
    import time

    with _cache_lock:
        version = (_restricted_state["generation"], int(time.monotonic() // 60))
    # "in the other values", not "not public": the (visibility, name) index then finds them without reading
    # every organization (340 ms -> a few ms at 100,000 organizations).
    others = [v for v in Visibility.values if v != Visibility.PUBLIC]
    return _cached("restricted", version, lambda: frozenset(
        Organization.objects.filter(visibility__in=others).values_list("pk", flat=True)))


def _bfs(matrix, start: int, max_hops: int, blocked: np.ndarray | None = None):
    """Breadth-first search from ``start`` up to ``max_hops`` relations, never entering ``blocked``
    rows (organizations the user may not see). Returns the predecessor tree for ``_hops``/``_path``."""
    n = matrix.shape[0]
    pred = np.full(n, -9999, dtype=np.int64)
    seen = np.zeros(n, dtype=bool) if blocked is None else blocked.copy()
    seen[start] = True
    frontier = np.array([start], dtype=np.int64)
    indptr, indices = matrix.indptr, matrix.indices
    for _depth in range(max_hops):
        if not len(frontier):
            break
        starts, counts = indptr[frontier], indptr[frontier + 1] - indptr[frontier]
        total = int(counts.sum())
        if not total:
            break
        offsets = np.repeat(starts - np.concatenate(([0], np.cumsum(counts)[:-1])), counts)
        neighbours = indices[offsets + np.arange(total)]
        sources = np.repeat(frontier, counts)
        fresh = ~seen[neighbours]
        neighbours, first = np.unique(neighbours[fresh], return_index=True)
        seen[neighbours] = True
        pred[neighbours] = sources[fresh][first]
        frontier = neighbours
    return pred, max_hops


def _blocked(graph: _Graph, hidden: frozenset[int]) -> np.ndarray | None:
    rows = [graph.index[h] for h in hidden if h in graph.index]
    if not rows:
        return None
    mask = np.zeros(len(graph.ids), dtype=bool)
    mask[rows] = True
    return mask


def _hops(tree, row: int) -> int:
    """Number of relations on the shortest path to ``row`` (0 = not reached within max_hops)."""
    pred, max_hops = tree
    hops, node = 0, row
    while pred[node] >= 0:
        node = pred[node]
        hops += 1
        if hops > max_hops:
            return 0
    return hops


def _path(tree, target: int) -> list[int]:
    pred = tree[0]
    path = [target]
    while pred[path[-1]] >= 0:
        path.append(int(pred[path[-1]]))
    return path[::-1]


# -- text retrieval on top of SearchIndex ------------------------------------------------------------------------
def challenge_text(challenge: Challenge) -> str:
    parts = [challenge.title, challenge.problem_statement, challenge.background, challenge.success_criteria]
    if challenge.pk:
        for s in challenge.sectors.all():
            parts += [s.title_fa, s.title_en]
    return "\n".join(p for p in parts if p)


def _query_terms(ix, searcher, text: str) -> list[str]:
    """Distinct pipeline terms of ``text``; when there are more than ``MAX_TERMS``, the ones with the
    highest tf × idf in the text (words absent from the index are dropped first)."""
    analyzed = ix.pipeline.analyze(text or "")
    terms = list(dict.fromkeys(analyzed))
    if len(terms) <= MAX_TERMS:
        return terms
    n = max(1, searcher.num_docs)
    tf: dict[str, int] = {}
    for t in analyzed:
        tf[t] = tf.get(t, 0) + 1
    weight = {}
    for t in terms:
        df = max(searcher.doc_freq(f, t) for f in ix.fields)
        weight[t] = tf[t] * math.log(1 + n / df) if df else -1.0
    position = {t: i for i, t in enumerate(terms)}
    return sorted(terms, key=lambda t: (-weight[t], position[t]))[:MAX_TERMS]


def _keyword_query(ix, terms: list[str]):
    should = [(tantivy.Occur.Should,
               tantivy.Query.boost_query(tantivy.Query.term_query(ix.schema, f, t, index_option="freq"), b))
              for t in terms for f, b in ix.fields.items()]
    return tantivy.Query.boolean_query(should)


@dataclass
class _Retrieved:
    scores: dict[int, float]  # id -> 0..1
    order: list[int]
    terms: list[str]
    mode: str
    top: float = 1.0  # the best BM25 score (scores are divided by it)


def _ids_of(searcher, hits) -> list[int]:
    """Document ids of search hits, read from the ``id`` fast field (no stored document is loaded)."""
    return [int(v) for v in searcher.fast_field_values("id", [addr for _score, addr in hits])]


def _bm25_of(ix, searcher, terms: list[str], ids: Iterable[int]) -> dict[int, float]:
    """BM25 scores of the given documents only (the query restricted to their ids, so it is cheap);
    documents without a matching term are absent."""
    ids = [int(i) for i in ids]
    if not ids or not terms:
        return {}
    q = tantivy.Query.boolean_query([
        (tantivy.Occur.Must, _keyword_query(ix, terms)),
        (tantivy.Occur.Must, tantivy.Query.const_score_query(
            tantivy.Query.term_set_query(ix.schema, "id", ids), 0.0))])
    hits = searcher.search(q, len(ids), count=False).hits
    return dict(zip(_ids_of(searcher, hits), (score for score, _addr in hits), strict=True))


def retrieve(text: str, depth: int, *, dense: bool | None = None) -> _Retrieved:
    """Text candidates for a long text: BM25 over all its terms (rarest first, at most MAX_TERMS),
    fused with dense retrieval when available; scores scaled to 0..1 by the best. Only ids and scores
    are read (fast field), so a deep candidate list (``depth`` ~1,000) stays cheap."""
    ix = get_index()
    if hasattr(ix, "refresh"):
        ix.refresh()  # see what other processes committed
    searcher = ix.index.searcher()
    terms = _query_terms(ix, searcher, text)
    use_dense = ix.dense is not None if dense is None else (dense and ix.dense is not None)
    if not terms:
        return _Retrieved({}, [], [], "bm25+dense" if use_dense else "bm25")
    hits = searcher.search(_keyword_query(ix, terms), depth, count=False).hits
    bm25 = list(zip(_ids_of(searcher, hits), (score for score, _addr in hits), strict=True))
    best = bm25[0][1] if bm25 and bm25[0][1] > 0 else 1.0
    if use_dense:
        dense_ranked = [d for d, _s in ix.dense.search(text[:1500], depth)]
        fused = rrf([[d for d, _s in bm25], dense_ranked])[:depth]
        order = [d for d, _s in fused]
        top = fused[0][1] if fused else 1.0
        scores = {d: s / top for d, s in fused}
        mode = "bm25+dense"
    else:
        order = [d for d, _s in bm25]
        scores = {d: s / best for d, s in bm25}
        mode = "bm25"
    return _Retrieved(scores, order, terms, mode, best)


def _stored_texts(ids: Iterable[int]) -> dict[int, dict]:
    """The stored (normalised) texts of the given documents."""
    ix = get_index()
    ids = [int(i) for i in ids]
    if not ids:
        return {}
    searcher = ix.index.searcher()
    out = {}
    for _score, addr in searcher.search(tantivy.Query.term_set_query(ix.schema, "id", ids), len(ids)).hits:
        doc = searcher.doc(addr)
        out[doc["id"][0]] = json.loads(bytes(doc["_raw"][0]).decode())
    return out


EXPLAIN_CHARS = 3000  # matching words are looked for in the first 3,000 characters of each field


def _explain_text(raw: dict, terms: list[str], with_snippet: bool = True) -> tuple[list[str], str]:
    """The matching words (at most 10) and, ``with_snippet``, a highlighted snippet (HTML)."""
    ix = get_index()
    term_set = frozenset(terms)
    found = set()
    raw = {f: v[:EXPLAIN_CHARS] for f, v in raw.items() if isinstance(v, str)}
    for f in ix.fields:
        if raw.get(f):
            found |= term_set.intersection(ix.pipeline.analyze(raw[f], normalized=True))
    words = [t for t in terms if t in found][:10]
    if not with_snippet:
        return words, ""
    snippet = ""
    for f in ("capabilities", "description", "name"):
        if raw.get(f):
            html = highlight(raw[f], term_set, pipeline=ix.pipeline, normalized=True, max_chars=220)
            if "<mark>" in html or not snippet:
                snippet = html
            if "<mark>" in html:
                break
    return words, snippet


# -- structured signals --------------------------------------------------------------------------------------------
def _org_sector_ids(org_ids: list[int]) -> dict[int, set[int]]:
    """Sectors and capability sectors of each organization: one plain query per 500 ids (the ORM spent
    more time preparing a list of 1,000 ids, value by value, than the database spent answering)."""
    from django.db import connections, router

    connection = connections[router.db_for_read(Organization)]
    quote = connection.ops.quote_name
    selects = []
    for through in (Organization.sectors.through, Organization.capability_sectors.through):
        own = through._meta.get_field("organization").column
        other = through._meta.get_field("sector").column
        selects.append(f"SELECT {quote(own)}, {quote(other)} FROM {quote(through._meta.db_table)} "
                       f"WHERE {quote(own)} IN ({{marks}})")
    out: dict[int, set[int]] = {}
    ids = [int(i) for i in org_ids]
    with connection.cursor() as cursor:
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(" UNION ALL ".join(q.format(marks=marks) for q in selects), chunk * len(selects))
            for o, sector in cursor.fetchall():
                out.setdefault(o, set()).add(sector)
    return out


def _sector_candidates(sector_ids: list[int], limit: int) -> list[int]:
    """Organizations with a sector or capability sector in the ISIC division of one of ``sector_ids``."""
    from django.db.models import Q

    paths = _sector_paths()
    prefixes = {"/".join(paths[s][:2]) for s in sector_ids if s in paths}
    if not prefixes or limit <= 0:
        return []
    cond = Q()
    for prefix in prefixes:
        cond |= Q(path=prefix) | Q(path__startswith=prefix + "/")
    sectors = Sector.objects.filter(cond).values("pk")
    out: list[int] = []
    for through in (Organization.capability_sectors.through, Organization.sectors.through):
        out += through.objects.filter(sector_id__in=sectors).values_list("organization_id", flat=True)[:limit]
    return list(dict.fromkeys(out))[:limit]


def _shared_depth(want: list[int], b: int, paths: dict) -> tuple[int, int | None]:
    """(levels of the ISIC path shared by sector ``b`` and the closest of ``want``, that sector)."""
    best, best_a = 0, None
    pb = paths.get(b)
    if not pb:
        return 0, None
    for a in want:
        pa = paths.get(a)
        if not pa:
            continue
        common = 0
        for x, y in zip(pa, pb, strict=False):
            if x != y:
                break
            common += 1
        if common > best:
            best, best_a = common, a
    return best, best_a


def _sector_match(want: list[int], have: Iterable[int], paths: dict,
                  by_path: dict | None = None, memo: dict | None = None) -> tuple[float, dict | None]:
    """The deepest ISIC level shared by the challenge's sectors and an organization's. ``memo`` keeps each
    sector's depth for one challenge: organizations have many different sets of a few hundred sectors."""
    best, best_pair = 0, None
    for b in have:
        if memo is None:
            common, a = _shared_depth(want, b, paths)
        else:
            if b not in memo:
                memo[b] = _shared_depth(want, b, paths)
            common, a = memo[b]
        if common > best:
            best, best_pair = common, (a, b)
    if not best:
        return 0.0, None
    level = min(best, 4)
    prefix = paths[best_pair[0]][:best]
    # The shared ancestor: the challenge's sector itself, or the organization's, or one above both.
    shared = next((s for s in best_pair if paths[s] == prefix), None)
    if shared is None:
        shared = (by_path or {}).get(prefix, best_pair[0])
    code = prefix[-1]
    return LEVEL_SCORE[level], {"code": code, "level": level, "label": str(LEVEL_LABELS[level]),
                                "sector_id": shared}


def _distance(here: _Place | None, there: _Place | None, regions: dict, scale: float):
    """(score, km or None, shared region name)."""
    if here is None or there is None:
        return 0.0, None, ""
    if here.chain and there.chain and here.chain[0] == there.chain[0]:
        r = regions[here.chain[0]]
        return 1.0, None, (r[4] or r[5]) if _fa() else (r[5] or r[4])
    if here.lat is not None and there.lat is not None:
        km = haversine_km(here.lat, here.lon, there.lat, there.lon)
        return math.exp(-km / scale), km, ""
    shared = set(here.chain) & set(there.chain)
    for r in (there.chain or ()):
        if r in shared:
            kind = regions[r][3]
            name = (regions[r][4] or regions[r][5]) if _fa() else (regions[r][5] or regions[r][4])
            return (0.6 if kind == Region.Kind.PROVINCE else 0.3 if kind == Region.Kind.COUNTRY else 0.6), None, name
    return 0.0, None, ""


def _fa() -> bool:
    from django.utils.translation import get_language

    return (get_language() or "fa").startswith("fa")


def budget_band(challenge: Challenge) -> str | None:
    budget = challenge.budget_max or challenge.budget_min
    bands = {**BUDGET_BANDS, **(getattr(settings, "KHOOSHE_RECOMMEND_BUDGET_BANDS", None) or {})}
    limits = bands.get((challenge.currency or "").upper())
    if not budget or not limits:
        return None
    return "small" if budget <= limits[0] else "medium" if budget <= limits[1] else "large"


def _size_fit(band: str | None, size: str) -> float:
    if band is None or not size:
        return 0.5
    return SIZE_FIT[band].get(size, 0.5)


def _combine(signals: dict[str, float], weights: dict[str, float]) -> tuple[float, dict[str, float]]:
    total = sum(weights.values()) or 1.0
    contributions = {s: weights[s] * v / total for s, v in signals.items() if weights.get(s)}
    return sum(contributions.values()), contributions


# -- solvers for a challenge ---------------------------------------------------------------------------------------
@dataclass
class _Ranked:
    """Every candidate of a challenge scored, best first: (score, org id, signals, contributions, info)."""

    scored: list[tuple]
    got: _Retrieved
    weights: dict[str, float]
    graph: _Graph | None
    tree: object
    hidden: frozenset[int]


def _weights_for(signals: Iterable[str], weights: Mapping[str, float] | None) -> dict[str, float]:
    wanted = set(signals)
    unknown = wanted - set(SIGNALS)
    if unknown:
        raise ValueError(f"unknown signal(s) {sorted(unknown)}; known: {', '.join(SIGNALS)}")
    return {s: (v if s in wanted else 0.0) for s, v in setting_weights(weights).items()}


def _rank_solvers(challenge: Challenge, *, user, w: dict[str, float], p: dict[str, float],
                  dense: bool | None = None, exclude: Iterable[int] = (), only: Iterable[int] | None = None) -> _Ranked:
    """Score the candidates of ``challenge`` (``only``: exactly these organizations, see
    ``score_candidates``). The signals of an organization do not depend on which other organizations are
    candidates, so a pair has the same score in both uses."""
    text = challenge_text(challenge)
    if not text.strip():
        raise NoTextError(_("This challenge has no text to match: fill in its title and problem statement."))
    got = retrieve(text, int(p["candidates"]), dense=dense)
    if not got.terms:
        raise NoTextError(_("This challenge's text has no words to match: describe the problem in words."))
    hidden = _hidden_ids(user)
    excluded = set(exclude) | {challenge.owner_id} | hidden
    pool = None if only is None else {int(d) for d in only} - excluded
    text_scores = {d: s for d, s in got.scores.items() if d not in excluded and (pool is None or d in pool)}

    need_graph = any(w.get(s) for s in ("track", "trust", "network"))
    graph = relation_graph(p["half_life_years"]) if need_graph else None
    prop = None  # network signal per graph row, 0..1
    if graph is not None and w.get("network") and len(graph.ids):
        blocked = _blocked(graph, hidden)
        seed = np.zeros(len(graph.ids))
        for d in got.order[: int(p["seeds"])]:
            i = graph.index.get(d)
            if i is not None and d not in hidden:
                seed[i] = got.scores[d]
        if seed.any():
            one = graph.norm @ seed
            if blocked is not None:
                one[blocked] = 0.0  # nothing flows through an organization the user may not see
            prop = one + p["second_step"] * (graph.norm @ one) if p["second_step"] else one
            if blocked is not None:
                prop[blocked] = 0.0
            top = prop.max()
            prop = prop / top if top > 0 else None
    if pool is not None:
        for d in pool:
            text_scores.setdefault(d, 0.0)
    else:
        if prop is not None:
            # The partners of the best matches are candidates too, even without a matching word.
            k = int(p["network_candidates"])
            best = np.argpartition(-prop, min(k + len(excluded), len(prop) - 1))[: k + len(excluded)]
            extra = [int(graph.ids[i]) for i in best[np.argsort(-prop[best], kind="stable")] if prop[i] > 0]
            for d in [d for d in extra if d not in excluded and d not in text_scores][:k]:
                text_scores[d] = 0.0
    want_sectors = list(challenge.sectors.values_list("pk", flat=True)) if w.get("sector") else []
    if want_sectors and pool is None:
        # Organizations in the challenge's ISIC divisions are candidates too (a short text may miss them).
        for d in _sector_candidates(want_sectors, int(p["sector_candidates"])):
            if d not in excluded:
                text_scores.setdefault(d, 0.0)
    # Candidates that joined through the network or their sector get their exact BM25 score (with dense
    # retrieval on, the fused score exists only for the fused list: the others keep 0).
    missing = [d for d, s in text_scores.items() if d not in got.scores]
    if missing and got.mode == "bm25":
        ix = get_index()
        for d, s in _bm25_of(ix, ix.index.searcher(), got.terms, missing).items():
            text_scores[d] = s / got.top
    # Visibility: never recommend what the user may not see.
    rows = {pk: (size, region, lat, lon) for pk, size, region, lat, lon in _visible_orgs(user).filter(
        pk__in=list(text_scores)).values_list("pk", "size_class", "region_id", "latitude", "longitude")}
    candidates = [d for d in text_scores if d in rows]

    paths = _sector_paths() if want_sectors else {}
    by_path = {path: pk for pk, path in paths.items()}
    org_sectors = _org_sector_ids(candidates) if want_sectors else {}
    regions = _regions() if w.get("distance") else {}
    here = None
    if w.get("distance"):
        if challenge.region_id:
            here = _place(None, None, challenge.region_id, regions)
        else:
            owner = challenge.owner
            here = _place(owner.latitude, owner.longitude, owner.region_id, regions)
    band = budget_band(challenge)
    tree = None
    owner_row = graph.index.get(challenge.owner_id) if graph is not None else None
    if graph is not None and w.get("trust") and owner_row is not None:
        tree = _bfs(graph.weights, owner_row, int(p["max_hops"]), _blocked(graph, hidden))

    active = [s for s in SIGNALS if w.get(s)]
    sector_memo: dict[frozenset, tuple] = {}  # many organizations share the same sectors
    depth_memo: dict[int, tuple] = {}
    scored = []
    for d in candidates:
        size, region, lat, lon = rows[d]
        sig = dict.fromkeys(active, 0.0)
        info: dict = {}
        if "text" in sig:
            sig["text"] = text_scores[d]
        if "sector" in sig and want_sectors:
            have = frozenset(org_sectors.get(d, ()))
            if have not in sector_memo:
                sector_memo[have] = _sector_match(want_sectors, sorted(have), paths, by_path, depth_memo)
            sig["sector"], info["sector"] = sector_memo[have]
        if "distance" in sig:
            sig["distance"], info["km"], info["same"] = _distance(here, _place(lat, lon, region, regions), regions,
                                                                  p["distance_km"])
        if "size" in sig:
            sig["size"] = _size_fit(band, size)
        row = graph.index.get(d) if graph is not None else None
        if row is not None:
            if "track" in sig:
                sig["track"] = float(graph.track[row])
            if "trust" in sig and tree is not None:
                hops = _hops(tree, row)
                if hops:
                    sig["trust"] = 1.0 / hops
            if "network" in sig and prop is not None:
                sig["network"] = float(prop[row])
        score, contributions = _combine(sig, w)
        scored.append((score, d, sig, contributions, info))
    scored.sort(key=lambda x: (-x[0], x[1]))
    return _Ranked(scored, got, w, graph, tree, hidden)


def _solver_items(ranked: _Ranked, top: list[tuple], *, user, explain: bool,
                  snippets: bool = True) -> list[Recommendation]:
    """Recommendations for the ``top`` rows of ``ranked``, with their explanations (``explain``: matching
    words and, with ``snippets``, the snippet; sector, distance, path and track record are always given)."""
    graph, tree = ranked.graph, ranked.tree
    orgs = {o.pk: o for o in Organization.objects.filter(pk__in=[d for _s, d, *_r in top])}
    raws = _stored_texts([d for _s, d, *_rest in top]) if explain else {}
    sector_ids = [e["sector"]["sector_id"] for *_r, e in top if e.get("sector")]
    titles = {pk: (fa, en) for pk, fa, en in Sector.objects.filter(pk__in=sector_ids).values_list(
        "pk", "title_fa", "title_en")}
    path_ids = {}
    if tree is not None:
        for _s, d, *_rest in top:
            row = graph.index.get(d)
            if row is not None and _hops(tree, row):
                path_ids[d] = [int(graph.ids[i]) for i in _path(tree, row)]
    names = {o.pk: str(o) for o in _visible_orgs(user).filter(
        pk__in={i for ids in path_ids.values() for i in ids}).only("pk", "name_fa", "name_en")}
    path_ids = {d: ids for d, ids in path_ids.items() if all(i in names for i in ids)}  # exact check
    items = []
    for score, d, sig, contributions, info in top:
        words, snippet = (_explain_text(raws[d], ranked.got.terms, snippets) if sig.get("text") and d in raws
                          else ([], ""))
        sector = dict(info["sector"]) if info.get("sector") else None
        if sector:
            fa, en = titles.get(sector.pop("sector_id"), ("", ""))
            sector["title"] = (fa or en) if _fa() else (en or fa)
        counts = graph.counts.get(d, (0, 0, 0)) if graph is not None else (0, 0, 0)
        items.append(Recommendation(
            object=orgs[d], score=score, signals=sig, contributions=contributions, words=words, snippet=snippet,
            sector=sector, distance_km=info.get("km"), same_region=info.get("same", ""),
            path=[{"id": i, "name": names.get(i, "")} for i in path_ids.get(d, [])],
            track={"relations": counts[0], "agreements": counts[1], "awards": counts[2]}))
    return items


def recommend_solvers(challenge: Challenge, *, user, limit: int = 20, signals: Iterable[str] = SIGNALS,
                      weights: Mapping[str, float] | None = None, params: Mapping[str, float] | None = None,
                      dense: bool | None = None, exclude: Iterable[int] = (), explain: bool = True) \
        -> RecommendationList:
    """The organizations best placed to solve ``challenge``, best first, each with its explanation
    (``explain=False``: no matching words and snippet, for evaluations).

    ``signals`` restricts the signals used (the others weigh 0); ``weights``/``params`` override the
    settings; ``exclude`` drops organizations (the owner is always dropped). Only organizations the
    ``user`` may see are considered. Raises ``NoTextError`` when the challenge has no text to match.
    """
    limit = max(1, min(int(limit), 200))
    ranked = _rank_solvers(challenge, user=user, w=_weights_for(signals, weights), p=setting_params(params),
                           dense=dense, exclude=exclude)
    items = _solver_items(ranked, ranked.scored[:limit], user=user, explain=explain)
    messages = []
    if ranked.got.mode == "bm25":
        messages.append(_("Keyword matching only (no language model is installed)."))
    if not items:
        messages.append(_("No organization matches this challenge yet: add words to the problem statement or "
                          "sectors to the challenge."))
    return RecommendationList(items, ranked.got.mode, messages, ranked.weights)


def score_candidates(challenge: Challenge, organization_ids: Iterable[int], *, user=None,
                     weights: Mapping[str, float] | None = None, params: Mapping[str, float] | None = None,
                     explain: bool = True) -> dict[int, Recommendation]:
    """The recommender's score of each given organization for ``challenge`` (same signals, weights and
    explanation as ``recommend_solvers``, which would give the same score to the same organization),
    for a fixed set such as a matchmaking day's participants. The explanation has the matching words but no
    snippet (``explain=False``: no words either). The owner, organizations the ``user`` (default: the
    platform itself) may not see and unknown ids are left out. Raises ``NoTextError`` when the challenge
    has no text to match."""
    user = SYSTEM if user is None else user
    ranked = _rank_solvers(challenge, user=user, w=_weights_for(SIGNALS, weights), p=setting_params(params),
                           only=organization_ids)
    return {r.object.pk: r for r in _solver_items(ranked, ranked.scored, user=user, explain=explain,
                                                  snippets=False)}


def candidate_signals(challenge: Challenge, *, user, params: Mapping[str, float] | None = None,
                      exclude: Iterable[int] = ()) -> dict[int, dict[str, float]]:
    """Every candidate's signals (all signals on), for evaluations that tune the weights offline: the
    candidates and signals do not depend on the weights, so any weighting of these values ranks as
    ``recommend_solvers`` would with it."""
    w = {s: 1.0 for s in SIGNALS}
    ranked = _rank_solvers(challenge, user=user, w=w, p=setting_params(params), exclude=exclude)
    return {d: sig for _s, d, sig, _c, _i in ranked.scored}


# -- challenges for an organization --------------------------------------------------------------------------------
CHALLENGE_SIGNALS = ("text", "sector", "distance", "size", "trust")


def _scores_for_id(ix, searcher, terms: list[str], doc_id: int) -> float:
    q = tantivy.Query.boolean_query([
        (tantivy.Occur.Must, _keyword_query(ix, terms)),
        (tantivy.Occur.Must, tantivy.Query.const_score_query(
            tantivy.Query.term_query(ix.schema, "id", int(doc_id)), 0.0))])
    hits = searcher.search(q, 1).hits
    return hits[0][0] if hits else 0.0


def recommend_challenges(organization: Organization, *, user, limit: int = 20,
                         weights: Mapping[str, float] | None = None, max_challenges: int = 300) -> RecommendationList:
    """The open challenges (visible to ``user``, not the organization's own) that best fit ``organization``.

    Text: the organization's BM25 score for the challenge's text divided by the best-matching
    organization's score for the same text (1 = the best match in the registry); then sector, distance,
    size fit and trust (path from the organization to the challenge's owner) as for ``recommend_solvers``.
    """
    limit = max(1, min(int(limit), 200))
    w = {s: v for s, v in setting_weights(weights).items() if s in CHALLENGE_SIGNALS}
    p = setting_params()
    challenges = list(Challenge.objects.visible_to(user).filter(status=Challenge.Status.OPEN)
                      .exclude(owner=organization).select_related("owner").prefetch_related("sectors")
                      .order_by("-opened_at", "-pk")[:max_challenges])
    ix = get_index()
    searcher = ix.index.searcher()
    regions = _regions()
    paths = _sector_paths()
    by_path = {path: pk for pk, path in paths.items()}
    org_sectors = _org_sector_ids([organization.pk]).get(organization.pk, set())
    there = _place(organization.latitude, organization.longitude, organization.region_id, regions)
    graph = relation_graph(p["half_life_years"]) if w.get("trust") else None
    tree = None
    row = graph.index.get(organization.pk) if graph is not None else None
    hidden = _hidden_ids(user)
    if row is not None:
        tree = _bfs(graph.weights, row, int(p["max_hops"]), _blocked(graph, hidden))
    raw = _stored_texts([organization.pk]).get(organization.pk, {})
    scored = []
    for ch in challenges:
        text = challenge_text(ch)
        terms = _query_terms(ix, searcher, text)
        sig = {s: 0.0 for s in CHALLENGE_SIGNALS if w.get(s)}
        explain: dict = {"terms": terms}
        if "text" in sig and terms:
            own = _scores_for_id(ix, searcher, terms, organization.pk)
            if own > 0:
                best = searcher.search(_keyword_query(ix, terms), 1).hits
                sig["text"] = min(1.0, own / best[0][0]) if best and best[0][0] > 0 else 0.0
        if "sector" in sig:
            sig["sector"], explain["sector"] = _sector_match([s.pk for s in ch.sectors.all()], org_sectors, paths,
                                                             by_path)
        if "distance" in sig:
            here = (_place(None, None, ch.region_id, regions) if ch.region_id else
                    _place(ch.owner.latitude, ch.owner.longitude, ch.owner.region_id, regions))
            sig["distance"], explain["km"], explain["same"] = _distance(here, there, regions, p["distance_km"])
        if "size" in sig:
            sig["size"] = _size_fit(budget_band(ch), organization.size_class)
        orow = graph.index.get(ch.owner_id) if graph is not None else None
        hops = _hops(tree, orow) if tree is not None and orow is not None else 0
        if "trust" in sig and hops and ch.owner_id not in hidden:
            sig["trust"] = 1.0 / hops
            explain["path_rows"] = _path(tree, orow)
        score, contributions = _combine(sig, w)
        if sig.get("text", 0) > 0 or sig.get("sector", 0) > 0:
            scored.append((score, ch, sig, contributions, explain))
    scored.sort(key=lambda x: (-x[0], -x[1].pk))
    top = scored[:limit]
    path_ids = {ch.pk: [int(graph.ids[i]) for i in e["path_rows"]] for _s, ch, _g, _c, e in top if "path_rows" in e}
    names = {o.pk: str(o) for o in _visible_orgs(user).filter(
        pk__in={i for ids in path_ids.values() for i in ids}).only("pk", "name_fa", "name_en")}
    path_ids = {c: ids for c, ids in path_ids.items() if all(i in names for i in ids)}  # exact check
    items = []
    for score, ch, sig, contributions, explain in top:
        words, snippet = _explain_text(raw, explain["terms"]) if sig.get("text") else ([], "")
        sector = explain.get("sector")
        if sector:
            sid = sector.pop("sector_id")
            s = Sector.objects.filter(pk=sid).first()
            sector["title"] = s.title if s else ""
        items.append(Recommendation(
            object=ch, score=score, signals=sig, contributions=contributions, words=words, snippet=snippet,
            sector=sector, distance_km=explain.get("km"), same_region=explain.get("same", ""),
            path=[{"id": i, "name": names.get(i, "")} for i in path_ids.get(ch.pk, [])]))
    messages = []
    if not items:
        messages.append(_("No open challenge fits this organization yet: describe its capabilities and "
                          "sectors so that challenges can be matched."))
    return RecommendationList(items, "bm25", messages, w)


connect()
