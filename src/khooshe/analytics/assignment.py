"""Meeting assignment for matchmaking days (b2match-style one-to-one meetings at tables in time slots).

Given participants ``0 .. n-1``, candidate pairs with a match score, each participant's capacity (at
most ``k`` meetings) and availability per slot, forbidden pairs (conflicts of interest) and a number of
tables per slot, :func:`schedule_meetings` chooses the meetings and places them in slots and at tables:

.. math::

    \\max \\sum_{p, s} w_p\\, x_{p,s} \\quad\\text{s.t.}\\quad
    \\sum_s x_{p,s} \\le 1,\\;
    \\sum_{p \\ni i} x_{p,s} \\le 1,\\;
    \\sum_{p \\ni i,\\, s} x_{p,s} \\le k_i,\\;
    \\sum_p x_{p,s} \\le T_s,\\;
    x_{p,s} = 0 \\text{ when } i \\in p \\text{ is not available in } s

with ``x[p, s]`` = 1 when the pair ``p`` meets in slot ``s``, ``w_p`` its score (plus a bonus when one
side requested the meeting), ``k_i`` the capacity of participant ``i`` and ``T_s`` the tables of slot
``s``. Three methods:

- ``"cp-sat"``: the joint problem above with OR-Tools CP-SAT (exact; reports status, objective, best
  bound and gap within the time limit);
- ``"flow"``: for large instances, the pairs are first chosen by a min-cost flow (a maximum-weight
  b-matching, exact for the pair choice when the candidate graph is bipartite, e.g. challenge owners and
  solvers), then placed in slots greedily, the free places filled greedily from the other pairs, and
  finally CP-SAT re-solves the joint model on a subset (the pairs placed or chosen, then the best others,
  up to 20,000 pair-slot variables) starting from that schedule, within the time limit;
- ``"greedy"``: the baseline: pairs by decreasing score, each into the first slot where both are free.

``"auto"`` takes CP-SAT when the model has at most ``max_cp_sat_variables`` variables, else flow.
This module is pure Python (no Django).
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

METHODS = ("auto", "cp-sat", "flow", "greedy")
SCORE_SCALE = 1_000_000  # largest integer weight given to CP-SAT and min-cost flow


@dataclass(frozen=True)
class Meeting:
    """One meeting: participants ``a`` < ``b`` meet in ``slot`` at ``table`` (both 0-based)."""

    a: int
    b: int
    slot: int
    table: int
    score: float


@dataclass
class Schedule:
    """The result of :func:`schedule_meetings`.

    ``status`` is ``"optimal"`` (proved), ``"feasible"`` (CP-SAT stopped at the time limit) or
    ``"heuristic"`` (flow or greedy: no proof); ``bound`` is an upper bound of the best total score
    (CP-SAT's best bound, or for flow the b-matching optimum, which ignores slots), ``gap`` is
    ``(bound - objective) / bound``.
    """

    meetings: list[Meeting]
    objective: float
    method: str
    status: str
    bound: float | None = None
    gap: float | None = None
    wall_time: float = 0.0
    candidates: int = 0
    notes: list[str] = field(default_factory=list)

    def agenda(self, participant: int) -> list[Meeting]:
        """The meetings of one participant, by slot."""
        return sorted((m for m in self.meetings if participant in (m.a, m.b)), key=lambda m: m.slot)


# -- validation ---------------------------------------------------------------------------------------
def _int(name: str, value, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
    return int(value)


def _per(name: str, value, length: int, what: str) -> list[int]:
    if isinstance(value, int | np.integer) and not isinstance(value, bool):
        return [_int(name, value)] * length
    if isinstance(value, str) or not isinstance(value, Iterable):
        return [_int(name, value)] * length  # raises: not an integer
    values = list(value)
    if len(values) != length:
        raise ValueError(f"{name} must have one value per {what} ({length}), got {len(values)}")
    return [_int(f"{name}[{i}]", v) for i, v in enumerate(values)]


def _pair(name: str, pair, n: int) -> tuple[int, int]:
    try:
        a, b = pair
    except (TypeError, ValueError):
        raise ValueError(f"{name}: a pair must be two participant numbers, got {pair!r}") from None
    for v in (a, b):
        if isinstance(v, bool) or not isinstance(v, int | np.integer) or not 0 <= v < n:
            raise ValueError(f"{name}: participant {v!r} of pair {pair!r} is not in 0..{n - 1}")
    if a == b:
        raise ValueError(f"{name}: pair {pair!r} is a participant with itself")
    return (int(a), int(b)) if a < b else (int(b), int(a))


@dataclass
class _Problem:
    n: int
    n_slots: int
    tables: list[int]
    capacity: list[int]
    available: np.ndarray  # (n, n_slots) bool
    pairs: list[tuple[int, int]]  # a < b
    weights: list[float]
    orientation: list[tuple[int, int]]  # the caller's order (seeker, solver) for the flow

    def common_slots(self, k: int) -> np.ndarray:
        a, b = self.pairs[k]
        return np.flatnonzero(self.available[a] & self.available[b])


def _problem(scores, n_participants, n_slots, tables, capacity, availability, forbidden, requested,
             request_bonus) -> _Problem:
    n = _int("n_participants", n_participants)
    s = _int("n_slots", n_slots, 1)
    tables_ = _per("tables", tables, s, "slot")
    capacity_ = _per("capacity", capacity, n, "participant")
    if availability is None:
        available = np.ones((n, s), dtype=bool)
    else:
        available = np.asarray(availability)
        if available.shape != (n, s):
            raise ValueError(f"availability must have shape (n_participants, n_slots) = {(n, s)}, "
                             f"got {available.shape}")
        if available.dtype != bool:
            if not np.isin(available, (0, 1)).all():
                raise ValueError("availability must hold only True/False (or 1/0)")
            available = available.astype(bool)
    bonus = float(request_bonus)
    if not math.isfinite(bonus) or bonus < 0:
        raise ValueError(f"request_bonus must be a finite number >= 0, got {request_bonus!r}")
    banned = {_pair("forbidden", p, n) for p in forbidden}
    wanted = {_pair("requested", p, n) for p in requested}
    items = scores.items() if isinstance(scores, Mapping) else scores
    seen: dict[tuple[int, int], float] = {}
    orientation: dict[tuple[int, int], tuple[int, int]] = {}
    for item in items:
        try:
            pair, score = item
        except (TypeError, ValueError):
            raise ValueError(f"scores: each entry must be ((a, b), score), got {item!r}") from None
        key = _pair("scores", pair, n)
        try:
            w = float(score)
        except (TypeError, ValueError):
            raise ValueError(f"scores: the score of pair {pair!r} is not a number: {score!r}") from None
        if not math.isfinite(w) or w < 0:
            raise ValueError(f"scores: the score of pair {pair!r} must be a finite number >= 0, got {score!r}")
        if key in seen:
            raise ValueError(f"scores: pair {pair!r} is given twice")
        seen[key] = w
        orientation[key] = (int(pair[0]), int(pair[1]))
    for key in wanted - seen.keys():  # a request between two participants without a computed score
        seen[key] = 0.0
        orientation[key] = key
    pairs, weights, orient = [], [], []
    for key in sorted(seen):
        w = seen[key] + (bonus if key in wanted else 0.0)
        if key in banned or w <= 0 or not (available[key[0]] & available[key[1]]).any():
            continue
        if capacity_[key[0]] == 0 or capacity_[key[1]] == 0:
            continue
        pairs.append(key)
        weights.append(w)
        orient.append(orientation[key])
    return _Problem(n, s, tables_, capacity_, available, pairs, weights, orient)


def _int_weights(weights: Sequence[float]) -> tuple[list[int], float]:
    top = max(weights, default=0.0)
    scale = SCORE_SCALE / top if top > 0 else 1.0
    if not math.isfinite(scale):  # a subnormal top weight: SCORE_SCALE / top overflows, w / top does not
        return [max(1, round(w / top * SCORE_SCALE)) for w in weights], scale
    return [max(1, round(w * scale)) for w in weights], scale


# -- placing chosen pairs ---------------------------------------------------------------------------------
def _greedy(problem: _Problem, order: Iterable[int], busy=None, used=None, load=None) -> dict[int, int]:
    """Place pairs (indexes into problem.pairs) in the given order into the first feasible slot."""
    busy = np.zeros((problem.n, problem.n_slots), dtype=bool) if busy is None else busy
    used = [0] * problem.n_slots if used is None else used
    load = [0] * problem.n if load is None else load
    placed: dict[int, int] = {}
    for k in order:
        a, b = problem.pairs[k]
        if load[a] >= problem.capacity[a] or load[b] >= problem.capacity[b]:
            continue
        for slot in problem.common_slots(k):
            if not busy[a, slot] and not busy[b, slot] and used[slot] < problem.tables[slot]:
                busy[a, slot] = busy[b, slot] = True
                used[slot] += 1
                load[a] += 1
                load[b] += 1
                placed[k] = int(slot)
                break
    return placed


def _state(problem: _Problem, placed: Mapping[int, int]):
    busy = np.zeros((problem.n, problem.n_slots), dtype=bool)
    used = [0] * problem.n_slots
    load = [0] * problem.n
    for k, slot in placed.items():
        a, b = problem.pairs[k]
        busy[a, slot] = busy[b, slot] = True
        used[slot] += 1
        load[a] += 1
        load[b] += 1
    return busy, used, load


def _meetings(problem: _Problem, placed: Mapping[int, int]) -> list[Meeting]:
    by_slot: dict[int, list[int]] = {}
    for k, slot in placed.items():
        by_slot.setdefault(slot, []).append(k)
    meetings = []
    for slot in sorted(by_slot):
        ks = sorted(by_slot[slot], key=lambda k: (-problem.weights[k], problem.pairs[k]))
        for table, k in enumerate(ks):
            a, b = problem.pairs[k]
            meetings.append(Meeting(a, b, slot, table, problem.weights[k]))
    return meetings


# -- the methods ------------------------------------------------------------------------------------------
def _solve_greedy(problem: _Problem) -> tuple[dict[int, int], dict]:
    order = sorted(range(len(problem.pairs)), key=lambda k: (-problem.weights[k], problem.pairs[k]))
    return _greedy(problem, order), {"status": "heuristic"}


def _solve_cp_sat(problem: _Problem, time_limit: float, seed: int, workers: int,
                  hint: Mapping[int, int] | None = None) -> tuple[dict[int, int], dict]:
    from ortools.sat.python import cp_model

    model = cp_model.CpModel()
    weights, scale = _int_weights(problem.weights)
    x: dict[tuple[int, int], object] = {}
    by_person_slot: dict[tuple[int, int], list] = {}
    by_person: dict[int, list] = {}
    by_slot: dict[int, list] = {}
    objective_vars, objective_coeffs = [], []
    for k, (a, b) in enumerate(problem.pairs):
        pair_vars = []
        for slot in problem.common_slots(k).tolist():
            if problem.tables[slot] == 0:
                continue
            var = model.new_bool_var(f"x{k}_{slot}")
            x[k, slot] = var
            pair_vars.append(var)
            by_person_slot.setdefault((a, slot), []).append(var)
            by_person_slot.setdefault((b, slot), []).append(var)
            by_slot.setdefault(slot, []).append(var)
            objective_vars.append(var)
            objective_coeffs.append(weights[k])
        if len(pair_vars) > 1:
            model.add_at_most_one(pair_vars)
        by_person.setdefault(a, []).extend(pair_vars)
        by_person.setdefault(b, []).extend(pair_vars)
    for group in by_person_slot.values():
        if len(group) > 1:
            model.add_at_most_one(group)
    for person, group in by_person.items():
        if len(group) > problem.capacity[person]:
            model.add(cp_model.LinearExpr.sum(group) <= problem.capacity[person])
    for slot, group in by_slot.items():
        if len(group) > problem.tables[slot]:
            model.add(cp_model.LinearExpr.sum(group) <= problem.tables[slot])
    model.maximize(cp_model.LinearExpr.weighted_sum(objective_vars, objective_coeffs))
    if hint:
        for (k, slot), var in x.items():
            model.add_hint(var, hint.get(k) == slot)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = float(time_limit)
    solver.parameters.random_seed = int(seed)
    solver.parameters.num_workers = int(workers)
    if len(x) > 20_000:  # large models: a light presolve leaves the time to the search
        solver.parameters.max_presolve_iterations = 1
        solver.parameters.symmetry_level = 0
    code = solver.solve(model)
    status = {cp_model.OPTIMAL: "optimal", cp_model.FEASIBLE: "feasible"}.get(code)
    if status is None:  # no solution in the time: keep the hint (always feasible) or nothing
        return dict(hint or {}), {"status": "heuristic", "bound": None,
                                   "note": f"CP-SAT found no solution in {time_limit:g} s"}
    placed = {k: slot for (k, slot), var in x.items() if solver.boolean_value(var)}
    return placed, {"status": status, "bound": solver.best_objective_bound / scale, "variables": len(x)}


def _bipartition(problem: _Problem) -> list[tuple[int, int]] | None:
    """(left, right) per pair from a 2-colouring of the candidate graph, or None when not bipartite."""
    neighbours: dict[int, list[int]] = {}
    for a, b in problem.pairs:
        neighbours.setdefault(a, []).append(b)
        neighbours.setdefault(b, []).append(a)
    colour: dict[int, int] = {}
    for start in neighbours:
        if start in colour:
            continue
        colour[start] = 0
        stack = [start]
        while stack:
            node = stack.pop()
            for other in neighbours[node]:
                if other not in colour:
                    colour[other] = 1 - colour[node]
                    stack.append(other)
                elif colour[other] == colour[node]:
                    return None
    # keep the caller's orientation when it is consistent with the colouring
    return [(a, b) if colour[a] == 0 else (b, a) for a, b in problem.pairs]


def _solve_flow(problem: _Problem, time_limit: float = 0.0, seed: int = 0, workers: int = 1) \
        -> tuple[dict[int, int], dict]:
    from ortools.graph.python import min_cost_flow

    notes = []
    sides = _bipartition(problem)
    exact = sides is not None
    if sides is None:
        sides = problem.orientation
        notes.append("the candidate graph is not bipartite: pairs chosen by a flow on the given orientation "
                     "and repaired")
    weights, scale = _int_weights(problem.weights)
    n, m = problem.n, len(problem.pairs)
    cap = [min(problem.capacity[i], int(problem.available[i].sum())) for i in range(n)]
    total_tables = sum(problem.tables)
    source, hub, sink = 2 * n, 2 * n + 1, 2 * n + 2
    flow = min_cost_flow.SimpleMinCostFlow()
    supply = min(sum(cap), total_tables)
    flow.add_arc_with_capacity_and_unit_cost(source, hub, supply, 0)
    flow.add_arc_with_capacity_and_unit_cost(source, sink, supply, 0)  # unused capacity
    for i in range(n):
        if cap[i]:
            flow.add_arc_with_capacity_and_unit_cost(hub, i, cap[i], 0)  # left copy of i
            flow.add_arc_with_capacity_and_unit_cost(n + i, sink, cap[i], 0)  # right copy of i
    arcs = [flow.add_arc_with_capacity_and_unit_cost(left, n + right, 1, -weights[k])
            for k, (left, right) in enumerate(sides)]
    flow.set_node_supply(source, supply)
    flow.set_node_supply(sink, -supply)
    if flow.solve() != flow.OPTIMAL:  # cannot happen with the bypass arc; keep the greedy answer
        return _solve_greedy(problem)[0], {"status": "heuristic", "bound": None,
                                            "note": "the min-cost flow failed; greedy used"}
    chosen = [k for k in range(m) if flow.flow(arcs[k]) > 0]
    bound = -flow.optimal_cost() / scale if exact else None
    if not exact:  # a participant on both sides may exceed its capacity: drop its weakest pairs
        load = [0] * n
        kept = []
        for k in sorted(chosen, key=lambda k: -problem.weights[k]):
            a, b = problem.pairs[k]
            if load[a] < cap[a] and load[b] < cap[b]:
                load[a] += 1
                load[b] += 1
                kept.append(k)
        chosen = kept
    # place the chosen pairs: the most constrained (fewest common slots) first, then by score
    order = sorted(chosen, key=lambda k: (len(problem.common_slots(k)), -problem.weights[k], problem.pairs[k]))
    placed = _greedy(problem, order)
    if len(placed) < len(chosen):
        notes.append(f"{len(chosen) - len(placed)} chosen pair(s) did not fit in the slots")
    # fill what is left (free slots, free capacity) from all the other pairs, best first
    busy, used, load = _state(problem, placed)
    rest = sorted((k for k in range(m) if k not in placed), key=lambda k: (-problem.weights[k], problem.pairs[k]))
    placed.update(_greedy(problem, rest, busy, used, load))
    greedy, _ = _solve_greedy(problem)  # cheap: start from the better of the two
    if sum(problem.weights[k] for k in greedy) > sum(problem.weights[k] for k in placed):
        notes.append("the greedy schedule was better than the flow's choice and was kept as the start")
        placed = greedy
    if time_limit > 0 and placed:
        placed = _improve_with_cp_sat(problem, placed, chosen, time_limit, seed, workers, notes)
    return placed, {"status": "heuristic", "bound": bound, "notes": notes}


def _improve_with_cp_sat(problem: _Problem, placed: dict[int, int], chosen: list[int], time_limit: float,
                         seed: int, workers: int, notes: list[str], budget: int = 20_000) -> dict[int, int]:
    """Re-solve the joint model on a subset of the pairs (those placed or chosen by the flow, then the best
    others, up to ``budget`` pair-slot variables), starting from the current placement; keep the better."""
    keep = list(dict.fromkeys([*placed, *chosen]))
    size = sum(len(problem.common_slots(k)) for k in keep)
    kept = set(keep)
    for k in sorted(range(len(problem.pairs)), key=lambda k: -problem.weights[k]):
        if size >= budget:
            break
        if k not in kept:
            keep.append(k)
            kept.add(k)
            size += len(problem.common_slots(k))
    sub = _Problem(problem.n, problem.n_slots, problem.tables, problem.capacity, problem.available,
                   [problem.pairs[k] for k in keep], [problem.weights[k] for k in keep],
                   [problem.orientation[k] for k in keep])
    position = {k: i for i, k in enumerate(keep)}
    hint = {position[k]: slot for k, slot in placed.items()}
    sub_placed, info = _solve_cp_sat(sub, time_limit, seed, workers, hint=hint)
    before = sum(problem.weights[k] for k in placed)
    after = sum(sub.weights[i] for i in sub_placed)
    if after > before + 1e-9:
        notes.append(f"CP-SAT on {len(keep)} pairs improved the flow schedule by {after - before:.3f}")
        return {keep[i]: slot for i, slot in sub_placed.items()}
    return placed


def schedule_meetings(scores: Mapping[tuple[int, int], float] | Iterable[tuple[tuple[int, int], float]], *,
                      n_participants: int, n_slots: int, tables: int | Sequence[int],
                      capacity: int | Sequence[int], availability=None,
                      forbidden: Iterable[tuple[int, int]] = (), requested: Iterable[tuple[int, int]] = (),
                      request_bonus: float = 0.0, method: str = "auto", time_limit: float = 10.0,
                      max_cp_sat_variables: int = 20_000, seed: int = 0, workers: int = 1) -> Schedule:
    """Choose one-to-one meetings and place them in slots and at tables, maximising the total score.

    Parameters
    ----------
    scores : mapping {(a, b): score} or iterable of ((a, b), score)
        Candidate pairs of participant numbers (``0 <= a, b < n_participants``, ``a != b``; each
        unordered pair once) with a score ``>= 0``; pairs scored 0 (without request) are never proposed.
        The order ``(a, b)`` is kept as a hint of the sides (seeker, solver) for the flow method.
    n_participants, n_slots : int
        Number of participants and of time slots (at least 1).
    tables : int or sequence of int
        Tables (meetings at the same time) per slot: one number for all slots or one per slot.
    capacity : int or sequence of int
        The most meetings a participant takes: one number for all or one per participant.
    availability : array of bool, shape (n_participants, n_slots), optional
        ``availability[i, s]`` is False when participant ``i`` cannot meet in slot ``s``; default all True.
    forbidden : iterable of (a, b)
        Pairs that must not meet (conflicts of interest), in either order.
    requested : iterable of (a, b)
        Pairs where one side asked for the meeting: ``request_bonus`` is added to their score (a request
        between two participants without a score is a candidate with the bonus alone).
    method : {"auto", "cp-sat", "flow", "greedy"}
        See the module's description; ``"auto"`` is CP-SAT up to ``max_cp_sat_variables`` pair-slot
        variables, else flow.
    time_limit : float
        Seconds CP-SAT may search (the best schedule found is returned with its bound and gap); for
        ``"flow"``, the time of the final CP-SAT improvement.
    seed, workers : int
        CP-SAT's random seed and number of search workers (1 is deterministic).

    Returns
    -------
    Schedule
        The meetings (``a < b``, slot, table, score), the total score (``objective``), the method, the
        status, bound and gap, the wall time and the number of candidate pairs.

    Raises
    ------
    ValueError
        Naming the bad value: an unknown method, a participant number out of range, a pair given twice, a
        negative or non-numeric score, a capacity or table count that is not an integer >= 0, an
        availability of the wrong shape.

    Examples
    --------
    Three solvers (1, 2, 3) for one seeker (0) with one table: the two best meet 0, one after the other.

    >>> s = schedule_meetings({(0, 1): 5, (0, 2): 3, (0, 3): 4}, n_participants=4, n_slots=2, tables=1,
    ...                       capacity=2)
    >>> sorted((m.a, m.b) for m in s.meetings), s.objective, s.status
    ([(0, 1), (0, 3)], 9.0, 'optimal')

    Participant 1 is not available in slot 0; a conflict forbids pair (0, 3):

    >>> s = schedule_meetings({(0, 1): 5, (0, 2): 3, (0, 3): 4}, n_participants=4, n_slots=2, tables=1,
    ...                       capacity=2, availability=[[1, 1], [0, 1], [1, 1], [1, 1]], forbidden=[(3, 0)])
    >>> [(m.a, m.b, m.slot) for m in s.meetings]
    [(0, 2, 0), (0, 1, 1)]
    >>> schedule_meetings({(0, 4): 1}, n_participants=4, n_slots=1, tables=1, capacity=1)
    Traceback (most recent call last):
    ...
    ValueError: scores: participant 4 of pair (0, 4) is not in 0..3
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}, got {method!r}")
    if not (isinstance(time_limit, int | float) and time_limit > 0):
        raise ValueError(f"time_limit must be a positive number of seconds, got {time_limit!r}")
    started = time.perf_counter()
    problem = _problem(scores, n_participants, n_slots, tables, capacity, availability, forbidden, requested,
                       request_bonus)
    info: dict = {}
    if method == "auto":
        size = sum(len(problem.common_slots(k)) for k in range(len(problem.pairs)))
        method = "cp-sat" if size <= max_cp_sat_variables else "flow"
    if not problem.pairs:
        placed, info = {}, {"status": "optimal", "bound": 0.0}
    elif method == "greedy":
        placed, info = _solve_greedy(problem)
    elif method == "flow":
        placed, info = _solve_flow(problem, time_limit, seed, workers)
    else:
        hint, _ = _solve_greedy(problem)
        placed, info = _solve_cp_sat(problem, time_limit, seed, workers, hint=hint)
    meetings = _meetings(problem, placed)
    objective = float(sum(m.score for m in meetings))
    bound = info.get("bound")
    if bound is not None:
        bound = max(bound, objective)
    gap = None if bound is None else (0.0 if bound <= 0 else max(0.0, (bound - objective) / bound))
    notes = list(info.get("notes", [])) + ([info["note"]] if info.get("note") else [])
    return Schedule(meetings=meetings, objective=objective, method=method, status=info["status"], bound=bound,
                    gap=gap, wall_time=time.perf_counter() - started, candidates=len(problem.pairs), notes=notes)


