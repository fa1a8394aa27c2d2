"""Mission value chains: compose a consortium of small firms, test its resilience, find the gaps.

A *mission* (source document 002: mission-oriented industrial towns) is a value chain of *stages*
(raw materials, production, packaging, marketing, sales, export ...) served by many small firms, each
licensed for its part: together they act as a "virtual mega-company" that keeps the identity of its
members.  This module is pure Python (no Django): the web app ``khooshe.missions`` turns its records
into the dataclasses below.

Model
-----
* Stages form a directed acyclic graph (``Stage.predecessors``); branching is allowed (two inputs feed
  one stage).  Every stage processes the whole demand ``D`` (units per period) and, for every edge
  ``u -> v`` of the graph, the ``D`` units made at ``u`` travel to the members serving ``v``.
* A :class:`Candidate` is one organization's offer for one stage: capacity per period, unit cost, lead
  time, quality score in [0, 1], licences held (with validity dates), coordinates and whether it is a
  small firm.  The same organization (``member``) may offer several stages; it counts once in the
  consortium size.
* A candidate is *qualified* for a stage when it holds every licence the stage requires, valid on the
  planning date, and its quality reaches the stage's floor.  Unqualified candidates are left out (and
  listed in :attr:`Composition.excluded` with the reason) or, with ``on_unqualified="raise"``, are an
  error naming the member, the stage and the licence.

Composition (:func:`compose`) minimises a weighted sum of normalised terms (see :class:`Objectives`)

.. math::

   w_c \\frac{\\sum_i c_i x_i + r \\sum_{ij} d_{ij} f_{ij}}{C_{ref}}
   + w_d \\frac{\\sum_{ij} d_{ij} f_{ij}}{D\\,|E|\\,\\bar d}
   + w_q \\frac{\\sum_i (1-q_i) x_i}{D\\,|S|}
   + w_t \\frac{\\sum_{(i,j) \\in E} (1 - t_{ij}) y_i y_j}{|E|}
   + w_m \\frac{\\sum_m z_m}{|S|}
   + w_s \\frac{\\sum_{i \\notin small} x_i}{D\\,|S|}

with volumes :math:`x_i` (integers), flows :math:`f_{ij}` between members of consecutive stages, used
flags :math:`y_i` and member flags :math:`z_m`, subject to :math:`\\sum_{i \\in s} x_i = D`,
``min_lot * y <= x <= min(capacity, max_share * D) * y`` and :math:`\\sum_m z_m \\le K`.

It is solved with OR-Tools CP-SAT (member choice and integer volumes).  On small instances the flows
and the pairwise trust terms are in the CP-SAT model, so its answer is exact.  On large instances the
candidates are first pre-filtered per stage (best unary score first: cost, quality, trust, distance to
the neighbouring stages) and the flows and the pairwise trust products are replaced by unary proxies
(distance to the capacity-weighted centre of the neighbouring stages, mean trust): pairwise products make
CP-SAT stall.  Once the members are chosen, the volumes are allocated exactly by min-cost flow (OR-Tools
``SimpleMinCostFlow``): one network through the whole chain when the stages form a path, otherwise one
network per stage (volumes) and one per edge (transport).

When the demand cannot be met the result is not an error: :attr:`Composition.status` is ``"partial"``,
:attr:`Composition.served` is the largest volume the chain can deliver, and
:attr:`Composition.binding` names the stages (or the consortium size) that limit it.

References: Camarinha-Matos & Afsarmanesh (2003), *Elements of a base VE infrastructure*; Aissaoui,
Haouari & Hassini (2007), *Supplier selection and order lot sizing modeling: a review*.

Examples
--------
>>> stages = [Stage("make", "Make"), Stage("pack", "Pack", predecessors=("make",))]
>>> cands = [Candidate("a", "make", capacity=60, unit_cost=10),
...          Candidate("b", "make", capacity=60, unit_cost=12),
...          Candidate("c", "pack", capacity=100, unit_cost=1)]
>>> result = compose(stages, cands, demand=80)
>>> result.status, result.production_cost
('optimal', 920.0)
>>> sorted((a.member, a.volume) for a in result.allocations)
[('a', 60), ('b', 20), ('c', 80)]
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

import numpy as np

from khooshe.analytics.validation import AnalyticsInputError

__all__ = [
    "Allocation",
    "Candidate",
    "Composition",
    "Flow",
    "Gap",
    "Licence",
    "Objectives",
    "RecruitmentTarget",
    "Resilience",
    "Stage",
    "alternatives",
    "compose",
    "find_gaps",
    "greedy_cheapest",
    "haversine_km",
    "stage_order",
    "what_if_remove",
]

# Instances above these sizes are "large": pre-filtered, and no pairwise terms in CP-SAT.
PAIR_LIMIT = 4000          # transport pairs (sum over edges of |C_u| x |C_v|) kept exact in CP-SAT
CANDIDATE_LIMIT = 600      # qualified candidates above which pre-filtering starts
COMPLETE_PAIRS = 40_000    # min-cost flow: all pairs between two stages up to this many, else the nearest
NEAREST = 20               # transport arcs kept per member (each way) in large min-cost-flow networks


# --------------------------------------------------------------------------------------------- data


@dataclass(frozen=True)
class Licence:
    """A licence or certificate held by a member, e.g. ``Licence("gmp", until=date(2027, 3, 1))``."""

    kind: str
    valid_from: date | None = None
    valid_until: date | None = None
    number: str = ""

    def valid_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_until is None or day <= self.valid_until)


@dataclass(frozen=True)
class Stage:
    """A stage of the value chain.

    Parameters
    ----------
    id, name : str
    predecessors : tuple of str
        Stages whose output feeds this one (branching: several).
    licences : tuple of str
        Licence kinds a member needs to serve this stage.
    min_quality : float
        Quality floor in [0, 1].
    max_share : float
        Largest share of the stage's volume one member may take, in (0, 1] (no single point of failure).
    min_lot : int
        Smallest volume worth giving a member.
    sectors : tuple of str
        ISIC codes of the capability (used for recruitment targets).
    organization_kind : str
        The kind of organization that typically serves the stage (for recruitment targets).
    """

    id: str
    name: str = ""
    predecessors: tuple[str, ...] = ()
    licences: tuple[str, ...] = ()
    min_quality: float = 0.0
    max_share: float = 1.0
    min_lot: int = 0
    sectors: tuple[str, ...] = ()
    organization_kind: str = "sme"


@dataclass(frozen=True)
class Candidate:
    """One member's offer for one stage (capacity per period, unit cost, lead time in days ...)."""

    member: str
    stage: str
    capacity: int
    unit_cost: float
    lead_time: float = 0.0
    quality: float = 1.0
    licences: tuple[Licence, ...] = ()
    latitude: float | None = None
    longitude: float | None = None
    region: str = ""
    small: bool = True


@dataclass(frozen=True)
class Objectives:
    """Weights of the objective terms (non-negative) and the transport rate.

    ``cost`` weighs production cost plus transport cost (``transport_rate`` money per unit per km);
    ``distance`` the unit-kilometres between consecutive stages; ``quality`` the volume-weighted
    shortfall from perfect quality; ``trust`` the lack of trust between members of consecutive stages
    (scores in [0, 1], unknown pairs 0); ``members`` the consortium size; ``spread`` the volume given
    to firms that are not small.
    """

    cost: float = 1.0
    distance: float = 0.0
    quality: float = 0.0
    trust: float = 0.0
    members: float = 0.0
    spread: float = 0.0
    transport_rate: float = 0.0


@dataclass(frozen=True)
class Allocation:
    stage: str
    member: str
    volume: int
    unit_cost: float
    quality: float
    lead_time: float


@dataclass(frozen=True)
class Flow:
    from_stage: str
    from_member: str
    to_stage: str
    to_member: str
    volume: int
    distance_km: float


