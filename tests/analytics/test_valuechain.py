"""Consortium composition (analytics.valuechain): optimality against brute force, constraints hold on random
instances, infeasible demand, gaps, alternatives, resilience and bad input."""

import itertools
import math
from datetime import date

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from khooshe.analytics.validation import AnalyticsInputError
from khooshe.analytics.valuechain import (
    Candidate,
    Licence,
    Objectives,
    Stage,
    alternatives,
    compose,
    find_gaps,
    greedy_cheapest,
    haversine_km,
    stage_order,
    what_if_remove,
)

DAY = date(2026, 1, 1)


# ------------------------------------------------------------------------------------ brute force


def _vectors(cands, stage, demand):
    """Every volume vector for the stage's candidates that meets the demand and the constraints."""
    bounds = []
    for c in cands:
        ub = min(c.capacity, math.floor(stage.max_share * demand + 1e-9))
        lot = max(stage.min_lot, 1)
        bounds.append([0] + list(range(lot, ub + 1)))
    for combo in itertools.product(*bounds):
        if sum(combo) == demand:
            yield combo


def _transport(us, vs, xu, xv):
    """Least unit-km to route xu (from us) to xv (at vs): a transportation LP (integral)."""
    iu = [k for k, v in enumerate(xu) if v]
    iv = [k for k, v in enumerate(xv) if v]
    d = np.array([[haversine_km(us[a].latitude, us[a].longitude, vs[b].latitude, vs[b].longitude)
                   for b in iv] for a in iu])
    n, m = len(iu), len(iv)
    a_eq, b_eq = [], []
    for a in range(n):
        row = np.zeros(n * m)
        row[a * m:(a + 1) * m] = 1
        a_eq.append(row)
        b_eq.append(xu[iu[a]])
    for b in range(m):
        row = np.zeros(n * m)
        row[b::m] = 1
        a_eq.append(row)
        b_eq.append(xv[iv[b]])
    res = linprog(d.ravel(), A_eq=np.array(a_eq), b_eq=b_eq, bounds=(0, None), method="highs")
    return res.fun


def brute_force(stages, cands, demand, obj, trust=None, max_members=None):
    """The documented objective minimised by enumeration (stages: a path)."""
    by = {s.id: [c for c in cands if c.stage == s.id] for s in stages}
    edges = [(p, s.id) for s in stages for p in s.predecessors]
    D, S, E = demand, len(stages), max(len(edges), 1)
    cost_ref = D * sum(float(np.median([c.unit_cost for c in by[s.id]])) for s in stages)
    pair_d = [haversine_km(a.latitude, a.longitude, b.latitude, b.longitude)
              for u, v in edges for a in by[u] for b in by[v]]
    dist_ref = D * E * max(float(np.mean(pair_d)) if pair_d else 0.0, 1.0)
    best = math.inf
    for combo in itertools.product(*[list(_vectors(by[s.id], s, demand)) for s in stages]):
        vol = {s.id: combo[k] for k, s in enumerate(stages)}
        used = [(c, v) for s in stages for c, v in zip(by[s.id], vol[s.id], strict=True) if v]
        members = {c.member for c, _ in used}
        if max_members is not None and len(members) > max_members:
            continue
        val = sum(obj.cost * c.unit_cost * v / cost_ref + obj.quality * (1 - c.quality) * v / (D * S)
                  + obj.spread * (0 if c.small else 1) * v / (D * S) for c, v in used)
        val += obj.members * len(members) / S
        for u, v in edges:
            if obj.trust:
                for a, xa in zip(by[u], vol[u], strict=True):
                    for b, xb in zip(by[v], vol[v], strict=True):
                        if xa and xb:
                            t = (trust or {}).get((a.member, b.member), (trust or {}).get((b.member, a.member), 0))
                            val += obj.trust * (1 - t) / E
            if obj.distance or obj.transport_rate:
                ukm = _transport(by[u], by[v], vol[u], vol[v])
                val += obj.cost * obj.transport_rate * ukm / cost_ref + obj.distance * ukm / dist_ref
        best = min(best, val)
    return best


CITIES = [(35.69, 51.39), (32.65, 51.67), (29.59, 52.58), (38.08, 46.29), (36.30, 59.60), (34.31, 47.06)]


