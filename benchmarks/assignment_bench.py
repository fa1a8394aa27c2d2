"""Meeting assignment for a matchmaking day (khooshe.analytics.assignment): CP-SAT and min-cost flow
against the greedy baseline, measured in the same run.

A synthetic day: ``--participants`` organizations, of which ``--challenges`` are seekers bringing one
challenge each and the others solvers; a match score per (seeker, solver) from topic vectors (cosine of
random sparse topic profiles, so most pairs are weak and a few strong), some explicit requests with a
bonus, a few declared conflicts; each participant free in about 85 % of the slots; seekers take up to
``--slots`` meetings, solvers up to ``--solver-capacity``; ``--tables`` tables per slot.

Each method runs in a fresh subprocess (so that the peak resident memory, which includes OR-Tools' C++
memory, is the method's own) ``--runs`` times; medians are printed, with the total score, time and peak
memory as ratios to greedy, and CP-SAT's status, bound and gap.

    .venv/bin/python benchmarks/assignment_bench.py                  # 300 participants, 40 challenges,
                                                                     # 12 slots, 30 tables
    .venv/bin/python benchmarks/assignment_bench.py --participants 1000 --challenges 120 --tables 80
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


def make_instance(participants: int, challenges: int, slots: int, tables: int, solver_capacity: int, seed: int):
    import numpy as np

    rng = np.random.default_rng(seed)
    topics = 12
    seekers = challenges
    profiles = rng.random((participants, topics)) ** 4  # sparse-ish: a few strong topics each
    profiles /= np.linalg.norm(profiles, axis=1, keepdims=True)
    similarity = profiles[:seekers] @ profiles[seekers:].T  # (seekers, solvers)
    scores = {}
    for s in range(seekers):
        for j in range(participants - seekers):
            value = float(similarity[s, j])
            if value > 0.3:  # candidates: pairs with some relevance
                scores[(s, seekers + j)] = round(100 * value, 3)
    requested = [(int(s), int(seekers + j)) for s, j in zip(rng.integers(0, seekers, participants // 3),
                                                             rng.integers(0, participants - seekers,
                                                                          participants // 3), strict=True)]
    forbidden = [(int(s), int(seekers + j)) for s, j in zip(rng.integers(0, seekers, participants // 20),
                                                             rng.integers(0, participants - seekers,
                                                                          participants // 20), strict=True)]
    availability = rng.random((participants, slots)) < 0.85
    capacity = [slots] * seekers + [solver_capacity] * (participants - seekers)
    return dict(scores=scores, n_participants=participants, n_slots=slots, tables=tables, capacity=capacity,
                availability=availability, forbidden=forbidden, requested=sorted(set(requested)),
                request_bonus=30.0)


def run_one(args) -> dict:
    """One method on one instance, in this (fresh) process."""
    import resource
    import time

    from khooshe.analytics.assignment import check_schedule, schedule_meetings

    instance = make_instance(args.participants, args.challenges, args.slots, args.tables, args.solver_capacity,
                             args.seed)
    scores = instance.pop("scores")
    requested = instance.pop("requested")
    bonus = instance.pop("request_bonus")
    started = time.perf_counter()
    result = schedule_meetings(scores, method=args.method, requested=requested, request_bonus=bonus,
                               time_limit=args.time_limit, workers=args.workers, **instance)
    seconds = time.perf_counter() - started
    broken = check_schedule(result, **instance)
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"method": result.method, "status": result.status, "objective": result.objective,
            "bound": result.bound, "gap": result.gap, "meetings": len(result.meetings), "seconds": seconds,
            "peak_mib": peak_kib / 1024, "candidates": result.candidates, "broken": len(broken)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--participants", type=int, default=300)
    parser.add_argument("--challenges", type=int, default=40)
    parser.add_argument("--slots", type=int, default=12)
    parser.add_argument("--tables", type=int, default=30)
    parser.add_argument("--solver-capacity", type=int, default=4)
    parser.add_argument("--time-limit", type=float, default=60.0, help="CP-SAT seconds")
    parser.add_argument("--workers", type=int, default=2, help="CP-SAT search workers")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--methods", default="greedy,flow,cp-sat")
    parser.add_argument("--method", help=argparse.SUPPRESS)  # internal: run one method, print JSON
    args = parser.parse_args()
    if args.method:
        print(json.dumps(run_one(args)))
        return
    methods = args.methods.split(",")
    results: dict[str, list[dict]] = {m: [] for m in methods}
    base = [sys.executable, __file__, "--participants", str(args.participants), "--challenges",
            str(args.challenges), "--slots", str(args.slots), "--tables", str(args.tables), "--solver-capacity",
            str(args.solver_capacity), "--time-limit", str(args.time_limit), "--workers", str(args.workers),
            "--seed", str(args.seed)]
    for _ in range(args.runs):
        for method in methods:
            out = subprocess.run([*base, "--method", method], check=True, capture_output=True, text=True)
            results[method].append(json.loads(out.stdout.strip().splitlines()[-1]))
    first = results[methods[0]][0]
    print(f"Meeting assignment: {args.participants} participants ({args.challenges} seekers), {args.slots} slots, "
          f"{args.tables} tables, {first['candidates']} candidate pairs; CP-SAT {args.time_limit:g} s limit, "
          f"{args.workers} workers; medians of {args.runs} runs (each in a fresh process)")

    def med(method, key):
        values = [r[key] for r in results[method] if r[key] is not None]
        return statistics.median(values) if values else None

    baseline = "greedy" if "greedy" in methods else methods[0]
    b_score, b_time, b_mem = med(baseline, "objective"), med(baseline, "seconds"), med(baseline, "peak_mib")
    print(f"{'method':8} {'score':>10} {'x greedy':>9} {'meetings':>9} {'time s':>8} {'x greedy':>9} "
          f"{'peak MiB':>9} {'x greedy':>9} {'status':>10} {'bound':>10} {'gap':>7} broken")
    for method in methods:
        score, seconds, mem = med(method, "objective"), med(method, "seconds"), med(method, "peak_mib")
        bound, gap = med(method, "bound"), med(method, "gap")
        statuses = "/".join(sorted({r["status"] for r in results[method]}))
        print(f"{method:8} {score:10.1f} {score / b_score:9.3f} {med(method, 'meetings'):9.0f} {seconds:8.2f} "
              f"{seconds / b_time:9.1f} {mem:9.0f} {mem / b_mem:9.2f} {statuses:>10} "
              f"{'' if bound is None else f'{bound:10.1f}':>10} {'' if gap is None else f'{gap:7.4f}':>7} "
              f"{max(r['broken'] for r in results[method])}")


if __name__ == "__main__":
    main()
