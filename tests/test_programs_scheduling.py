"""The plan's arithmetic, without Django: cycles, the critical path and moving tasks (programs.scheduling)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from khooshe.programs import scheduling as s


def test_critical_path_of_a_chain_and_a_side_task():
    # A(0-4) -> B(5-9) -> C(10-11); D(0-2) runs beside and may slip 9 days.
    tasks = {"A": (0, 4), "B": (5, 9), "C": (10, 11), "D": (0, 2)}
    rows = s.critical_path(tasks, [("A", "B", 0), ("B", "C", 0)])
    assert {t for t, r in rows.items() if r.critical} == {"A", "B", "C"}
    assert rows["D"].slack == 9
    assert (rows["C"].early_start, rows["C"].early_finish) == (10, 12)


def test_critical_path_respects_lag_and_planned_start():
    tasks = {"A": (0, 4), "B": (20, 24)}  # B planned later than its link needs: A gets slack
    rows = s.critical_path(tasks, [("A", "B", 2)])
    assert rows["B"].early_start == 20 and rows["B"].critical
    assert rows["A"].slack == 20 - 2 - 5


def test_a_cycle_is_named():
    with pytest.raises(s.CycleError) as exc:
        s.topological_order([1, 2, 3, 4], [(1, 2), (2, 3), (3, 1), (3, 4)])
    cycle = exc.value.cycle
    assert cycle[0] == cycle[-1] and set(cycle) == {1, 2, 3}


def test_find_path():
    assert s.find_path([(1, 2), (2, 3)], 1, 3) == [1, 2, 3]
    assert s.find_path([(1, 2), (2, 3)], 3, 1) is None


def test_move_pushes_successors_and_keeps_durations():
    tasks = {"A": (0, 4, None), "B": (5, 9, None), "C": (10, 19, None), "D": (30, 31, None)}
    links = [("A", "B", 0), ("B", "C", 0), ("A", "D", 0)]
    changes = s.move(tasks, links, "A", 3, 7)
    assert changes == {"A": (3, 7), "B": (8, 12), "C": (13, 22)}  # D had room: it stays


def test_move_earlier_pulls_tight_successors_only():
    tasks = {"A": (10, 14, None), "B": (15, 19, None), "C": (40, 41, None)}
    links = [("A", "B", 0), ("A", "C", 0)]
    changes = s.move(tasks, links, "A", 5, 9)
    assert changes == {"A": (5, 9), "B": (10, 14)}


def test_moving_a_parent_moves_its_children_and_a_pushed_child_widens_its_parent():
    tasks = {"P": (0, 9, None), "c1": (0, 4, "P"), "c2": (5, 9, "P"), "X": (0, 5, None), "Q": (0, 6, None),
             "q1": (0, 6, "Q")}
    changes = s.move(tasks, [("X", "q1", 0)], "P", 10, 19)
    assert changes["c1"] == (10, 14) and changes["c2"] == (15, 19)
    changes = s.move(tasks, [("X", "q1", 0)], "X", 0, 7)
    assert changes["q1"] == (8, 14) and changes["Q"] == (0, 14)


def test_move_refuses_to_leave_children_outside():
    tasks = {"P": (0, 9, None), "c": (0, 9, "P")}
    with pytest.raises(s.ScheduleError):
        s.move(tasks, [], "P", 0, 4)


@st.composite
def plans(draw):
    n = draw(st.integers(2, 12))
    starts = draw(st.lists(st.integers(0, 50), min_size=n, max_size=n))
    durations = draw(st.lists(st.integers(1, 10), min_size=n, max_size=n))
    pairs = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=2 * n))
    links = sorted({(a, b, 0) for a, b in pairs if a < b})  # acyclic: always forwards
    tasks = {i: (starts[i], starts[i] + durations[i] - 1) for i in range(n)}
    return tasks, links


@settings(max_examples=60, deadline=None)
@given(plans(), st.integers(-20, 20))
def test_after_any_move_every_link_is_respected_and_slack_is_never_negative(plan, delta):
    tasks, links = plan
    # first make the plan consistent, then move the first task
    base = {t: (a, b, None) for t, (a, b) in tasks.items()}
    for t in s.topological_order(tasks, links):
        need = max([base[p][1] + 1 + lag for p, ss, lag in links if ss == t], default=None)
        if need is not None and base[t][0] < need:
            d = need - base[t][0]
            base[t] = (base[t][0] + d, base[t][1] + d, None)
    start, end, _ = base[0]
    changes = s.move(base, links, 0, start + delta, end + delta)
    final = {t: changes.get(t, (v[0], v[1])) for t, v in base.items()}
    for p, q, lag in links:
        assert final[q][0] >= final[p][1] + 1 + lag
    for t, (a, b) in final.items():
        assert b - a == base[t][1] - base[t][0]  # durations kept
    rows = s.critical_path({t: v for t, v in final.items()}, links)
    assert all(r.slack >= 0 for r in rows.values())
    assert any(r.critical for r in rows.values())