def _instance(seed, n_stages=3, per_stage=3, demand=6):
    rng = np.random.default_rng(seed)
    stages = []
    for k in range(n_stages):
        stages.append(Stage(f"s{k}", predecessors=(f"s{k - 1}",) if k else (),
                            max_share=float(rng.choice([1.0, 0.7, 0.5])), min_lot=int(rng.integers(0, 3))))
    cands = []
    for k in range(n_stages):
        for j in range(per_stage):
            lat, lon = CITIES[int(rng.integers(len(CITIES)))]
            cands.append(Candidate(f"m{int(rng.integers(0, per_stage * n_stages - 2))}" if j else f"own{k}",
                                   f"s{k}", capacity=int(rng.integers(2, 7)),
                                   unit_cost=float(rng.integers(5, 30)), quality=float(rng.choice([0.6, 0.8, 1])),
                                   latitude=lat, longitude=lon, small=bool(rng.random() < 0.7)))
    # one candidate per (member, stage)
    seen, unique = set(), []
    for c in cands:
        if (c.member, c.stage) not in seen:
            seen.add((c.member, c.stage))
            unique.append(c)
    return stages, unique, demand


@pytest.mark.parametrize("seed", range(6))
def test_composition_is_optimal_against_brute_force(seed):
    stages, cands, demand = _instance(seed)
    obj = Objectives(cost=1, quality=0.5, members=0.3, spread=0.2, trust=0.2)
    trust = {(c.member, d.member): 0.9 for c in cands for d in cands if c.member < d.member and
             (hash((c.member, d.member)) % 3 == 0)}
    expected = brute_force(stages, cands, demand, obj, trust=trust, max_members=5)
    result = compose(stages, cands, demand, objectives=obj, trust=trust, max_members=5, on=DAY, workers=1)
    if math.isinf(expected):
        assert result.status in ("partial", "infeasible")
        return
    assert result.status == "optimal"
    assert result.objective == pytest.approx(expected, rel=1e-3, abs=1e-6)


@pytest.mark.parametrize("seed", range(4))
def test_composition_with_transport_is_optimal_against_brute_force(seed):
    stages, cands, demand = _instance(100 + seed, n_stages=2, per_stage=3, demand=6)
    obj = Objectives(cost=1, distance=0.5, transport_rate=0.02, members=0.1)
    expected = brute_force(stages, cands, demand, obj)
    result = compose(stages, cands, demand, objectives=obj, on=DAY, workers=1)
    if math.isinf(expected):
        assert result.status in ("partial", "infeasible")
        return
    assert result.status == "optimal"
    assert result.objective == pytest.approx(expected, rel=1e-3, abs=1e-6)
    # the reported transport is the routed unit-km times the rate
    assert result.transport_cost == pytest.approx(0.02 * result.unit_km)
    assert result.unit_km == pytest.approx(sum(f.volume * f.distance_km for f in result.flows), rel=1e-3)


def test_large_path_prefilters_and_still_meets_demand():
    rng = np.random.default_rng(7)
    stages = [Stage(f"s{k}", predecessors=(f"s{k - 1}",) if k else (), max_share=0.3, min_lot=5)
              for k in range(3)]
    cands = [Candidate(f"m{k}_{j}", f"s{k}", capacity=int(rng.integers(10, 40)), unit_cost=float(rng.integers(5, 50)),
                       latitude=float(rng.uniform(27, 38)), longitude=float(rng.uniform(45, 60)))
             for k in range(3) for j in range(300)]
    r = compose(stages, cands, 500, objectives=Objectives(cost=1, transport_rate=0.01), on=DAY, workers=1,
                time_limit=20)
    assert r.prefiltered and r.candidates_considered < len(cands)
    assert r.status in ("optimal", "feasible") and r.served == 500
    _check_constraints(stages, cands, r, 500, None)
    greedy = greedy_cheapest(stages, cands, 500, objectives=Objectives(cost=1, transport_rate=0.01), on=DAY)
    assert r.total_cost < greedy.total_cost


# ------------------------------------------------------------------------------- property: constraints


