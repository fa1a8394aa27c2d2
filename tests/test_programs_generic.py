"""The web UI and REST API of the programs models, from the generic mixins (tests/mixins.py)."""

from __future__ import annotations

import datetime as dt

from factories import make_cluster
from mixins import APITestCases, ViewTestCases
from programs_factories import (
    START,
    make_actor,
    make_actors,
    make_cells,
    make_dependencies,
    make_output,
    make_outputs,
    make_phase,
    make_phases,
    make_program,
    make_programs,
    make_task,
    make_tasks,
    make_templates,
)

from khooshe.programs import models as pm
from khooshe.registry.models import Visibility


def _private_program():
    return make_program(cluster=make_cluster(visibility=Visibility.PRIVATE))


class ProgramCase:
    model = pm.Program
    bulk_objects = make_programs

    def search_term(self, obj):
        return obj.title_fa

    def filter_cases(self, objects):
        return [({"cluster": objects[0].cluster_id}, [objects[0]]),
                ({"status": objects[1].status, "cluster": objects[1].cluster_id}, [objects[1]])]

    def make_private(self):
        return _private_program()


class TestProgramViews(ProgramCase, ViewTestCases.PrimaryObjectViewTestCase):
    def create_data(self):
        return {"cluster": make_cluster().pk, "title_fa": "برنامه نو", "start_date": "1404/01/01",
                "end_date": "1405/01/01", "budget_planned": "1000000", "currency": "IRR", "status": "draft"}

    edit_data = {"title_fa": "برنامه ویرایش شده"}

    def invalid_data(self):
        return ({"cluster": make_cluster().pk, "title_fa": "x", "start_date": "1404/02/01", "end_date": "1404/01/01",
                 "currency": "IRR", "status": "draft"}, "end_date")


class TestProgramAPI(ProgramCase, APITestCases.StandardAPITestCase):
    def api_create_data(self):
        return {"cluster": make_cluster().pk, "title_fa": "از راه API", "start_date": "2025-03-21",
                "currency": "IRR", "status": "draft"}

    api_update_data = {"title_fa": "Patched"}

    def api_invalid_data(self):
        return ({"cluster": make_cluster().pk, "title_fa": "x", "start_date": "2025-03-21", "currency": "RIALS"},
                "currency")


class PhaseCase:
    model = pm.Phase
    bulk_objects = make_phases

    def search_term(self, obj):
        return obj.title_fa

    def filter_cases(self, objects):
        return [({"program": objects[0].program_id}, [objects[0]])]

    def make_private(self):
        return make_phase(program=_private_program())


class TestPhaseViews(PhaseCase, ViewTestCases.PrimaryObjectViewTestCase):
    def create_data(self):
        return {"program": make_program().pk, "order": "1", "title_fa": "مرحله نو", "start_date": "1404/01/01",
                "end_date": "1404/03/31"}

    edit_data = {"title_fa": "مرحله ویرایش شده"}

    def invalid_data(self):
        return ({"program": make_program().pk, "order": "1", "title_fa": "x", "start_date": "1404/03/01",
                 "end_date": "1404/01/01"}, "end_date")


class TestPhaseAPI(PhaseCase, APITestCases.StandardAPITestCase):
    def api_create_data(self):
        return {"program": make_program().pk, "order": 1, "title_fa": "از راه API"}

    api_update_data = {"title_fa": "Patched"}

    def api_invalid_data(self):
        return ({"program": make_program().pk, "title_fa": "x", "start_date": "2025-05-01",
                 "end_date": "2025-04-01"}, "end_date")


class OutputCase:
    model = pm.PhaseOutput
    bulk_objects = make_outputs

    def search_term(self, obj):
        return obj.title

    def filter_cases(self, objects):
        return [({"phase": objects[0].phase_id}, [objects[0]])]

    def make_private(self):
        return make_output(phase=make_phase(program=_private_program()))


class TestOutputViews(OutputCase, ViewTestCases.PrimaryObjectViewTestCase):
    def create_data(self):
        return {"phase": make_phase().pk, "title": "گزارش مطالعه"}

    edit_data = {"title": "گزارش نهایی"}

    def invalid_data(self):
        return ({"phase": "", "title": "x"}, "phase")


class TestOutputAPI(OutputCase, APITestCases.StandardAPITestCase):
    def api_create_data(self):
        return {"phase": make_phase().pk, "title": "از راه API"}

    api_update_data = {"title": "Patched"}

    def api_invalid_data(self):
        return ({"phase": 987654321, "title": "x"}, "phase")


class TaskCase:
    model = pm.Task
    bulk_objects = make_tasks

    def search_term(self, obj):
        return obj.title_fa

    def filter_cases(self, objects):
        return [({"status": objects[1].status, "program": objects[1].program_id}, [objects[1]])]

    def make_private(self):
        return make_task(program=_private_program())


class TestTaskViews(TaskCase, ViewTestCases.PrimaryObjectViewTestCase):
    def create_data(self):
        return {"program": make_program().pk, "title_fa": "فعالیت نو", "start_date": "1404/01/01",
                "end_date": "1404/01/10", "status": "not_started", "percent_done": "0", "mechanism": "workshop"}

    edit_data = {"title_fa": "فعالیت ویرایش شده"}

    def invalid_data(self):
        parent = make_task(start_date=START, end_date=START + dt.timedelta(days=9))
        return ({"program": parent.program_id, "parent": parent.pk, "title_fa": "x", "start_date": "1404/01/01",
                 "end_date": "1404/02/10", "status": "not_started", "percent_done": "0"}, "end_date")