@dataclass
class Composition:
    """A composed consortium.

    ``status`` is ``"optimal"`` (proved), ``"feasible"`` (time limit reached; see ``gap``),
    ``"partial"`` (demand cannot be fully met: ``served`` < ``demand``, ``binding`` says why) or
    ``"infeasible"`` (nothing can be served).  ``objective`` and ``bound`` are in the units of the
    weighted objective; ``gap`` = (objective - bound) / objective from CP-SAT on the model it solved
    (the pre-filtered model on large instances, see ``prefiltered``).
    """

    status: str
    demand: int
    served: int
    allocations: list[Allocation] = field(default_factory=list)
    flows: list[Flow] = field(default_factory=list)
    objective: float = 0.0
    bound: float = 0.0
    gap: float = 0.0
    solve_seconds: float = 0.0
    production_cost: float = 0.0
    transport_cost: float = 0.0
    unit_km: float = 0.0
    lead_time: float = 0.0
    binding: dict[str, dict[str, Any]] = field(default_factory=dict)
    excluded: list[tuple[str, str, str]] = field(default_factory=list)
    #: ``(code, params)`` of each ``excluded`` entry, same order, for an interface to word in its language
    excluded_reasons: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    prefiltered: bool = False
    candidates_considered: int = 0

    @property
    def shortfall(self) -> int:
        return self.demand - self.served

    @property
    def total_cost(self) -> float:
        return self.production_cost + self.transport_cost

    @property
    def members(self) -> list[str]:
        return sorted({a.member for a in self.allocations if a.volume > 0})

    def volumes(self) -> dict[tuple[str, str], int]:
        """``{(stage, member): volume}``."""
        return {(a.stage, a.member): a.volume for a in self.allocations if a.volume > 0}

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": self.status, "demand": self.demand, "served": self.served, "shortfall": self.shortfall,
            "objective": self.objective, "bound": self.bound, "gap": self.gap,
            "solve_seconds": self.solve_seconds, "production_cost": self.production_cost,
            "transport_cost": self.transport_cost, "total_cost": self.total_cost, "unit_km": self.unit_km,
            "lead_time": self.lead_time, "members": self.members, "binding": self.binding,
            "prefiltered": self.prefiltered, "candidates_considered": self.candidates_considered,
            "allocations": [a.__dict__ for a in self.allocations],
            "flows": [f.__dict__ for f in self.flows],
            "excluded": [list(e) for e in self.excluded],
            "excluded_reasons": [[code, params] for code, params in self.excluded_reasons],
        }


@dataclass(frozen=True)
class Resilience:
    """What happens when ``removed`` leaves: share of the demand still served and the new cost."""

    removed: str
    served_share: float
    cost_before: float
    cost_after: float
    composition: Composition

    @property
    def cost_increase(self) -> float:
        return self.cost_after - self.cost_before


@dataclass(frozen=True)
class RecruitmentTarget:
    """Whom to attract to close a gap: the kind of organization, ISIC sectors, region and what it needs."""

    organization_kind: str
    sectors: tuple[str, ...]
    region: str
    capacity: int
    licences: tuple[str, ...]
    min_quality: float


@dataclass(frozen=True)
class Gap:
    """A weakness of the chain.  ``kind`` is ``no_capacity``, ``low_capacity``, ``single_supplier``,
    ``too_few_suppliers`` or ``expiring_licence``; ``members`` names those concerned (expiring licences)."""

    kind: str
    stage: str
    message: str
    capacity: int
    needed: int
    members: tuple[str, ...]
    target: RecruitmentTarget