def _check_constraints(stages, cands, r, demand, max_members, day=DAY):
    smap = {s.id: s for s in stages}
    cmap = {(c.member, c.stage): c for c in cands}
    per_stage = {s.id: 0 for s in stages}
    for a in r.allocations:
        c, s = cmap[(a.member, a.stage)], smap[a.stage]
        assert a.volume <= c.capacity
        assert a.volume <= s.max_share * demand + 1e-9
        assert a.volume >= max(s.min_lot, 1)
        assert c.quality >= s.min_quality
        for kind in s.licences:
            assert any(lic.kind == kind and lic.valid_on(day) for lic in c.licences)
        per_stage[a.stage] += a.volume
    assert all(v == r.served for v in per_stage.values())
    if max_members is not None:
        assert len(r.members) <= max_members
    # flows carry each member's volume to the next stage
    out, inn = {}, {}
    for f in r.flows:
        out[(f.from_member, f.from_stage)] = out.get((f.from_member, f.from_stage), 0) + f.volume
        inn[(f.to_member, f.to_stage)] = inn.get((f.to_member, f.to_stage), 0) + f.volume
    for a in r.allocations:
        successors = sum(a.stage in s.predecessors for s in stages)
        if successors:
            assert out.get((a.member, a.stage)) == a.volume * successors
        if smap[a.stage].predecessors:
            assert inn.get((a.member, a.stage)) == a.volume * len(smap[a.stage].predecessors)


@st.composite
def instances(draw):
    n_stages = draw(st.integers(1, 4))
    stages = []
    for k in range(n_stages):
        preds = ()
        if k:
            preds = tuple(sorted(set(draw(st.lists(st.sampled_from([f"s{j}" for j in range(k)]), min_size=1,
                                                   max_size=2)))))
        stages.append(Stage(f"s{k}", predecessors=preds, licences=("gmp",) if draw(st.booleans()) else (),
                            min_quality=draw(st.sampled_from([0.0, 0.5, 0.8])),
                            max_share=draw(st.sampled_from([1.0, 0.6, 0.4])), min_lot=draw(st.integers(0, 4))))
    cands = []
    for k in range(n_stages):
        for j in range(draw(st.integers(0, 5))):
            lat, lon = draw(st.sampled_from(CITIES))
            lic = (Licence("gmp", valid_until=date(2025, 6, 1) if draw(st.booleans()) else None),) \
                if draw(st.booleans()) else ()
            cands.append(Candidate(f"m{draw(st.integers(0, 8))}_{j}", f"s{k}", capacity=draw(st.integers(0, 12)),
                                   unit_cost=draw(st.integers(1, 40)), quality=draw(st.sampled_from([0.4, 0.7, 1.0])),
                                   licences=lic, latitude=lat, longitude=lon, small=draw(st.booleans())))
    seen, unique = set(), []
    for c in cands:
        if (c.member, c.stage) not in seen:
            seen.add((c.member, c.stage))
            unique.append(c)
    demand = draw(st.integers(0, 20))
    max_members = draw(st.one_of(st.none(), st.integers(1, 8)))
    obj = Objectives(cost=1, distance=draw(st.sampled_from([0, 0.5])), quality=0.3, members=0.2,
                     transport_rate=draw(st.sampled_from([0, 0.01])))
    return stages, unique, demand, max_members, obj


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_constraints_hold_on_random_instances(inst):
    stages, cands, demand, max_members, obj = inst
    r = compose(stages, cands, demand, objectives=obj, max_members=max_members, on=DAY, workers=1, time_limit=10)
    assert r.status in ("optimal", "feasible", "partial", "infeasible")
    assert 0 <= r.served <= demand
    if r.status == "infeasible":
        assert not r.allocations
        return
    _check_constraints(stages, cands, r, demand, max_members)
    if r.served < demand:
        assert r.status == "partial" and r.binding


# --------------------------------------------------------------------------------- infeasible demand


