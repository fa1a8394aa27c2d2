"""Scheduling of a task plan, in pure Python (no Django): cycles, the critical path and moving a task.

Days are integers (``date.toordinal()``); a task occupies the days ``start .. end`` (both included), so its
duration is ``end - start + 1``. A finish-to-start link ``(p, s, lag)`` means ``start[s] >= end[p] + 1 + lag``.

Critical path method (CPM; Kelley and Walker 1959)::

    ES[t] = max(planned_start[t], max over predecessors p of EF[p] + lag)     EF[t] = ES[t] + d[t]
    LF[t] = min over successors s of LS[s] - lag   (project finish for tasks without successors)
    LS[t] = LF[t] - d[t]                            slack[t] = LS[t] - ES[t]

with ``EF`` exclusive (the day after the last day). The planned start acts as a "start no earlier than"
constraint, as the plan's dates are the CDA's intent. Tasks with zero slack are critical.

>>> r = critical_path({1: (0, 4), 2: (5, 9), 3: (0, 2)}, [(1, 2, 0)])
>>> sorted(t for t, row in r.items() if row.critical)
[1, 2]
>>> r[3].slack
7
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass


class CycleError(ValueError):
    """The links contain a cycle; ``cycle`` lists the task ids around it (first == last)."""

    def __init__(self, cycle: list):
        super().__init__(cycle)
        self.cycle = cycle


class ScheduleError(ValueError):
    """A move cannot be applied (e.g. it would put a child outside the moved parent)."""

    def __init__(self, message: str, task_ids: list):
        super().__init__(message)
        self.task_ids = task_ids


@dataclass(frozen=True)
class CPMRow:
    early_start: int
    early_finish: int  # exclusive
    late_start: int
    late_finish: int  # exclusive
    slack: int

    @property
    def critical(self) -> bool:
        return self.slack == 0


def find_path(links: Iterable[tuple], source, target) -> list | None:
    """A path ``source -> ... -> target`` along the links ``(p, s, ...)``, or None (breadth-first)."""
    succ = defaultdict(list)
    for link in links:
        succ[link[0]].append(link[1])
    previous = {source: None}
    queue = deque([source])
    while queue:
        node = queue.popleft()
        if node == target:
            path = [node]
            while previous[path[-1]] is not None:
                path.append(previous[path[-1]])
            return path[::-1]
        for nxt in succ[node]:
            if nxt not in previous:
                previous[nxt] = node
                queue.append(nxt)
    return None


def topological_order(nodes: Iterable, links: Iterable[tuple]) -> list:
    """Kahn's algorithm; raises CycleError naming one cycle when there is one."""
    nodes = list(nodes)
    succ = defaultdict(list)
    indegree = {n: 0 for n in nodes}
    link_list = list(links)
    for p, s, *_ in link_list:
        succ[p].append(s)
        indegree[s] = indegree.get(s, 0) + 1
        indegree.setdefault(p, 0)
    queue = deque(n for n, d in indegree.items() if d == 0)
    order = []
    while queue:
        n = queue.popleft()
        order.append(n)
        for s in succ[n]:
            indegree[s] -= 1
            if indegree[s] == 0:
                queue.append(s)
    if len(order) < len(indegree):
        remaining = {n for n, d in indegree.items() if d > 0}
        # walk back along predecessors inside the remaining nodes until a node repeats: that is a cycle
        seen, node, path = {}, next(iter(remaining)), []
        pred_in_remaining = defaultdict(list)
        for p, s, *_ in link_list:
            if p in remaining and s in remaining:
                pred_in_remaining[s].append(p)
        while node not in seen:
            seen[node] = len(path)
            path.append(node)
            node = pred_in_remaining[node][0]
        cycle = path[seen[node]:][::-1]
        raise CycleError([*cycle, cycle[0]])
    return order


