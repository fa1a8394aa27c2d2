"""Meeting assignment (khooshe.analytics.assignment): CP-SAT is optimal against brute force on small
instances; no method ever breaks a constraint (property test); bad input gets an error naming it."""

from __future__ import annotations

import itertools
import random

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from khooshe.analytics.assignment import Meeting, Schedule, check_schedule, schedule_meetings


def brute_force(scores, n, n_slots, tables, capacity, availability, forbidden=(), requested=(), bonus=0.0):
    """The best total score by trying every (pair -> no meeting or a slot) assignment."""
    banned = {tuple(sorted(p)) for p in forbidden}
    wanted = {tuple(sorted(p)) for p in requested}
    pairs = [(tuple(sorted(p)), w + (bonus if tuple(sorted(p)) in wanted else 0)) for p, w in scores.items()
             if tuple(sorted(p)) not in banned]
    best = 0.0
    for choice in itertools.product(range(-1, n_slots), repeat=len(pairs)):
        per_slot = [0] * n_slots
        load = [0] * n
        busy = set()
        total = 0.0
        ok = True
        for (pair, w), slot in zip(pairs, choice, strict=True):
            if slot < 0:
                continue
            per_slot[slot] += 1
            for p in pair:
                load[p] += 1
                if (p, slot) in busy or not availability[p][slot]:
                    ok = False
                busy.add((p, slot))
            total += w
        if not ok or any(c > t for c, t in zip(per_slot, tables, strict=True)) or any(
                load[i] > capacity[i] for i in range(n)):
            continue
        best = max(best, total)
    return best


def random_instance(rng: random.Random, n: int, n_slots: int, n_pairs: int):
    all_pairs = [(a, b) for a in range(n) for b in range(a + 1, n)]
    chosen = rng.sample(all_pairs, min(n_pairs, len(all_pairs)))
    scores = {(b, a) if rng.random() < 0.5 else (a, b): rng.randint(1, 9) for a, b in chosen}
    tables = [rng.randint(0, 2) for _ in range(n_slots)]
    capacity = [rng.randint(0, n_slots) for _ in range(n)]
    availability = [[rng.random() < 0.75 for _ in range(n_slots)] for _ in range(n)]
    forbidden = rng.sample(all_pairs, 1) if rng.random() < 0.5 else []
    return scores, tables, capacity, availability, forbidden


@pytest.mark.parametrize("seed", range(12))
def test_cp_sat_is_optimal_against_brute_force(seed):
    rng = random.Random(seed)
    n, n_slots = rng.randint(3, 5), rng.randint(1, 3)
    scores, tables, capacity, availability, forbidden = random_instance(rng, n, n_slots, rng.randint(2, 6))
    requested = [next(iter(scores))] if scores else []
    result = schedule_meetings(scores, n_participants=n, n_slots=n_slots, tables=tables, capacity=capacity,
                               availability=availability, forbidden=forbidden, requested=requested,
                               request_bonus=2.5, method="cp-sat")
    expected = brute_force(scores, n, n_slots, tables, capacity, availability, forbidden, requested, 2.5)
    assert result.status == "optimal"
    assert result.objective == pytest.approx(expected)
    assert result.gap == pytest.approx(0.0, abs=1e-6)
    assert check_schedule(result, n_participants=n, n_slots=n_slots, tables=tables, capacity=capacity,
                          availability=availability, forbidden=forbidden) == []


def test_greedy_can_be_beaten_and_cp_sat_finds_the_better_schedule():
    # Greedy takes the best pair (0, 1) first; then 0 and 1 are busy in the only slot, losing 4 + 4.
    scores = {(0, 1): 5, (0, 2): 4, (1, 3): 4}
    kwargs = dict(n_participants=4, n_slots=1, tables=2, capacity=1)
    greedy = schedule_meetings(scores, method="greedy", **kwargs)
    best = schedule_meetings(scores, method="cp-sat", **kwargs)
    assert greedy.objective == 5
    assert best.objective == 8
    assert sorted((m.a, m.b) for m in best.meetings) == [(0, 2), (1, 3)]


def test_flow_chooses_the_best_bipartite_b_matching():
    # Seekers 0, 1; solvers 2, 3, 4; capacities 2; enough slots and tables: the flow's choice is optimal.
    scores = {(0, 2): 9, (0, 3): 8, (0, 4): 1, (1, 2): 7, (1, 3): 2, (1, 4): 6}
    kwargs = dict(n_participants=5, n_slots=4, tables=3, capacity=2)
    flow = schedule_meetings(scores, method="flow", **kwargs)
    exact = schedule_meetings(scores, method="cp-sat", **kwargs)
    assert flow.objective == exact.objective == 30
    assert flow.bound == pytest.approx(30)
    assert flow.gap == pytest.approx(0.0, abs=1e-5)


def test_tables_are_numbered_per_slot_best_meeting_first():
    scores = {(0, 1): 1, (2, 3): 3, (4, 5): 2}
    result = schedule_meetings(scores, n_participants=6, n_slots=1, tables=3, capacity=1)
    assert [(m.a, m.b, m.table) for m in result.meetings] == [(2, 3, 0), (4, 5, 1), (0, 1, 2)]
    assert result.agenda(4) == [result.meetings[1]]


def test_requested_pair_without_score_is_a_candidate():
    result = schedule_meetings({}, n_participants=2, n_slots=1, tables=1, capacity=1, requested=[(1, 0)],
                               request_bonus=1.0)
    assert [(m.a, m.b) for m in result.meetings] == [(0, 1)]