def test_infeasible_demand_reports_binding_stage_and_shortfall():
    stages = [Stage("make"), Stage("pack", predecessors=("make",), max_share=0.5)]
    cands = [Candidate("a", "make", 100, 5), Candidate("p1", "pack", 30, 1), Candidate("p2", "pack", 80, 1)]
    r = compose(stages, cands, 100, on=DAY)
    # pack: each member may take at most 50 -> 30 + 50 = 80
    assert r.status == "partial"
    assert r.served == 80 and r.shortfall == 20
    assert r.binding == {"pack": {"capacity": 80, "demand": 100, "shortfall": 20}}
    assert sum(a.volume for a in r.allocations if a.stage == "make") == 80


def test_consortium_size_limit_that_cannot_be_met_is_reported():
    stages = [Stage("a", max_share=0.5), Stage("b", predecessors=("a",), max_share=0.5)]
    cands = [Candidate(m, s, 10, 1) for s in "ab" for m in (f"{s}1", f"{s}2")]
    r = compose(stages, cands, 10, max_members=3, on=DAY)
    assert r.status == "partial"
    assert "max_members" in r.binding
    assert r.served == 5 and len(r.members) <= 3


def test_no_candidate_at_all_is_infeasible_with_the_stage_named():
    r = compose([Stage("x", name="Export")], [], 10, on=DAY)
    assert r.status == "infeasible" and r.served == 0
    assert r.binding["x"]["capacity"] == 0


# ---------------------------------------------------------------------------- alternatives, what-if


def test_alternatives_differ_in_members_and_get_worse():
    stages = [Stage("s", max_share=0.5)]
    cands = [Candidate(m, "s", 10, c) for m, c in [("a", 1), ("b", 2), ("c", 3), ("d", 4)]]
    alts = alternatives(stages, cands, 20, k=3, on=DAY)
    sets = [tuple(r.members) for r in alts]
    assert sets == [("a", "b"), ("a", "c"), ("a", "d")] or len(set(sets)) == 3
    assert [r.production_cost for r in alts] == sorted(r.production_cost for r in alts)
    assert alts[0].production_cost == 30


def test_what_if_removing_a_member_reports_served_share_and_cost():
    stages = [Stage("s", max_share=0.5)]
    cands = [Candidate("a", "s", 10, 1), Candidate("b", "s", 10, 2), Candidate("c", "s", 6, 5)]
    r = what_if_remove(stages, cands, 20, "a", on=DAY)
    assert r.served_share == pytest.approx(16 / 20)
    assert r.cost_before == 30 and r.cost_after == 10 * 2 + 6 * 5
    assert "a" not in r.composition.members


# -------------------------------------------------------------------------------------------- gaps


def test_gaps_become_recruitment_targets():
    stages = [Stage("api", "Active ingredient", licences=("gmp",), sectors=("2100",), organization_kind="company"),
              Stage("pack", "Packaging", predecessors=("api",), sectors=("1702",), max_share=0.5),
              Stage("sell", "Sales", predecessors=("pack",), sectors=("4649",)),
              Stage("export", "Export", predecessors=("sell",), sectors=("5229",))]
    cands = [
        Candidate("a", "api", 100, 10, licences=(Licence("gmp", valid_until=date(2026, 2, 1)),), region="IR-23"),
        Candidate("b", "api", 100, 10, licences=(Licence("iso", valid_until=date(2027, 1, 1)),), region="IR-23"),
        Candidate("p", "pack", 40, 1, region="IR-23"),
        Candidate("q", "pack", 40, 1, region="IR-10"),
        Candidate("s", "sell", 500, 1, region="IR-23"),
    ]
    gaps = find_gaps(stages, cands, 100, on=DAY, horizon_days=60)
    kinds = {(g.kind, g.stage) for g in gaps}
    assert ("single_supplier", "api") in kinds            # b lacks the gmp licence
    assert ("expiring_licence", "api") in kinds           # a's gmp ends 2026-02-01
    assert ("low_capacity", "pack") in kinds              # 40 + 40 < 100
    assert ("no_capacity", "export") in kinds
    assert ("single_supplier", "sell") in kinds
    low = next(g for g in gaps if g.kind == "low_capacity")
    assert low.capacity == 80 and low.target.capacity == 20 and low.target.sectors == ("1702",)
    assert low.target.region == "IR-23"
    export = next(g for g in gaps if g.kind == "no_capacity")
    assert export.target.capacity == 100 and "Export" in export.message
    expiring = next(g for g in gaps if g.kind == "expiring_licence")
    assert expiring.members == ("a",) and "2026-02-01" in expiring.message
    assert expiring.target.licences == ("gmp",) and expiring.target.organization_kind == "company"