# --------------------------------------------------------------------------------------- validation


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km.

    >>> round(haversine_km(35.6892, 51.3890, 32.6539, 51.6660))   # Tehran - Isfahan
    338
    """
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(a)))


def stage_order(stages: Sequence[Stage]) -> list[str]:
    """Stage ids in an order where every stage comes after its predecessors.

    Raises :class:`AnalyticsInputError` (``cyclic_order``) naming the stages of a cycle, or
    (``unknown_stage``) a predecessor that is not a stage.

    >>> stage_order([Stage("b", predecessors=("a",)), Stage("a")])
    ['a', 'b']
    >>> stage_order([Stage("a", predecessors=("b",)), Stage("b", predecessors=("a",))])
    Traceback (most recent call last):
    ...
    khooshe.analytics.validation.AnalyticsInputError: The stage order has a cycle: a -> b -> a. Remove one of these predecessor links.
    """
    ids = [s.id for s in stages]
    seen: set[str] = set()
    for s in stages:
        if not s.id:
            raise AnalyticsInputError("empty_stage", "A stage has an empty id.")
        if s.id in seen:
            raise AnalyticsInputError("duplicate_stage", f"Stage {s.id!r} appears twice.", stage=s.id)
        seen.add(s.id)
    preds = {s.id: list(dict.fromkeys(s.predecessors)) for s in stages}
    for s, ps in preds.items():
        for p in ps:
            if p not in seen:
                raise AnalyticsInputError("unknown_stage", f"Stage {s!r} follows {p!r}, which is not a stage.",
                                          stage=s, value=p)
    state = dict.fromkeys(ids, 0)   # 0 new, 1 on stack, 2 done
    order: list[str] = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        path.append(node)
        for p in preds[node]:
            if state[p] == 1:
                # path runs successor -> predecessor; show the cycle in the chain's direction from p
                back = list(reversed(path[path.index(p):]))
                k = back.index(p)
                shown = back[k:] + back[:k] + [p]
                raise AnalyticsInputError(
                    "cyclic_order",
                    f"The stage order has a cycle: {' -> '.join(shown)}. Remove one of these predecessor links.",
                    stages=shown)
            if state[p] == 0:
                visit(p, path)
        path.pop()
        state[node] = 2
        order.append(node)

    for s in ids:
        if state[s] == 0:
            visit(s, [])
    return order


def _validate(stages: Sequence[Stage], candidates: Sequence[Candidate], demand: int,
              objectives: Objectives, max_members: int | None) -> list[str]:
    order = stage_order(stages)
    if not order:
        raise AnalyticsInputError("no_stages", "The chain has no stage: add at least one.")
    if isinstance(demand, bool) or not isinstance(demand, (int, np.integer)) or demand < 0:
        raise AnalyticsInputError("bad_demand", f"Demand must be a whole number of units >= 0, got {demand!r}.",
                                  value=demand)
    for s in stages:
        if not 0 < s.max_share <= 1:
            raise AnalyticsInputError("bad_share", f"Stage {s.id!r}: max share {s.max_share!r} must be in (0, 1].",
                                      stage=s.id, value=s.max_share)
        if s.min_lot < 0:
            raise AnalyticsInputError("negative_lot", f"Stage {s.id!r}: minimum lot {s.min_lot!r} is negative.",
                                      stage=s.id, value=s.min_lot)
        if not 0 <= s.min_quality <= 1:
            raise AnalyticsInputError("bad_quality", f"Stage {s.id!r}: quality floor {s.min_quality!r} must be "
                                      "in [0, 1].", stage=s.id, value=s.min_quality)
    known = set(order)
    seen = set()
    for i, c in enumerate(candidates):
        where = f"Candidate {c.member!r} for stage {c.stage!r} (row {i + 1})"
        if c.stage not in known:
            raise AnalyticsInputError("unknown_stage", f"{where}: {c.stage!r} is not a stage of the chain.",
                                      row=i, value=c.stage)
        if (c.member, c.stage) in seen:
            raise AnalyticsInputError("duplicate_candidate", f"{where} appears twice: merge the rows.", row=i)
        seen.add((c.member, c.stage))
        for name in ("capacity", "unit_cost", "lead_time"):
            v = getattr(c, name)
            if v is None or isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)) \
                    or not math.isfinite(v):
                raise AnalyticsInputError("not_a_number", f"{where}: {name} {v!r} is not a number.",
                                          row=i, column=name, value=v)
            if v < 0:
                raise AnalyticsInputError("negative_value", f"{where}: {name} {v!r} is negative; give a value "
                                          ">= 0.", row=i, column=name, value=v)
        if int(c.capacity) != c.capacity:
            raise AnalyticsInputError("fractional_capacity", f"{where}: capacity {c.capacity!r} must be a whole "
                                      "number of units.", row=i, column="capacity", value=c.capacity)
        if not 0 <= c.quality <= 1:
            raise AnalyticsInputError("bad_quality", f"{where}: quality {c.quality!r} must be in [0, 1].",
                                      row=i, column="quality", value=c.quality)
        if (c.latitude is None) != (c.longitude is None):
            raise AnalyticsInputError("half_location", f"{where}: give both latitude and longitude or neither.",
                                      row=i, column="latitude")
        if c.latitude is not None and not (-90 <= c.latitude <= 90 and -180 <= c.longitude <= 180):
            raise AnalyticsInputError("bad_location", f"{where}: ({c.latitude}, {c.longitude}) is not a place on "
                                      "Earth.", row=i, column="latitude")
    for name, v in objectives.__dict__.items():
        if not isinstance(v, (int, float)) or not math.isfinite(v) or v < 0:
            raise AnalyticsInputError("bad_weight", f"Objective weight {name} = {v!r} must be a number >= 0.",
                                      column=name, value=v)
    if max_members is not None and max_members < 1:
        raise AnalyticsInputError("bad_max_members", f"Maximum consortium size {max_members!r} must be >= 1.",
                                  value=max_members)
    return order


#: English wording of the reasons an offer is left out; ``Composition.excluded_reasons`` carries the code and
#: parameters so that an interface can word them in its own language.
EXCLUSION_REASONS = {
    "missing_licence": "member {member!r} does not hold the licence {licence!r} that stage {stage!r} requires",
    "invalid_licence": "member {member!r}: licence {licence!r} is not valid on {day}",
    "low_quality": "member {member!r}: quality {quality:g} is below the floor {floor:g} of stage {stage!r}",
    "no_capacity": "member {member!r} has no capacity for stage {stage!r}",
    "below_min_lot": ("member {member!r}: its largest allowed volume at stage {stage!r} is below the minimum lot "
                      "{min_lot}"),
}


def _qualification_reason(stage: Stage, c: Candidate, day: date) -> tuple[str, dict[str, Any]] | None:
    """``(code, params)`` of why ``c`` cannot serve ``stage`` on ``day`` (None when it can)."""
    base = {"member": c.member, "stage": stage.id}
    for kind in stage.licences:
        held = [lic for lic in c.licences if lic.kind == kind]
        if not held:
            return "missing_licence", {**base, "licence": kind}
        if not any(lic.valid_on(day) for lic in held):
            return "invalid_licence", {**base, "licence": kind, "day": day.isoformat()}
    if c.quality < stage.min_quality:
        return "low_quality", {**base, "quality": c.quality, "floor": stage.min_quality}
    if c.capacity <= 0:
        return "no_capacity", base
    return None


# ------------------------------------------------------------------------------------------ compose


@dataclass
class _Instance:
    stages: dict[str, Stage]
    order: list[str]
    edges: list[tuple[str, str]]
    cands: list[Candidate]            # qualified (and maybe pre-filtered)
    by_stage: dict[str, list[int]]
    ub: list[int]
    demand: int
    excluded: list[tuple[str, str, str]]
    prefiltered: bool
    tproxy: np.ndarray | None = None   # per-unit transport proxy (large path instances)
    relaxed: np.ndarray | None = None  # volumes of the min-cost flow without lots (large path instances)
    excluded_reasons: list[tuple[str, dict[str, Any]]] = field(default_factory=list)


def _upper(stage: Stage, c: Candidate, demand: int) -> int:
    return int(min(c.capacity, math.floor(stage.max_share * demand + 1e-9)))


def _prepare(stages, candidates, demand, objectives, max_members, on, on_unqualified, exclude_members,
             trust) -> _Instance:
    order = _validate(stages, candidates, demand, objectives, max_members)
    smap = {s.id: s for s in stages}
    edges = [(p, s.id) for s in stages for p in dict.fromkeys(s.predecessors)]
    excluded: list[tuple[str, str, str]] = []
    reasons: list[tuple[str, dict[str, Any]]] = []
    kept: list[Candidate] = []
    gone = set(exclude_members or ())
    for c in candidates:
        if c.member in gone:
            continue
        reason = _qualification_reason(smap[c.stage], c, on)
        if reason is None and _upper(smap[c.stage], c, demand) < max(1, smap[c.stage].min_lot):
            reason = ("below_min_lot", {"member": c.member, "stage": c.stage, "min_lot": smap[c.stage].min_lot})
        if reason is not None:
            why = EXCLUSION_REASONS[reason[0]].format(**reason[1])
            if on_unqualified == "raise":
                raise AnalyticsInputError("unqualified_member", why[0].upper() + why[1:] + ".", member=c.member,
                                          stage=c.stage, reason=reason[0])
            excluded.append((c.member, c.stage, why))
            reasons.append(reason)
            continue
        kept.append(c)
    by_stage: dict[str, list[int]] = {s: [] for s in order}
    for i, c in enumerate(kept):
        by_stage[c.stage].append(i)
    ub = [_upper(smap[c.stage], c, demand) for c in kept]
    inst = _Instance(smap, order, edges, kept, by_stage, ub, int(demand), excluded, False)
    inst.excluded_reasons = reasons
    return inst


def _dist(a: Candidate, b: Candidate) -> float:
    if a.latitude is None or b.latitude is None:
        return 0.0
    return haversine_km(a.latitude, a.longitude, b.latitude, b.longitude)


def _dist_matrix(xs: list[Candidate], ys: list[Candidate]) -> np.ndarray:
    def coords(cs):
        arr = np.array([[c.latitude if c.latitude is not None else np.nan,
                         c.longitude if c.longitude is not None else np.nan] for c in cs], dtype=float)
        return np.radians(arr.reshape(-1, 2))
    a, b = coords(xs), coords(ys)
    dp = b[None, :, 0] - a[:, None, 0]
    dl = b[None, :, 1] - a[:, None, 1]
    h = np.sin(dp / 2) ** 2 + np.cos(a[:, None, 0]) * np.cos(b[None, :, 0]) * np.sin(dl / 2) ** 2
    d = 2 * 6371.0088 * np.arcsin(np.sqrt(np.clip(h, 0, 1)))
    return np.nan_to_num(d, nan=0.0)


@dataclass
class _Coefs:
    unit: np.ndarray           # per unit of x_i (production, quality, spread)
    transport: float           # per unit-km of flow
    member: float              # per member used
    trust_pair: float          # per adjacent chosen pair x (1 - trust)
    scale: float               # integer scale for CP-SAT / min-cost flow


def _coefficients(inst: _Instance, obj: Objectives) -> _Coefs:
    D = max(inst.demand, 1)
    S = len(inst.order)
    E = max(len(inst.edges), 1)
    costs = np.array([c.unit_cost for c in inst.cands], dtype=float)
    stage_med = []
    for s in inst.order:
        idx = inst.by_stage[s]
        stage_med.append(float(np.median(costs[idx])) if idx else 0.0)
    cost_ref = D * max(sum(stage_med), 1e-9)
    # typical distance between members of consecutive stages (sampled)
    rng = np.random.default_rng(0)
    samples = []
    for u, v in inst.edges:
        iu, iv = inst.by_stage[u], inst.by_stage[v]
        if iu and iv:
            a = rng.choice(iu, size=min(50, len(iu)), replace=False)
            b = rng.choice(iv, size=min(50, len(iv)), replace=False)
            samples.append(_dist_matrix([inst.cands[i] for i in a], [inst.cands[j] for j in b]).ravel())
    dbar = float(np.mean(np.concatenate(samples))) if samples else 0.0
    dist_ref = D * E * max(dbar, 1.0)
    quality = np.array([1 - c.quality for c in inst.cands])
    big = np.array([0.0 if c.small else 1.0 for c in inst.cands])
    unit = obj.cost * costs / cost_ref + obj.quality * quality / (D * S) + obj.spread * big / (D * S)
    transport = obj.cost * obj.transport_rate / cost_ref + obj.distance / dist_ref
    return _Coefs(unit, transport, obj.members / S, obj.trust / E, scale=1e4 * S * D)


def _trust(trust: Mapping[tuple[str, str], float] | None, a: str, b: str) -> float:
    if not trust:
        return 0.0
    return float(trust.get((a, b), trust.get((b, a), 0.0)))


def _prefilter(inst: _Instance, coefs: _Coefs, obj: Objectives, trust, keep_factor: float) -> _Instance:
    """Keep, per stage, the best candidates by unary score until their capacity covers keep_factor x D."""
    proxy = _proxies(inst, coefs, obj, trust)
    keep: list[int] = []
    for s in inst.order:
        idx = sorted(inst.by_stage[s], key=lambda i: (proxy[i], -inst.ub[i]))
        st = inst.stages[s]
        need = keep_factor * inst.demand
        least = math.ceil(1 / st.max_share) + 3
        total = 0
        for n, i in enumerate(idx):
            if total >= need and n >= least:
                break
            keep.append(i)
            total += inst.ub[i]
    keep.sort()
    cands = [inst.cands[i] for i in keep]
    by_stage: dict[str, list[int]] = {s: [] for s in inst.order}
    for j, c in enumerate(cands):
        by_stage[c.stage].append(j)
    tproxy = inst.tproxy[keep] if inst.tproxy is not None else None
    relaxed = inst.relaxed[keep] if inst.relaxed is not None else None
    return replace(inst, cands=cands, by_stage=by_stage, ub=[inst.ub[i] for i in keep], prefiltered=True,
                   tproxy=tproxy, relaxed=relaxed)


def _proxies(inst: _Instance, coefs: _Coefs, obj: Objectives, trust) -> np.ndarray:
    """Unary per-unit score: unit coefficient + half the distance to the neighbouring stages' centres
    + the member and trust terms spread over the candidate's largest volume."""
    n = len(inst.cands)
    proxy = coefs.unit.copy()
    if inst.tproxy is not None:
        proxy += inst.tproxy
    elif coefs.transport > 0:
        centres = {}
        for s in inst.order:
            idx = [i for i in inst.by_stage[s] if inst.cands[i].latitude is not None]
            if idx:
                w = np.array([inst.ub[i] for i in idx], dtype=float)
                lat = np.average([inst.cands[i].latitude for i in idx], weights=w)
                lon = np.average([inst.cands[i].longitude for i in idx], weights=w)
                centres[s] = Candidate("centre", s, 1, 0, latitude=float(lat), longitude=float(lon))
        for u, v in inst.edges:
            for a, b in ((u, v), (v, u)):
                if b in centres and inst.by_stage[a]:
                    idx = inst.by_stage[a]
                    d = _dist_matrix([inst.cands[i] for i in idx], [centres[b]])[:, 0]
                    proxy[idx] += coefs.transport * d / 2
    per_member = np.zeros(n)
    if coefs.member > 0:
        per_member += coefs.member
    if coefs.trust_pair > 0:
        neighbours = defaultdict(list)
        for u, v in inst.edges:
            neighbours[u].append(v)
            neighbours[v].append(u)
        for i, c in enumerate(inst.cands):
            others = [inst.cands[j].member for s in neighbours[c.stage] for j in inst.by_stage[s]]
            mean = float(np.mean([_trust(trust, c.member, o) for o in others])) if others else 1.0
            per_member[i] += coefs.trust_pair * (1 - mean) * len(neighbours[c.stage])
    ub = np.maximum(np.array(inst.ub, dtype=float), 1)
    return proxy + per_member / ub


