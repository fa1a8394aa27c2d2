"""Records of the programs app for tests (plain functions, as tests/factories.py)."""

from __future__ import annotations

import datetime as dt

from factories import make_cluster, seq

from khooshe.programs import models as pm
from khooshe.programs import services

START = dt.date(2025, 3, 21)  # 1 Farvardin 1404


def make_program(**kw) -> pm.Program:
    n = seq()
    defaults = {"title_fa": f"برنامه توسعه {n}", "title_en": f"Program {n}", "start_date": START,
                "end_date": START + dt.timedelta(days=365), "status": pm.Program.Status.ACTIVE}
    defaults.update(kw)
    if "cluster" not in kw:
        defaults["cluster"] = make_cluster()
    return pm.Program.objects.create(**defaults)


def make_programs(n: int = 3) -> list[pm.Program]:
    statuses = list(pm.Program.Status.values)
    return [make_program(start_date=START + dt.timedelta(days=10 * i), budget_planned=1000 * (i + 1),
                         status=statuses[i % len(statuses)]) for i in range(n)]


def make_phase(**kw) -> pm.Phase:
    n = seq()
    defaults = {"title_fa": f"مرحله {n}", "title_en": f"Phase {n}", "order": n % 50,
                "start_date": START, "end_date": START + dt.timedelta(days=89)}
    defaults.update(kw)
    if "program" not in kw:
        defaults["program"] = make_program()
    return pm.Phase.objects.create(**defaults)


def make_phases(n: int = 3) -> list[pm.Phase]:
    return [make_phase(order=i + 1, start_date=START + dt.timedelta(days=i)) for i in range(n)]


def make_output(**kw) -> pm.PhaseOutput:
    defaults = {"title": f"خروجی {seq()}"}
    defaults.update(kw)
    if "phase" not in kw:
        defaults["phase"] = make_phase()
    return pm.PhaseOutput.objects.create(**defaults)


def make_outputs(n: int = 3) -> list[pm.PhaseOutput]:
    return [make_output() for _ in range(n)]


def make_task(**kw) -> pm.Task:
    n = seq()
    defaults = {"title_fa": f"فعالیت {n}", "title_en": f"Task {n}", "start_date": START,
                "end_date": START + dt.timedelta(days=9)}
    defaults.update(kw)
    if "program" not in kw:
        defaults["program"] = defaults["parent"].program if defaults.get("parent") else make_program()
    task = pm.Task(**defaults)
    task.full_clean()
    task.save()
    return task


def make_tasks(n: int = 3) -> list[pm.Task]:
    program = make_program(budget_planned=10**9)
    statuses = list(pm.Task.Status.values)
    return [make_task(program=program, start_date=START + dt.timedelta(days=i),
                      end_date=START + dt.timedelta(days=10 + 2 * i), budget_planned=100 * (i + 1),
                      status=statuses[i % len(statuses)], percent_done=(10 * i) % 101) for i in range(n)]


def make_dependency(**kw) -> pm.TaskDependency:
    if "predecessor" not in kw:
        kw["predecessor"] = make_task(program=kw["successor"].program if "successor" in kw else make_program())
    if "successor" not in kw:
        p = kw["predecessor"]
        kw["successor"] = make_task(program=p.program, start_date=p.end_date + dt.timedelta(days=1),
                                    end_date=p.end_date + dt.timedelta(days=5))
    return pm.TaskDependency.objects.create(**kw)


def make_dependencies(n: int = 3) -> list[pm.TaskDependency]:
    return [make_dependency(lag_days=i) for i in range(n)]


def make_actor(**kw) -> pm.Actor:
    defaults = {"name": f"بازیگر {seq()}"}
    defaults.update(kw)
    if "program" not in kw:
        defaults["program"] = make_program()
    return pm.Actor.objects.create(**defaults)


def make_actors(n: int = 3) -> list[pm.Actor]:
    return [make_actor(position=i + 1) for i in range(n)]


def make_cell(**kw) -> pm.MatrixCell:
    if "task" not in kw:
        kw["task"] = make_task()
    if "actor" not in kw:
        kw["actor"] = make_actor(program=kw["task"].program)
    kw.setdefault("role", "R")
    return pm.MatrixCell.objects.create(**kw)


def make_cells(n: int = 3) -> list[pm.MatrixCell]:
    roles = ["R", "C", "I", "A"]
    return [make_cell(role=roles[i % 4]) for i in range(n)]


def make_template(**kw) -> pm.ProgramTemplate:
    n = seq()
    defaults = {"key": f"test-template-{n}", "name_fa": f"الگوی آزمایشی {n}", "name_en": f"Test template {n}",
                "content": {"actors": [{"name": "عامل"}], "phases": [
                    {"title_fa": "گام یک", "duration_days": 30, "expected_outputs": ["گزارش"],
                     "tasks": [{"title_fa": "مطالعه", "duration_days": 10, "roles": {"عامل": "R"}},
                               {"title_fa": "کارگاه", "offset_days": 10, "duration_days": 10,
                                "depends_on": ["1"]}]}]}}
    defaults.update(kw)
    return pm.ProgramTemplate.objects.create(**defaults)


def make_templates(n: int = 3) -> list[pm.ProgramTemplate]:
    return [make_template() for _ in range(n)]


def ministry_template() -> pm.ProgramTemplate:
    return pm.ProgramTemplate.objects.get(key="ministry-four-phases")


def program_from(template_key: str, *, user=None, **kw) -> pm.Program:
    defaults = {"title_fa": "برنامه توسعه خوشه جویشگر", "start_date": START}
    defaults.update(kw)
    if "cluster" not in defaults:
        defaults["cluster"] = make_cluster()
    return services.create_program_from_template(
        user=user, template=pm.ProgramTemplate.objects.get(key=template_key), **defaults)