def critical_path(tasks: Mapping[object, tuple[int, int]], links: Iterable[tuple]) -> dict[object, CPMRow]:
    """CPM over ``tasks`` (id -> (start, end) day numbers) and links ``(pred, succ, lag)``.

    Raises CycleError when the links have a cycle. Links naming unknown tasks are ignored.
    """
    link_list = [(p, s, lag) for p, s, lag in links if p in tasks and s in tasks]
    order = topological_order(tasks.keys(), link_list)
    preds, succs = defaultdict(list), defaultdict(list)
    for p, s, lag in link_list:
        preds[s].append((p, lag))
        succs[p].append((s, lag))
    duration = {t: end - start + 1 for t, (start, end) in tasks.items()}
    es, ef = {}, {}
    for t in order:
        start = tasks[t][0]
        for p, lag in preds[t]:
            start = max(start, ef[p] + lag)
        es[t], ef[t] = start, start + duration[t]
    finish = max(ef.values(), default=0)
    ls, lf = {}, {}
    for t in reversed(order):
        late = finish
        for s, lag in succs[t]:
            late = min(late, ls[s] - lag)
        lf[t], ls[t] = late, late - duration[t]
    return {t: CPMRow(es[t], ef[t], ls[t], lf[t], ls[t] - es[t]) for t in order}


def move(tasks: Mapping[object, tuple[int, int, object]], links: Iterable[tuple], task_id,
         new_start: int, new_end: int) -> dict[object, tuple[int, int]]:
    """The new (start, end) of every task that changes when ``task_id`` is moved to ``new_start..new_end``.

    ``tasks``: id -> (start, end, parent id or None). Rules, applied until nothing changes:

    - the moved task's descendants shift with its start (their durations kept);
    - a successor that would start before its predecessor's end (+1+lag) is pushed later; a successor that
      was tight (started exactly when its links allowed) is pulled earlier with its predecessor, so tight
      chains stay tight and others keep their dates;
    - a task shifted this way takes its descendants along, and an ancestor widens to cover its children.

    Raises ScheduleError when a child of the moved task would fall outside it, CycleError on cyclic links.
    """
    if new_end < new_start:
        raise ScheduleError("end before start", [task_id])
    link_list = [(p, s, lag) for p, s, lag in links if p in tasks and s in tasks]
    topological_order(tasks.keys(), link_list)  # raises on a cycle
    start = {t: v[0] for t, v in tasks.items()}
    end = {t: v[1] for t, v in tasks.items()}
    parent = {t: v[2] for t, v in tasks.items()}
    children = defaultdict(list)
    for t, p in parent.items():
        if p is not None and p in tasks:
            children[p].append(t)
    preds, succs = defaultdict(list), defaultdict(list)
    for p, s, lag in link_list:
        preds[s].append((p, lag))
        succs[p].append((s, lag))
    orig_start, orig_end = dict(start), dict(end)

    def descendants(t):
        stack, out = list(children[t]), []
        while stack:
            c = stack.pop()
            out.append(c)
            stack.extend(children[c])
        return out

    def required_start(t, ends):
        values = [ends[p] + 1 + lag for p, lag in preds[t]]
        return max(values) if values else None

    queue: deque = deque()
    changed: set = set()

    def shift(t, delta):
        for x in [t, *descendants(t)]:
            start[x] += delta
            end[x] += delta
            changed.add(x)
            queue.append(x)

    delta = new_start - start[task_id]
    if delta:
        for x in descendants(task_id):
            start[x] += delta
            end[x] += delta
            changed.add(x)
            queue.append(x)
    start[task_id], end[task_id] = new_start, new_end
    changed.add(task_id)
    queue.append(task_id)
    outside = [c for c in descendants(task_id) if start[c] < new_start or end[c] > new_end]
    if outside:
        raise ScheduleError("children outside the moved task", outside)

    budget = 20 * (len(tasks) + len(link_list)) + 100
    while queue:
        budget -= 1
        if budget < 0:
            raise ScheduleError("the move does not settle", [task_id])
        t = queue.popleft()
        # successors: push when violated, pull when they were tight
        for s, _lag in succs[t]:
            need = required_start(s, end)
            was_tight = orig_start[s] == required_start(s, orig_end)
            if start[s] < need or (was_tight and start[s] > need and s != task_id):
                shift(s, need - start[s])
        # ancestors widen to cover their children
        p = parent[t]
        while p is not None and p in tasks:
            new_s, new_e = min(start[p], start[t]), max(end[p], end[t])
            if (new_s, new_e) == (start[p], end[p]):
                break
            start[p], end[p] = new_s, new_e
            changed.add(p)
            queue.append(p)
            t, p = p, parent[p]
    return {t: (start[t], end[t]) for t in changed if (start[t], end[t]) != (orig_start[t], orig_end[t])}