def _is_path(inst: _Instance) -> bool:
    outdeg = defaultdict(int)
    indeg = defaultdict(int)
    for u, v in inst.edges:
        outdeg[u] += 1
        indeg[v] += 1
    return all(outdeg[s] <= 1 and indeg[s] <= 1 for s in inst.order) and len(inst.edges) == len(inst.order) - 1


def _solve_cpsat(inst: _Instance, coefs: _Coefs, obj: Objectives, trust, max_members, target: int | None,
                 exact_pairs: bool, nogoods: list[set[str]], time_limit: float, workers: int,
                 fixed_members: set[str] | None = None):
    """Build and solve the CP-SAT model.  ``target`` None: maximise the volume served (first priority)."""
    from ortools.sat.python import cp_model

    m = cp_model.CpModel()
    D = inst.demand
    n = len(inst.cands)
    S = coefs.scale
    x = [m.NewIntVar(0, inst.ub[i], f"x{i}") for i in range(n)]
    y = [m.NewBoolVar(f"y{i}") for i in range(n)]
    members = sorted({c.member for c in inst.cands})
    z = {mm: m.NewBoolVar(f"z{mm}") for mm in members}
    served = m.NewIntVar(0, D, "served") if target is None else None
    for i, c in enumerate(inst.cands):
        lot = max(inst.stages[c.stage].min_lot, 1)
        m.Add(x[i] <= inst.ub[i] * y[i])
        m.Add(x[i] >= lot * y[i])
        m.AddImplication(y[i], z[c.member])
    offers: dict[str, list] = defaultdict(list)
    for i, c in enumerate(inst.cands):
        offers[c.member].append(y[i])
    for mm in members:
        m.AddBoolOr(offers[mm]).OnlyEnforceIf(z[mm])
    for s in inst.order:
        idx = inst.by_stage[s]
        total = sum(x[i] for i in idx) if idx else 0
        m.Add(total == (target if target is not None else served))
    if max_members is not None:
        m.Add(sum(z.values()) <= max_members)
    for good in nogoods:
        m.AddBoolOr([z[mm].Not() for mm in good if mm in z] + [z[mm] for mm in members if mm not in good])
    if fixed_members is not None:
        for mm in members:
            m.Add(z[mm] == (1 if mm in fixed_members else 0))
    terms = []
    unit = np.rint(coefs.unit * S).astype(np.int64)
    for i in range(n):
        if unit[i]:
            terms.append(int(unit[i]) * x[i])
    mem = int(round(coefs.member * S))
    if mem:
        terms += [mem * z[mm] for mm in members]
    flows = {}
    if exact_pairs:
        tcoef = coefs.transport * S
        for u, v in inst.edges:
            iu, iv = inst.by_stage[u], inst.by_stage[v]
            if not iu or not iv:
                continue
            d = _dist_matrix([inst.cands[i] for i in iu], [inst.cands[j] for j in iv])
            for a, i in enumerate(iu):
                for b, j in enumerate(iv):
                    if tcoef > 0:
                        f = m.NewIntVar(0, min(inst.ub[i], inst.ub[j]), f"f{i}_{j}")
                        flows[(i, j)] = f
                        c = int(round(tcoef * d[a, b]))
                        if c:
                            terms.append(c * f)
                    if coefs.trust_pair > 0:
                        pen = int(round(coefs.trust_pair * S * (1 - _trust(trust, inst.cands[i].member,
                                                                             inst.cands[j].member))))
                        if pen:
                            p = m.NewBoolVar(f"p{i}_{j}")
                            m.AddBoolOr([y[i].Not(), y[j].Not(), p])
                            terms.append(pen * p)
            if tcoef > 0:
                for i in iu:
                    m.Add(sum(flows[(i, j)] for j in iv) == x[i])
                for j in iv:
                    m.Add(sum(flows[(i, j)] for i in iu) == x[j])
    else:
        proxy = _proxies(inst, coefs, obj, trust) - coefs.unit   # distance/trust/member proxies only
        # the member term is exact via z; remove its share from the proxy
        if coefs.member > 0:
            proxy -= coefs.member / np.maximum(np.array(inst.ub, dtype=float), 1)
        for i in range(n):
            c = int(round(proxy[i] * S))
            if c:
                terms.append(c * x[i])
    if target is None:
        m.Maximize(served)
    else:
        m.Minimize(sum(terms) if terms else 0)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.num_workers = workers
    solver.parameters.relative_gap_limit = 1e-4
    status = solver.Solve(m)
    return solver, status, x, y, z, served


def _flow_scale(coefs: _Coefs) -> float:
    """Integer scale of the min-cost-flow costs: the largest per-unit cost (production, or transport over
    2,000 km) becomes 10^6 (cost scaling runs in time proportional to the log of the largest cost)."""
    top = max(float(np.max(coefs.unit)) if len(coefs.unit) else 0.0, coefs.transport * 2000.0, 1e-12)
    return 1e6 / top