def test_empty_problem_is_an_empty_optimal_schedule():
    result = schedule_meetings({}, n_participants=0, n_slots=1, tables=1, capacity=1)
    assert result.meetings == [] and result.objective == 0 and result.status == "optimal"


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"n_slots": 0}, "n_slots must be at least 1, got 0"),
    ({"tables": -1}, "tables must be at least 0, got -1"),
    ({"tables": [1, 1]}, "tables must have one value per slot (3), got 2"),
    ({"capacity": [1, 1]}, "capacity must have one value per participant (3), got 2"),
    ({"capacity": 1.5}, "capacity must be an integer, got 1.5"),
    ({"method": "magic"}, "method must be one of auto, cp-sat, flow, greedy, got 'magic'"),
    ({"scores": {(0, 0): 1}}, "scores: pair (0, 0) is a participant with itself"),
    ({"scores": {(0, 1): 1, (1, 0): 2}}, "scores: pair (1, 0) is given twice"),
    ({"scores": {(0, 1): -1}}, "scores: the score of pair (0, 1) must be a finite number >= 0, got -1"),
    ({"scores": {(0, 1): float("nan")}}, "the score of pair (0, 1) must be a finite number"),
    ({"scores": {(0, 1): "high"}}, "scores: the score of pair (0, 1) is not a number: 'high'"),
    ({"forbidden": [(0, 7)]}, "forbidden: participant 7 of pair (0, 7) is not in 0..2"),
    ({"availability": [[True] * 3] * 2}, "availability must have shape (n_participants, n_slots) = (3, 3), got (2, 3)"),
    ({"availability": [[2, 0, 1]] * 3}, "availability must hold only True/False"),
    ({"time_limit": 0}, "time_limit must be a positive number of seconds, got 0"),
    ({"request_bonus": -1}, "request_bonus must be a finite number >= 0, got -1"),
])
def test_bad_input_names_the_value(kwargs, message):
    args = dict(scores={(0, 1): 1.0}, n_participants=3, n_slots=3, tables=1, capacity=1)
    args.update(kwargs)
    scores = args.pop("scores")
    with pytest.raises(ValueError) as info:
        schedule_meetings(scores, **args)
    assert message in str(info.value)


def test_check_schedule_finds_every_broken_rule():
    bad = Schedule([Meeting(0, 1, 0, 0, 1), Meeting(0, 1, 1, 0, 1), Meeting(1, 2, 1, 1, 1)], 3, "x", "heuristic")
    problems = check_schedule(bad, n_participants=3, n_slots=2, tables=1, capacity=1,
                              availability=[[1, 1], [1, 0], [1, 1]], forbidden=[(2, 1)])
    assert "pair (0, 1) meets twice" in problems
    assert "pair (1, 2) is forbidden" in problems
    assert "table 1 does not exist in slot 1" in problems
    assert "participant 1 is not available in slot 1" in problems
    assert "participant 1 has 2 meetings in slot 1" in problems
    assert "participant 1 has 3 meetings, more than its capacity 1" in problems
    assert "slot 1 has 2 meetings for 1 tables" in problems


@st.composite
def instances(draw):
    n = draw(st.integers(2, 12))
    n_slots = draw(st.integers(1, 5))
    pairs = [(a, b) for a in range(n) for b in range(a + 1, n)]
    chosen = draw(st.lists(st.sampled_from(pairs), unique=True, max_size=25))
    scores = {p: draw(st.floats(0, 100, allow_nan=False)) for p in chosen}
    tables = draw(st.lists(st.integers(0, 4), min_size=n_slots, max_size=n_slots))
    capacity = draw(st.lists(st.integers(0, 5), min_size=n, max_size=n))
    availability = draw(st.lists(st.lists(st.booleans(), min_size=n_slots, max_size=n_slots), min_size=n,
                                 max_size=n))
    forbidden = draw(st.lists(st.sampled_from(pairs), max_size=4))
    requested = draw(st.lists(st.sampled_from(pairs), max_size=4))
    return dict(scores=scores, n_participants=n, n_slots=n_slots, tables=tables, capacity=capacity,
                availability=availability, forbidden=forbidden, requested=requested)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances(), st.sampled_from(["cp-sat", "flow", "greedy"]))
def test_no_method_ever_breaks_a_constraint(instance, method):
    scores = instance.pop("scores")
    requested = instance.pop("requested")
    result = schedule_meetings(scores, method=method, requested=requested, request_bonus=1.0, time_limit=5,
                               **instance)
    assert check_schedule(result, **instance) == []
    assert result.objective == pytest.approx(sum(m.score for m in result.meetings))
    banned = {tuple(sorted(p)) for p in instance["forbidden"]}
    assert all((m.a, m.b) not in banned for m in result.meetings)
    if result.bound is not None:
        assert result.objective <= result.bound + 1e-6


def test_large_instance_uses_flow_and_keeps_the_rules():
    rng = np.random.default_rng(3)
    n_seekers, n_solvers, n_slots = 30, 150, 8
    n = n_seekers + n_solvers
    scores = {(s, n_seekers + j): float(rng.random()) for s in range(n_seekers) for j in range(n_solvers)
              if rng.random() < 0.3}
    availability = rng.random((n, n_slots)) < 0.9
    result = schedule_meetings(scores, n_participants=n, n_slots=n_slots, tables=20, capacity=4,
                               availability=availability, max_cp_sat_variables=1000)
    assert result.method == "flow"
    assert check_schedule(result, n_participants=n, n_slots=n_slots, tables=20, capacity=4,
                          availability=availability) == []
    greedy = schedule_meetings(scores, n_participants=n, n_slots=n_slots, tables=20, capacity=4,
                               availability=availability, method="greedy")
    assert result.objective >= greedy.objective
    assert result.bound is not None and result.objective <= result.bound + 1e-6
