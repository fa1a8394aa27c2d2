"""Consortium composition at scale (issue 7): CP-SAT + min-cost flow against a greedy cheapest-first baseline.

A realistic 12-stage pharmaceutical chain (a path: raw materials -> ... -> export) served by N candidate
firms placed around 20 Iranian industrial cities; stages have quality floors, required licences (about
70% of the firms hold a valid one), minimum lots and a maximum share per member; transport costs money
per unit and km.  Demand = 60% of the smallest stage's qualified capacity.

Printed per size: the composer's status, optimality gap (of the CP-SAT model it solved), wall time and
peak memory (tracemalloc, Python allocations; OR-Tools' C++ memory shows in the process's max RSS, also
printed), the greedy baseline's time, and the cost ratio composer / greedy (below 1 = the composer is
cheaper).  Medians over --repeats runs.

    KHOOSHE_DATA_DIR=/tmp/khooshe-bench .venv/bin/python benchmarks/consortium_bench.py
    .venv/bin/python benchmarks/consortium_bench.py --sizes 1000 10000 --repeats 3
"""

from __future__ import annotations

import argparse
import resource
import statistics
import time
import tracemalloc
from datetime import date

import numpy as np

from khooshe.analytics.valuechain import Candidate, Licence, Objectives, Stage, compose, greedy_cheapest

DAY = date(2026, 1, 1)
CITIES = [(35.69, 51.39), (32.65, 51.67), (29.59, 52.58), (38.08, 46.29), (36.30, 59.60), (34.31, 47.06),
          (31.32, 48.67), (36.56, 53.06), (34.64, 50.88), (37.28, 49.58), (30.28, 57.08), (27.18, 56.27),
          (35.31, 46.99), (33.49, 48.36), (36.68, 48.49), (29.49, 60.86), (37.47, 57.33), (32.38, 48.40),
          (34.08, 49.69), (31.90, 54.36)]
STAGES = ["raw materials", "synthesis", "purification", "formulation", "granulation", "tableting",
          "coating", "quality control", "packaging", "warehousing", "distribution", "export"]
LICENSED = {1, 2, 3, 5, 7, 11}


def instance(n_firms: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    stages = []
    for k, name in enumerate(STAGES):
        stages.append(Stage(f"s{k}", name, predecessors=(f"s{k - 1}",) if k else (),
                            licences=("gmp",) if k in LICENSED else (),
                            min_quality=0.6 if k % 3 else 0.7, max_share=0.05, min_lot=20))
    cands = []
    city = rng.integers(0, len(CITIES), n_firms)
    stage = rng.integers(0, len(STAGES), n_firms)
    base_cost = rng.uniform(20, 200, len(STAGES))
    for i in range(n_firms):
        lat, lon = CITIES[city[i]]
        k = int(stage[i])
        cap = int(rng.integers(30, 300))
        small = cap < 150
        lic = ()
        if rng.random() < 0.7:
            lic = (Licence("gmp", valid_until=date(2027, 1, 1) if rng.random() < 0.9 else date(2025, 6, 1)),)
        cands.append(Candidate(
            f"f{i}", f"s{k}", capacity=cap,
            unit_cost=round(float(base_cost[k] * rng.lognormal(0, 0.25) * (1.1 if small else 1.0)), 2),
            lead_time=float(rng.integers(2, 20)), quality=round(float(rng.beta(6, 2)), 3), licences=lic,
            latitude=lat + float(rng.normal(0, 0.3)), longitude=lon + float(rng.normal(0, 0.3)), small=small))
    # demand: 60% of the smallest qualified (share-limited) capacity of a stage
    smap = {s.id: s for s in stages}
    cap = {s.id: 0 for s in stages}
    for c in cands:
        s = smap[c.stage]
        ok = c.quality >= s.min_quality and all(any(lic.kind == k and lic.valid_on(DAY) for lic in c.licences)
                                                for k in s.licences)
        if ok:
            cap[c.stage] += c.capacity
    demand = int(0.6 * min(cap.values()))
    # max share 5% of the demand must stay >= the min lot
    return stages, cands, demand


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(n: int, repeats: int, time_limit: float, workers: int) -> dict:
    stages, cands, demand = instance(n)
    obj = Objectives(cost=1.0, transport_rate=0.05)
    rows = []
    for _ in range(repeats):
        tracemalloc.start()
        t = time.perf_counter()
        greedy = greedy_cheapest(stages, cands, demand, objectives=obj, on=DAY)
        tg = time.perf_counter() - t
        _, gpeak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        tracemalloc.start()
        t = time.perf_counter()
        res = compose(stages, cands, demand, objectives=obj, on=DAY, time_limit=time_limit, workers=workers)
        tc = time.perf_counter() - t
        _, cpeak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        rows.append({"greedy_s": tg, "greedy_mb": gpeak / 2**20, "compose_s": tc, "compose_mb": cpeak / 2**20,
                     "gap": res.gap, "status": res.status, "ratio": res.total_cost / greedy.total_cost,
                     "cost": res.total_cost, "greedy_cost": greedy.total_cost, "members": len(res.members),
                     "considered": res.candidates_considered, "served": res.served})
    med = {k: statistics.median(r[k] for r in rows) for k in rows[0] if isinstance(rows[0][k], float)}
    med.update(status=",".join(sorted({r["status"] for r in rows})), members=rows[0]["members"],
               considered=rows[0]["considered"], demand=demand, served=rows[0]["served"], n=n)
    return med


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--time-limit", type=float, default=120.0)
    ap.add_argument("--workers", type=int, default=0, help="CP-SAT workers (0: one per core, at most 8)")
    args = ap.parse_args()
    print(f"{'firms':>7} {'demand':>8} {'status':>9} {'gap':>8} {'compose s':>10} {'py MB':>7} {'greedy s':>9} "
          f"{'cost/greedy':>11} {'members':>8} {'kept':>7}")
    for n in args.sizes:
        m = run(n, args.repeats if n <= 10000 else 1, args.time_limit, args.workers or None)
        print(f"{n:>7} {m['demand']:>8} {m['status']:>9} {m['gap']:>8.2%} {m['compose_s']:>10.2f} "
              f"{m['compose_mb']:>7.0f} {m['greedy_s']:>9.2f} {m['ratio']:>11.4f} {m['members']:>8} "
              f"{m['considered']:>7}", flush=True)
    print(f"process peak RSS {peak_rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