def _mcf_allocate(inst: _Instance, coefs: _Coefs, chosen: list[int], volumes: dict[int, int], target: int):
    """Exact volumes (and flows) for the chosen candidates with min-cost flow.  Returns (volumes, flows)
    where flows maps (i, j) -> units."""
    from ortools.graph.python import min_cost_flow

    S = _flow_scale(coefs)
    unit = np.rint(coefs.unit * S).astype(np.int64)
    tco = coefs.transport * S
    lot = {i: max(inst.stages[inst.cands[i].stage].min_lot, 1) for i in chosen}
    chosen_by_stage = {s: [i for i in chosen if inst.cands[i].stage == s] for s in inst.order}

    if _is_path(inst) and tco > 0:
        mcf = min_cost_flow.SimpleMinCostFlow()
        node = {"src": 0, "snk": 1}
        for i in chosen:
            node[("in", i)] = len(node)
            node[("out", i)] = len(node)
        supply = defaultdict(int)
        supply[0] += target
        supply[1] -= target
        prod_arcs = {}
        for i in chosen:
            a, b = node[("in", i)], node[("out", i)]
            supply[a] -= lot[i]
            supply[b] += lot[i]
            prod_arcs[i] = mcf.add_arc_with_capacity_and_unit_cost(a, b, inst.ub[i] - lot[i], int(unit[i]))
        first, last = inst.order[0], inst.order[-1]
        for i in chosen_by_stage[first]:
            mcf.add_arc_with_capacity_and_unit_cost(0, node[("in", i)], inst.ub[i], 0)
        for i in chosen_by_stage[last]:
            mcf.add_arc_with_capacity_and_unit_cost(node[("out", i)], 1, inst.ub[i], 0)
        pair_arcs = _transport_arcs(inst, mcf, node, chosen_by_stage, tco, supply)
        for k, v in supply.items():
            mcf.set_node_supply(k, int(v))
        if mcf.solve() != mcf.OPTIMAL:
            return None
        vols = {i: lot[i] + mcf.flow(prod_arcs[i]) for i in chosen}
        return vols, _pair_flows(mcf, pair_arcs, chosen_by_stage, vols, inst)

    # per stage: volumes
    vols: dict[int, int] = {}
    if tco > 0:
        vols = dict(volumes)      # volumes chosen jointly with transport by CP-SAT: keep them
    else:
        for s in inst.order:
            idx = chosen_by_stage[s]
            if not idx:
                continue
            mcf = min_cost_flow.SimpleMinCostFlow()
            arcs = {}
            rest = target - sum(lot[i] for i in idx)
            for k, i in enumerate(idx):
                arcs[i] = mcf.add_arc_with_capacity_and_unit_cost(0, k + 2, inst.ub[i] - lot[i], int(unit[i]))
                mcf.add_arc_with_capacity_and_unit_cost(k + 2, 1, inst.ub[i] - lot[i], 0)
            mcf.set_node_supply(0, rest)
            mcf.set_node_supply(1, -rest)
            if mcf.solve() != mcf.OPTIMAL:
                return None
            for i in idx:
                vols[i] = lot[i] + mcf.flow(arcs[i])
    flows: dict[tuple[int, int], int] = {}
    for u, v in inst.edges:
        flows.update(_edge_transport(inst, chosen_by_stage[u], chosen_by_stage[v], vols, tco))
    return vols, flows


EARTH_KM = 6371.0088


def _xyz(cs: list[Candidate]) -> tuple[np.ndarray, np.ndarray]:
    """Unit vectors of the candidates' places and a mask of those that have one."""
    lat = np.radians(np.array([c.latitude if c.latitude is not None else 0.0 for c in cs], dtype=float))
    lon = np.radians(np.array([c.longitude if c.longitude is not None else 0.0 for c in cs], dtype=float))
    has = np.array([c.latitude is not None for c in cs], dtype=bool)
    return np.column_stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)]), has


def _chord_km(chord: np.ndarray) -> np.ndarray:
    return 2 * EARTH_KM * np.arcsin(np.clip(chord / 2, 0, 1))


def _pairs(inst: _Instance, iu: list[int], iv: list[int]):
    """(a, b, km, sparse): candidate pairs between two stages; all of them when few, else the NEAREST
    nearest of each member in both directions (KD-tree on the unit sphere)."""
    cu = [inst.cands[i] for i in iu]
    cv = [inst.cands[j] for j in iv]
    if len(iu) * len(iv) <= COMPLETE_PAIRS:
        d = _dist_matrix(cu, cv)
        a, b = np.meshgrid(np.arange(len(iu)), np.arange(len(iv)), indexing="ij")
        return a.ravel(), b.ravel(), d.ravel(), False
    from scipy.spatial import cKDTree

    pu, hu = _xyz(cu)
    pv, hv = _xyz(cv)
    pu[~hu] = pv[0] if len(pv) else 0       # no place: treated as next to the others (distance 0 below)
    pv[~hv] = pu[0] if len(pu) else 0
    k1, k2 = min(NEAREST, len(iv)), min(NEAREST, len(iu))
    _, nb = cKDTree(pv).query(pu, k=k1)
    _, na = cKDTree(pu).query(pv, k=k2)
    nb = nb.reshape(len(iu), k1)
    na = na.reshape(len(iv), k2)
    key = np.concatenate([(np.arange(len(iu))[:, None] * len(iv) + nb).ravel(),
                          (na * len(iv) + np.arange(len(iv))[:, None]).ravel()])
    key = np.unique(key)
    a, b = key // len(iv), key % len(iv)
    km = _chord_km(np.linalg.norm(pu[a] - pv[b], axis=1))
    km[~hu[a] | ~hv[b]] = 0.0
    return a, b, km, True


def _transport_arcs(inst, mcf, node, chosen_by_stage, tco, supply=None):
    """Arcs out_i -> in_j between consecutive stages: all pairs on small networks, else the nearest in
    both directions plus a hub priced above any real pair (keeps the network feasible; the hub's flow is
    then split between real pairs, which only lowers the cost).  Returns [(src idx, dst idx, arcs)]."""
    records = []
    for u, v in inst.edges:
        iu, iv = chosen_by_stage.get(u, []), chosen_by_stage.get(v, [])
        if not iu or not iv:
            continue
        a, b, km, sparse = _pairs(inst, iu, iv)
        iu_arr, iv_arr = np.array(iu), np.array(iv)
        ub = np.array(inst.ub)
        outs = np.array([node[("out", i)] for i in iu])
        ins = np.array([node[("in", j)] for j in iv])
        cost = np.rint(km * tco).astype(np.int64)
        cap = np.minimum(ub[iu_arr[a]], ub[iv_arr[b]]).astype(np.int64)
        arcs = mcf.add_arcs_with_capacity_and_unit_cost(outs[a], ins[b], cap, cost)
        records.append((iu_arr[a], iv_arr[b], np.asarray(arcs)))
        if sparse:
            hub = len(node)
            node[("hub", u, v)] = hub
            pu, _ = _xyz([inst.cands[i] for i in iu])
            pv, _ = _xyz([inst.cands[j] for j in iv])
            centre = pu.mean(axis=0)
            reach = _chord_km(np.linalg.norm(pu - centre, axis=1)).max() + \
                _chord_km(np.linalg.norm(pv - centre, axis=1)).max()
            top = int(math.ceil(reach * tco)) + 1
            h_in = mcf.add_arcs_with_capacity_and_unit_cost(outs, np.full(len(iu), hub), ub[iu_arr].astype(np.int64),
                                                            np.full(len(iu), top, dtype=np.int64))
            h_out = mcf.add_arcs_with_capacity_and_unit_cost(np.full(len(iv), hub), ins, ub[iv_arr].astype(np.int64),
                                                             np.zeros(len(iv), dtype=np.int64))
            records.append((iu_arr, None, np.asarray(h_in)))
            records.append((None, iv_arr, np.asarray(h_out)))
    return records