class TestTaskAPI(TaskCase, APITestCases.StandardAPITestCase):
    def api_create_data(self):
        return {"program": make_program().pk, "title_fa": "از راه API", "start_date": "2025-03-21",
                "end_date": "2025-03-30"}

    api_update_data = {"title_fa": "Patched"}

    def api_invalid_data(self):
        program = make_program(budget_planned=100)
        return ({"program": program.pk, "title_fa": "x", "start_date": "2025-03-21", "end_date": "2025-03-30",
                 "budget_planned": 500}, "budget_planned")


class DependencyCase:
    model = pm.TaskDependency
    bulk_objects = make_dependencies

    def search_term(self, obj):
        return ""

    def filter_cases(self, objects):
        return [({"successor": objects[0].successor_id}, [objects[0]])]


def _two_tasks():
    a = make_task()
    b = make_task(program=a.program, start_date=a.end_date + dt.timedelta(days=1),
                  end_date=a.end_date + dt.timedelta(days=3))
    return a, b


class TestDependencyViews(DependencyCase, ViewTestCases.PrimaryObjectViewTestCase):
    def create_data(self):
        a, b = _two_tasks()
        return {"predecessor": a.pk, "successor": b.pk, "lag_days": "0"}

    edit_data = {"lag_days": "2"}

    def invalid_data(self):
        a, b = _two_tasks()
        pm.TaskDependency.objects.create(predecessor=a, successor=b)
        return ({"predecessor": b.pk, "successor": a.pk, "lag_days": "0"}, "predecessor")


class TestDependencyAPI(DependencyCase, APITestCases.StandardAPITestCase):
    def api_create_data(self):
        a, b = _two_tasks()
        return {"predecessor": a.pk, "successor": b.pk, "lag_days": 0}

    api_update_data = {"lag_days": 3}

    def api_invalid_data(self):
        a, b = _two_tasks()
        pm.TaskDependency.objects.create(predecessor=a, successor=b)
        return ({"predecessor": b.pk, "successor": a.pk}, "predecessor")


class ActorCase:
    model = pm.Actor
    bulk_objects = make_actors

    def search_term(self, obj):
        return obj.name

    def filter_cases(self, objects):
        return [({"program": objects[0].program_id}, [objects[0]])]

    def make_private(self):
        return make_actor(program=_private_program())


class TestActorViews(ActorCase, ViewTestCases.PrimaryObjectViewTestCase):
    def create_data(self):
        return {"program": make_program().pk, "position": "1", "name": "عامل توسعه خوشه"}

    edit_data = {"name": "دبیرخانه خوشه"}

    def invalid_data(self):
        return ({"program": make_program().pk, "position": "1", "name": ""}, "name")


class TestActorAPI(ActorCase, APITestCases.StandardAPITestCase):
    def api_create_data(self):
        return {"program": make_program().pk, "name": "از راه API"}

    api_update_data = {"name": "Patched"}

    def api_invalid_data(self):
        return ({"program": make_program().pk, "name": ""}, "name")


class CellCase:
    model = pm.MatrixCell
    bulk_objects = make_cells

    def search_term(self, obj):
        return ""

    def filter_cases(self, objects):
        return [({"task": objects[0].task_id}, [objects[0]]), ({"role": "C", "actor": objects[1].actor_id}, [objects[1]])]


def _task_and_actor():
    task = make_task()
    return task, make_actor(program=task.program)


class TestCellViews(CellCase, ViewTestCases.PrimaryObjectViewTestCase):
    def create_data(self):
        task, actor = _task_and_actor()
        return {"task": task.pk, "actor": actor.pk, "role": "R"}

    edit_data = {"role": "C"}

    def invalid_data(self):
        task = make_task()
        return ({"task": task.pk, "actor": make_actor().pk, "role": "R"}, "actor")


class TestCellAPI(CellCase, APITestCases.StandardAPITestCase):
    def api_create_data(self):
        task, actor = _task_and_actor()
        return {"task": task.pk, "actor": actor.pk, "role": "A"}

    api_update_data = {"role": "I"}

    def api_invalid_data(self):
        task, actor = _task_and_actor()
        return ({"task": task.pk, "actor": actor.pk, "role": "X"}, "role")


class TemplateCase:
    model = pm.ProgramTemplate
    bulk_objects = make_templates

    def search_term(self, obj):
        return obj.name_fa


class TestTemplateViews(TemplateCase, ViewTestCases.PrimaryObjectViewTestCase):
    create_data = {"key": "my-template", "name_fa": "الگوی من"}
    edit_data = {"name_fa": "الگوی ویرایش شده"}
    invalid_data = ({"key": "bad-template", "name_fa": "بد",
                     "content": '{"actors": [], "phases": [{"title_fa": "گام", "tasks": [{"title_fa": "x", '
                                '"depends_on": ["9"]}]}]}'}, "content")


class TestTemplateAPI(TemplateCase, APITestCases.StandardAPITestCase):
    api_create_data = {"key": "api-template", "name_fa": "از راه API", "content": {"actors": [], "phases": []}}
    api_update_data = {"name_fa": "Patched"}
    api_invalid_data = ({"key": "api-bad", "name_fa": "x", "content": {"phases": [{"title_fa": ""}]}}, "content")