def check_schedule(schedule: Schedule, *, n_participants: int, n_slots: int, tables: int | Sequence[int],
                   capacity: int | Sequence[int], availability=None,
                   forbidden: Iterable[tuple[int, int]] = ()) -> list[str]:
    """The constraints a schedule breaks, as sentences (empty when it keeps them all).

    >>> s = Schedule([Meeting(0, 1, 0, 0, 1.0), Meeting(0, 2, 0, 1, 1.0)], 2.0, "greedy", "heuristic")
    >>> check_schedule(s, n_participants=3, n_slots=1, tables=2, capacity=2)
    ['participant 0 has 2 meetings in slot 0']
    """
    tables_ = _per("tables", tables, n_slots, "slot")
    capacity_ = _per("capacity", capacity, n_participants, "participant")
    available = np.ones((n_participants, n_slots), dtype=bool) if availability is None else \
        np.asarray(availability, dtype=bool)
    banned = {_pair("forbidden", p, n_participants) for p in forbidden}
    problems = []
    seen_pairs, seats = set(), set()
    per_slot = [0] * n_slots
    per_person = [0] * n_participants
    at: dict[tuple[int, int], int] = {}
    for m in schedule.meetings:
        pair = (min(m.a, m.b), max(m.a, m.b))
        if pair in seen_pairs:
            problems.append(f"pair {pair} meets twice")
        seen_pairs.add(pair)
        if pair in banned:
            problems.append(f"pair {pair} is forbidden")
        if (m.slot, m.table) in seats:
            problems.append(f"table {m.table} of slot {m.slot} has two meetings")
        seats.add((m.slot, m.table))
        if not 0 <= m.table < tables_[m.slot]:
            problems.append(f"table {m.table} does not exist in slot {m.slot}")
        per_slot[m.slot] += 1
        for p in pair:
            per_person[p] += 1
            at[p, m.slot] = at.get((p, m.slot), 0) + 1
            if not available[p, m.slot]:
                problems.append(f"participant {p} is not available in slot {m.slot}")
    for (p, slot), count in sorted(at.items()):
        if count > 1:
            problems.append(f"participant {p} has {count} meetings in slot {slot}")
    for p, count in enumerate(per_person):
        if count > capacity_[p]:
            problems.append(f"participant {p} has {count} meetings, more than its capacity {capacity_[p]}")
    for slot, count in enumerate(per_slot):
        if count > tables_[slot]:
            problems.append(f"slot {slot} has {count} meetings for {tables_[slot]} tables")
    return problems