def _pair_flows(mcf, records, *_):
    flows: dict[tuple[int, int], int] = defaultdict(int)
    k = 0
    while k < len(records):
        src, dst, arcs = records[k]
        f = np.asarray(mcf.flows(arcs)) if len(arcs) else np.zeros(0)
        nz = np.nonzero(f)[0]
        for t in nz:
            flows[(int(src[t]), int(dst[t]))] += int(f[t])
        if k + 2 < len(records) and records[k + 1][1] is None:
            # hub: split its in-flows between its out-flows (cost only falls: priced above every pair)
            hs, _, hin = records[k + 1]
            _, hd, hout = records[k + 2]
            fin = np.asarray(mcf.flows(hin))
            fout = np.asarray(mcf.flows(hout))
            ins = [[int(hs[t]), int(fin[t])] for t in np.nonzero(fin)[0]]
            outs = [[int(hd[t]), int(fout[t])] for t in np.nonzero(fout)[0]]
            j = 0
            for item in ins:
                while item[1] > 0 and j < len(outs):
                    q = min(item[1], outs[j][1])
                    flows[(item[0], outs[j][0])] += q
                    item[1] -= q
                    outs[j][1] -= q
                    if outs[j][1] == 0:
                        j += 1
            k += 3
        else:
            k += 1
    return dict(flows)


def _edge_transport(inst, iu, iv, vols, tco) -> dict[tuple[int, int], int]:
    from ortools.graph.python import min_cost_flow

    iu = [i for i in iu if vols.get(i, 0) > 0]
    iv = [j for j in iv if vols.get(j, 0) > 0]
    if not iu or not iv:
        return {}
    mcf = min_cost_flow.SimpleMinCostFlow()
    node = {}
    for i in iu:
        node[("out", i)] = len(node)
    for j in iv:
        node[("in", j)] = len(node)
    fake = replace(inst, edges=[(inst.cands[iu[0]].stage, inst.cands[iv[0]].stage)])
    chosen_by_stage = {inst.cands[iu[0]].stage: iu, inst.cands[iv[0]].stage: iv}
    records = _transport_arcs(fake, mcf, node, chosen_by_stage, max(tco, 1e-9))
    for i in iu:
        mcf.set_node_supply(node[("out", i)], int(vols[i]))
    for j in iv:
        mcf.set_node_supply(node[("in", j)], -int(vols[j]))
    if mcf.solve() != mcf.OPTIMAL:
        raise RuntimeError("transport network infeasible")   # cannot happen: volumes are balanced
    return _pair_flows(mcf, records)


def _relaxation_proxy(inst: _Instance, coefs: _Coefs):
    """Per-unit transport proxy from the chain's min-cost flow without lots (a path with transport only):
    a member that carries flow pays what its flows cost per unit; one that does not pays half the distance
    to the nearest member with flow in each neighbouring stage."""
    from ortools.graph.python import min_cost_flow

    S = _flow_scale(coefs)
    tco = coefs.transport * S
    if not (_is_path(inst) and tco > 0 and inst.cands):
        return None, None
    mcf = min_cost_flow.SimpleMinCostFlow()
    node = {"src": 0, "snk": 1}
    allc = list(range(len(inst.cands)))
    for i in allc:
        node[("in", i)] = len(node)
        node[("out", i)] = len(node)
    unit = np.rint(coefs.unit * S).astype(np.int64)
    ub = np.array(inst.ub, dtype=np.int64)
    ins = np.array([node[("in", i)] for i in allc])
    outs = np.array([node[("out", i)] for i in allc])
    prod = np.asarray(mcf.add_arcs_with_capacity_and_unit_cost(ins, outs, ub, unit))
    first, last = inst.by_stage[inst.order[0]], inst.by_stage[inst.order[-1]]
    if not first or not last:
        return None, None
    mcf.add_arcs_with_capacity_and_unit_cost(np.zeros(len(first), dtype=np.int64), ins[first], ub[first],
                                             np.zeros(len(first), dtype=np.int64))
    mcf.add_arcs_with_capacity_and_unit_cost(outs[last], np.ones(len(last), dtype=np.int64), ub[last],
                                             np.zeros(len(last), dtype=np.int64))
    records = _transport_arcs(inst, mcf, node, inst.by_stage, tco)
    mcf.set_node_supply(0, inst.demand)
    mcf.set_node_supply(1, -inst.demand)
    if mcf.solve() != mcf.OPTIMAL:
        return None, None
    vol = np.asarray(mcf.flows(prod)).astype(float)
    spent = np.zeros(len(allc))
    for (i, j), f in _pair_flows(mcf, records).items():
        km = _dist(inst.cands[i], inst.cands[j])
        spent[i] += f * km / 2
        spent[j] += f * km / 2
    proxy = np.zeros(len(allc))
    has = vol > 0
    proxy[has] = spent[has] / vol[has]
    from scipy.spatial import cKDTree

    for u, v in inst.edges:
        for a, b in ((u, v), (v, u)):
            flowing = [j for j in inst.by_stage[b] if has[j]]
            idle = [i for i in inst.by_stage[a] if not has[i]]
            if not flowing or not idle:
                continue
            pb, _ = _xyz([inst.cands[j] for j in flowing])
            pa, _ = _xyz([inst.cands[i] for i in idle])
            dist, _ = cKDTree(pb).query(pa, k=1)
            proxy[idle] += _chord_km(np.asarray(dist)) / 2
    return proxy * coefs.transport, vol


def _evaluate(inst: _Instance, coefs: _Coefs, obj: Objectives, trust, vols: dict[int, int],
              flows: dict[tuple[int, int], int]) -> tuple[float, float, float, float]:
    """Real-valued (objective, production cost, transport cost, unit-km)."""
    used = [i for i, v in vols.items() if v > 0]
    val = float(sum(coefs.unit[i] * vols[i] for i in used))
    prod = float(sum(inst.cands[i].unit_cost * vols[i] for i in used))
    ukm = 0.0
    for (i, j), f in flows.items():
        ukm += f * _dist(inst.cands[i], inst.cands[j])
    val += coefs.transport * ukm
    members = {inst.cands[i].member for i in used}
    val += coefs.member * len(members)
    if coefs.trust_pair > 0:
        for u, v in inst.edges:
            for i in used:
                if inst.cands[i].stage != u:
                    continue
                for j in used:
                    if inst.cands[j].stage == v:
                        val += coefs.trust_pair * (1 - _trust(trust, inst.cands[i].member, inst.cands[j].member))
    return val, prod, obj.transport_rate * ukm, ukm


def _workers(workers: int | None) -> int:
    import os

    return workers or max(1, min(8, os.cpu_count() or 1))