def test_too_few_suppliers_for_the_share_limit():
    gaps = find_gaps([Stage("s", max_share=0.25)], [Candidate(m, "s", 100, 1) for m in "abc"], 100, on=DAY)
    # each may take 25 of 100: three members give 75
    assert [g.kind for g in gaps] == ["low_capacity", "too_few_suppliers"]
    assert gaps[0].capacity == 75
    assert "at least 4" in gaps[1].message


# ------------------------------------------------------------------------------------------ bad input


def test_cyclic_stage_order_names_the_cycle():
    stages = [Stage("a", predecessors=("c",)), Stage("b", predecessors=("a",)), Stage("c", predecessors=("b",))]
    with pytest.raises(AnalyticsInputError) as err:
        compose(stages, [], 5)
    assert err.value.code == "cyclic_order"
    assert set(err.value.params["stages"]) == {"a", "b", "c"}
    assert "a -> b -> c -> a" in str(err.value) or "cycle" in str(err.value)


def test_branching_is_accepted():
    assert stage_order([Stage("c", predecessors=("a", "b")), Stage("a"), Stage("b")])[-1] == "c"


def test_negative_capacity_is_named():
    with pytest.raises(AnalyticsInputError) as err:
        compose([Stage("s")], [Candidate("acme", "s", -5, 1)], 5)
    assert err.value.code == "negative_value"
    assert "'acme'" in str(err.value) and "capacity -5" in str(err.value)


def test_member_without_the_required_licence():
    stages = [Stage("fill", licences=("gmp",))]
    cands = [Candidate("acme", "fill", 10, 1, licences=(Licence("iso9001"),)), Candidate("ok", "fill", 10, 2,
             licences=(Licence("gmp"),))]
    with pytest.raises(AnalyticsInputError) as err:
        compose(stages, cands, 5, on_unqualified="raise")
    assert err.value.code == "unqualified_member"
    assert "'acme'" in str(err.value) and "'gmp'" in str(err.value) and "'fill'" in str(err.value)
    # by default the member is left out with the reason
    r = compose(stages, cands, 5, on=DAY)
    assert r.members == ["ok"]
    assert r.excluded[0][0] == "acme" and "gmp" in r.excluded[0][2]


def test_expired_licence_is_not_valid():
    stages = [Stage("fill", licences=("gmp",))]
    cands = [Candidate("acme", "fill", 10, 1, licences=(Licence("gmp", valid_until=date(2025, 12, 31)),))]
    r = compose(stages, cands, 5, on=DAY)
    assert r.status == "infeasible"
    assert "not valid on 2026-01-01" in r.excluded[0][2]


@pytest.mark.parametrize("kwargs, code", [
    ({"demand": -1}, "bad_demand"),
    ({"demand": 2.5}, "bad_demand"),
    ({"stages": [Stage("s", max_share=0)]}, "bad_share"),
    ({"stages": [Stage("s", min_lot=-1)]}, "negative_lot"),
    ({"cands": [Candidate("x", "nowhere", 5, 1)]}, "unknown_stage"),
    ({"cands": [Candidate("x", "s", 5, float("nan"))]}, "not_a_number"),
    ({"cands": [Candidate("x", "s", 5, 1, quality=1.5)]}, "bad_quality"),
    ({"cands": [Candidate("x", "s", 5, 1), Candidate("x", "s", 6, 1)]}, "duplicate_candidate"),
    ({"objectives": Objectives(cost=-1)}, "bad_weight"),
    ({"max_members": 0}, "bad_max_members"),
])
def test_bad_input_is_named(kwargs, code):
    args = {"stages": [Stage("s")], "cands": [Candidate("x", "s", 5, 1)], "demand": 5}
    args.update(kwargs)
    extra = {k: v for k, v in args.items() if k in ("objectives", "max_members")}
    with pytest.raises(AnalyticsInputError) as err:
        compose(args["stages"], args["cands"], args["demand"], **extra)
    assert err.value.code == code