def compose(stages: Sequence[Stage], candidates: Sequence[Candidate], demand: int, *,
            objectives: Objectives | None = None, trust: Mapping[tuple[str, str], float] | None = None,
            max_members: int | None = None, on: date | None = None, on_unqualified: str = "exclude",
            exclude_members: Iterable[str] = (), time_limit: float = 30.0, workers: int | None = None,
            large: bool | None = None, keep_factor: float = 1.6,
            _nogoods: Sequence[set[str]] = ()) -> Composition:
    """Compose the consortium that serves ``demand`` units per period at the lowest weighted objective.

    Parameters
    ----------
    stages : sequence of Stage
    candidates : sequence of Candidate
    demand : int
        Units per period every stage must process.
    objectives : Objectives
        Weights (default: cost only).
    trust : mapping (member, member) -> score in [0, 1]
        Trust between members (either order); pairs not given count as 0.
    max_members : int, optional
        Largest consortium size (distinct members).
    on : date
        Planning date for licence validity (default today).
    on_unqualified : {"exclude", "raise"}
        What to do with a candidate that lacks a licence or the quality floor.
    exclude_members : iterable of str
        Members left out (what-if).
    time_limit : float
        Seconds CP-SAT may search (the result says whether optimality was proved).
    large : bool, optional
        Force the large-instance path (pre-filter, unary proxies); default: by size.
    keep_factor : float
        Large instances: per stage keep the best candidates until their capacity covers this x demand.

    Returns
    -------
    Composition
    """
    from ortools.sat.python import cp_model

    objectives = objectives or Objectives()
    on = on or date.today()
    if on_unqualified not in ("exclude", "raise"):
        raise AnalyticsInputError("bad_option", f"on_unqualified must be 'exclude' or 'raise', got "
                                  f"{on_unqualified!r}.", value=on_unqualified)
    started = time.perf_counter()
    inst = _prepare(stages, candidates, demand, objectives, max_members, on, on_unqualified, exclude_members,
                    trust)
    coefs = _coefficients(inst, objectives) if inst.cands else None
    pairs = sum(len(inst.by_stage[u]) * len(inst.by_stage[v]) for u, v in inst.edges)
    if large is None:
        large = len(inst.cands) > CANDIDATE_LIMIT or pairs > PAIR_LIMIT
    if large and inst.cands:
        inst.tproxy, inst.relaxed = _relaxation_proxy(inst, coefs)
        inst = _prefilter(inst, coefs, objectives, trust, keep_factor)
        coefs = _coefficients(inst, objectives)
    result = Composition(status="infeasible", demand=inst.demand, served=0, excluded=inst.excluded,
                         excluded_reasons=inst.excluded_reasons, prefiltered=inst.prefiltered, candidates_considered=len(inst.cands))
    binding = _binding(inst, max_members)
    if inst.demand == 0:
        result.status = "optimal"
        result.solve_seconds = time.perf_counter() - started
        return result
    if not inst.cands:
        result.binding = binding
        result.solve_seconds = time.perf_counter() - started
        return result
    w = _workers(workers)
    target = inst.demand
    if binding:
        solver, status, x, y, z, served = _solve_cpsat(inst, coefs, objectives, trust, max_members, None, False,
                                                       list(_nogoods), time_limit, w)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE) or solver.Value(served) == 0:
            result.binding = binding
            result.solve_seconds = time.perf_counter() - started
            return result
        target = int(solver.Value(served))
    solver, status, x, y, z, _ = _solve_cpsat(inst, coefs, objectives, trust, max_members, target, not large,
                                              list(_nogoods), time_limit, w)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE) and not binding:
        # capacities suffice stage by stage, but lots, shares or the size limit do not fit together
        binding = {"max_members": {"limit": max_members}} if max_members else {"lots": {}}
        solver2, st2, *_rest, served = _solve_cpsat(inst, coefs, objectives, trust, max_members, None, False,
                                                   list(_nogoods), time_limit, w)
        if st2 in (cp_model.OPTIMAL, cp_model.FEASIBLE) and solver2.Value(served) > 0:
            target = int(solver2.Value(served))
            solver, status, x, y, z, _ = _solve_cpsat(inst, coefs, objectives, trust, max_members, target,
                                                      not large, list(_nogoods), time_limit, w)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        result.binding = binding
        result.solve_seconds = time.perf_counter() - started
        return result
    chosen = [i for i in range(len(inst.cands)) if solver.Value(y[i])]
    volumes = {i: int(solver.Value(x[i])) for i in chosen}
    alloc = _mcf_allocate(inst, coefs, chosen, volumes, target)
    if alloc is None:       # cannot happen for a feasible CP-SAT answer; keep CP-SAT's volumes
        vols = volumes
        flows = {}
        for u, v in inst.edges:
            flows.update(_edge_transport(inst, [i for i in chosen if inst.cands[i].stage == u],
                                         [i for i in chosen if inst.cands[i].stage == v], vols,
                                         coefs.transport * _flow_scale(coefs)))
    else:
        vols, flows = alloc
    val, prod, tcost, ukm = _evaluate(inst, coefs, objectives, trust, vols, flows)
    if large and target == inst.demand and not _nogoods and max_members is None:
        # large instances: CP-SAT saw unary proxies of the transport; two more member sets are allocated
        # exactly by min-cost flow (the members carrying flow in the chain's flow without lots, and the
        # cheapest-first members) and the best of the three is kept
        sets = []
        if inst.relaxed is not None:
            sets.append([i for i in range(len(inst.cands)) if inst.relaxed[i] > 0])
        greedy, greedy_served = _greedy_volumes(inst)
        if greedy_served == target:
            sets.append(sorted(i for i, v in greedy.items() if v > 0))
        for members_set in sets:
            other = _mcf_allocate(inst, coefs, members_set, {}, target)
            if other is not None:
                cand = _evaluate(inst, coefs, objectives, trust, *other)
                if cand[0] < val:
                    (vols, flows), (val, prod, tcost, ukm) = other, cand
    bound = solver.BestObjectiveBound() / coefs.scale
    cp_obj = solver.ObjectiveValue() / coefs.scale
    result.status = "optimal" if status == cp_model.OPTIMAL else "feasible"
    if target < inst.demand:
        result.status = "partial"
    result.served = target
    result.objective = val
    result.bound = min(bound, val)
    result.gap = max(0.0, (cp_obj - bound) / abs(cp_obj)) if cp_obj else 0.0
    result.production_cost = prod
    result.transport_cost = tcost
    result.unit_km = ukm
    result.binding = binding
    result.allocations = sorted(
        (Allocation(inst.cands[i].stage, inst.cands[i].member, v, inst.cands[i].unit_cost,
                    inst.cands[i].quality, inst.cands[i].lead_time) for i, v in vols.items() if v > 0),
        key=lambda a: (inst.order.index(a.stage), a.member))
    result.flows = sorted(
        (Flow(inst.cands[i].stage, inst.cands[i].member, inst.cands[j].stage, inst.cands[j].member, f,
              round(_dist(inst.cands[i], inst.cands[j]), 3)) for (i, j), f in flows.items() if f > 0),
        key=lambda f: (inst.order.index(f.from_stage), f.from_member, f.to_member))
    result.lead_time = _lead_time(inst, result.allocations)
    result.solve_seconds = time.perf_counter() - started
    return result


def _binding(inst: _Instance, max_members: int | None) -> dict[str, dict[str, Any]]:
    """Stages whose qualified capacity (within the share limit) is below the demand."""
    out = {}
    for s in inst.order:
        cap = sum(inst.ub[i] for i in inst.by_stage[s])
        if cap < inst.demand:
            out[s] = {"capacity": int(cap), "demand": inst.demand, "shortfall": int(inst.demand - cap)}
    return out


def _lead_time(inst: _Instance, allocations: list[Allocation]) -> float:
    """Longest path through the chain of each stage's slowest member."""
    worst = defaultdict(float)
    for a in allocations:
        worst[a.stage] = max(worst[a.stage], a.lead_time)
    finish: dict[str, float] = {}
    for s in inst.order:
        finish[s] = worst[s] + max((finish[p] for p in inst.stages[s].predecessors), default=0.0)
    return max(finish.values(), default=0.0)


def alternatives(stages: Sequence[Stage], candidates: Sequence[Candidate], demand: int, k: int = 3,
                 **kwargs: Any) -> list[Composition]:
    """The ``k`` best consortia whose member sets differ (each next one is excluded by a no-good cut).

    >>> stages = [Stage("s")]
    >>> cands = [Candidate(m, "s", capacity=10, unit_cost=c) for m, c in [("a", 1), ("b", 2), ("c", 3)]]
    >>> [(r.members, r.production_cost) for r in alternatives(stages, cands, 10, k=3)]
    [(['a'], 10.0), (['a', 'b'], 11.0), (['a', 'c'], 12.0)]
    """
    if k < 1:
        raise AnalyticsInputError("bad_k", f"k = {k!r}: ask for at least one alternative.", value=k)
    found: list[Composition] = []
    cuts: list[set[str]] = []
    for _ in range(k):
        r = compose(stages, candidates, demand, _nogoods=cuts, **kwargs)
        if r.status == "infeasible" or (found and r.served < found[0].served):
            break
        found.append(r)
        cuts.append(set(r.members))
    return found


def what_if_remove(stages: Sequence[Stage], candidates: Sequence[Candidate], demand: int, member: str,
                   base: Composition | None = None, **kwargs: Any) -> Resilience:
    """Resilience: compose again without ``member``; share of the demand still served and the cost.

    >>> stages = [Stage("s", max_share=1.0)]
    >>> cands = [Candidate("a", "s", capacity=10, unit_cost=1), Candidate("b", "s", capacity=6, unit_cost=2)]
    >>> r = what_if_remove(stages, cands, 10, "a")
    >>> r.served_share, r.cost_before, r.cost_after
    (0.6, 10.0, 12.0)
    """
    if not any(c.member == member for c in candidates):
        raise AnalyticsInputError("unknown_member", f"Member {member!r} is not a candidate of this chain.",
                                  value=member)
    base = base or compose(stages, candidates, demand, **kwargs)
    gone = set(kwargs.pop("exclude_members", ())) | {member}
    after = compose(stages, candidates, demand, exclude_members=gone, **kwargs)
    share = after.served / demand if demand else 1.0
    return Resilience(member, share, base.total_cost, after.total_cost, after)


# ---------------------------------------------------------------------------------------------- gaps


def find_gaps(stages: Sequence[Stage], candidates: Sequence[Candidate], demand: int, *, on: date | None = None,
              horizon_days: int = 90, region: str = "", margin: float = 1.0) -> list[Gap]:
    """Where the chain is broken or fragile, each with a recruitment target.

    * ``no_capacity``: no qualified candidate at all;
    * ``low_capacity``: qualified capacity (within the share limit) below ``margin`` x demand;
    * ``too_few_suppliers``: fewer qualified members than the share limit needs (``ceil(1 / max_share)``);
    * ``single_supplier``: exactly one qualified member;
    * ``expiring_licence``: a required licence of a qualified member ends within ``horizon_days``.

    The target region is ``region`` (the mission's) or else the region where the neighbouring stages'
    members are most common.

    >>> g = find_gaps([Stage("s", licences=("gmp",), sectors=("2100",))],
    ...               [Candidate("a", "s", 5, 1.0)], demand=10)
    >>> [(x.kind, x.target.sectors, x.target.capacity) for x in g]
    [('no_capacity', ('2100',), 10)]
    """
    on = on or date.today()
    if horizon_days < 0:
        raise AnalyticsInputError("bad_horizon", f"horizon_days {horizon_days!r} must be >= 0.", value=horizon_days)
    inst = _prepare(stages, candidates, demand, Objectives(), None, on, "exclude", (), None)
    soon = on + timedelta(days=horizon_days)
    regions = defaultdict(lambda: defaultdict(int))
    for c in inst.cands:
        if c.region:
            regions[c.stage][c.region] += 1
    neighbours = defaultdict(set)
    for u, v in inst.edges:
        neighbours[u].add(v)
        neighbours[v].add(u)
    gaps: list[Gap] = []
    for s in inst.order:
        st = inst.stages[s]
        idx = inst.by_stage[s]
        cap = sum(inst.ub[i] for i in idx)
        members = {inst.cands[i].member for i in idx}
        where = region
        if not where:
            counts = defaultdict(int)
            for n in neighbours[s] | {s}:
                for r, k in regions[n].items():
                    counts[r] += k
            where = max(sorted(counts), key=lambda r: counts[r]) if counts else ""

        def target(amount: int, st: Stage = st, where: str = where) -> RecruitmentTarget:
            return RecruitmentTarget(st.organization_kind, st.sectors, where, int(amount), st.licences,
                                     st.min_quality)

        name = st.name or st.id
        if not idx:
            gaps.append(Gap("no_capacity", s, f"No qualified member can serve stage {name!r}.", 0, demand, (),
                            target(demand)))
            continue
        need = math.ceil(margin * demand)
        if cap < need:
            gaps.append(Gap("low_capacity", s, f"Stage {name!r} has {cap} units of qualified capacity for a "
                            f"demand of {need}.", cap, need, tuple(sorted(members)), target(need - cap)))
        least = math.ceil(1 / st.max_share - 1e-9)
        if len(members) == 1:
            gaps.append(Gap("single_supplier", s, f"Stage {name!r} depends on one member "
                            f"({next(iter(members))}).", cap, need, tuple(members),
                            target(max(st.min_lot, math.ceil(demand * st.max_share)))))
        elif len(members) < least:
            gaps.append(Gap("too_few_suppliers", s, f"Stage {name!r} has {len(members)} qualified members; its "
                            f"share limit needs at least {least}.", cap, need, tuple(sorted(members)),
                            target(max(st.min_lot, math.ceil(demand * st.max_share)))))
        expiring = []
        for i in idx:
            c = inst.cands[i]
            for kind in st.licences:
                ends = [lic.valid_until for lic in c.licences if lic.kind == kind and lic.valid_on(on)]
                if ends and all(e is not None and e <= soon for e in ends):
                    expiring.append((c.member, kind, max(ends)))
        if expiring:
            lost = sum(inst.ub[i] for i in idx if inst.cands[i].member in {m for m, _, _ in expiring})
            text = ", ".join(f"{m} ({k} until {d.isoformat()})" for m, k, d in sorted(expiring))
            gaps.append(Gap("expiring_licence", s, f"Stage {name!r}: licences end within {horizon_days} days: "
                            f"{text}.", cap, need, tuple(sorted({m for m, _, _ in expiring})),
                            target(max(0, need - (cap - lost)) or lost)))
    return gaps


# -------------------------------------------------------------------------------------------- greedy


def _greedy_volumes(inst: _Instance) -> tuple[dict[int, int], int]:
    """Cheapest-first volumes per stage (lots respected by taking the last lot back from earlier members)."""
    demand = inst.demand
    vols: dict[int, int] = {}
    served = demand
    for s in inst.order:
        st = inst.stages[s]
        lot = max(st.min_lot, 1)
        rest = demand
        taken: list[int] = []
        for i in sorted(inst.by_stage[s], key=lambda i: (inst.cands[i].unit_cost, inst.cands[i].member)):
            if rest <= 0:
                break
            q = min(inst.ub[i], rest)
            if q < lot:
                # give back from earlier members so this one gets a full lot
                need = lot - q
                for t in reversed(taken):
                    spare = vols[t] - lot
                    give = min(spare, need)
                    vols[t] -= give
                    need -= give
                    if need == 0:
                        break
                if need:
                    continue
                q = lot
            vols[i] = q
            taken.append(i)
            rest -= q
        served = min(served, demand - max(rest, 0))
    return vols, served


def greedy_cheapest(stages: Sequence[Stage], candidates: Sequence[Candidate], demand: int, *,
                    objectives: Objectives | None = None, on: date | None = None) -> Composition:
    """Baseline: per stage, the cheapest qualified members first, each up to its allowed volume (lots
    respected by taking the last lot back from earlier members); transport then routed by min-cost flow.

    >>> stages = [Stage("s")]
    >>> cands = [Candidate("a", "s", 6, 1.0), Candidate("b", "s", 6, 2.0)]
    >>> greedy_cheapest(stages, cands, 10).production_cost
    14.0
    """
    objectives = objectives or Objectives()
    on = on or date.today()
    started = time.perf_counter()
    inst = _prepare(stages, candidates, demand, objectives, None, on, "exclude", (), None)
    coefs = _coefficients(inst, objectives) if inst.cands else None
    vols, served = _greedy_volumes(inst)
    result = Composition(status="feasible" if served == demand else "partial", demand=demand, served=served)
    if served < demand:
        return result
    flows: dict[tuple[int, int], int] = {}
    tco = coefs.transport * _flow_scale(coefs)
    for u, v in inst.edges:
        flows.update(_edge_transport(inst, [i for i in vols if inst.cands[i].stage == u],
                                     [i for i in vols if inst.cands[i].stage == v], vols, tco))
    val, prod, tcost, ukm = _evaluate(inst, coefs, objectives, None, vols, flows)
    result.objective, result.production_cost, result.transport_cost, result.unit_km = val, prod, tcost, ukm
    result.allocations = [Allocation(inst.cands[i].stage, inst.cands[i].member, v, inst.cands[i].unit_cost,
                                     inst.cands[i].quality, inst.cands[i].lead_time) for i, v in vols.items() if v]
    result.solve_seconds = time.perf_counter() - started
    return result
