"""What a CDA sees and does with a program: templates, the task tree and its rules, moving tasks, the
critical path, phase gates, the responsibility matrix, the Gantt page, exports, the API actions."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from factories import make_cluster, make_role, make_user
from mixins import element_html, page, visible_text
from programs_factories import START, make_actor, make_program, make_task, make_template, program_from
from rest_framework.test import APIClient

from khooshe.programs import models as pm
from khooshe.programs import selectors, services, templates_io
from khooshe.registry.models import Role

pytestmark = pytest.mark.django_db

D = dt.timedelta


@pytest.fixture(autouse=True)
def _persian():
    with translation.override("fa"):
        yield


@pytest.fixture
def staff(client):
    """A CDA: staff of a cluster, logged in."""
    role = make_role(kind=Role.Kind.CLUSTER_STAFF)
    client.force_login(role.user)
    client.cluster = role.cluster
    client.user = role.user
    return client


# -- templates -------------------------------------------------------------------------------------------
def test_the_three_templates_ship_as_data():
    keys = set(pm.ProgramTemplate.objects.values_list("key", flat=True))
    assert {"ministry-four-phases", "unido-six-steps", "empty"} <= keys
    unido = pm.ProgramTemplate.objects.get(key="unido-six-steps")
    titles = [p["title_fa"] for p in unido.content["phases"]]
    assert titles[0] == "انجام مطالعه شناختی" and titles[-1] == "خروج" and len(titles) == 6


def test_program_from_the_ministry_template_has_its_phases_tasks_and_matrix():
    program = program_from("ministry-four-phases", budget_planned=None)
    phases = list(program.phases.order_by("order"))
    assert [p.title_fa for p in phases] == ["ایجاد نقشه (ارزش‌محور) توسعه خوشه", "ارزیابی و تدوین راهبرد توسعه خوشه",
                                            "اجرای فعالیت‌های توسعه خوشه", "پسا پروژه پایداری خوشه"]
    # 3, 6 and 18 months, then 3 years, one after the other
    assert [(p.end_date - p.start_date).days + 1 for p in phases] == [90, 180, 540, 1095]
    assert phases[0].start_date == START and phases[1].start_date == phases[0].end_date + D(days=1)
    numbers = list(program.tasks.order_by("sort_key").values_list("number", flat=True))
    assert numbers[:13] == ["1", "1-1", "1-1-1", "1-1-2", "1-1-3", "1-1-4", "1-1-5", "1-1-6", "1-1-7", "1-1-8",
                            "1-1-9", "1-2", "1-2-1"]
    first = program.tasks.get(number="1")
    assert first.title_fa == "مطالعات شناخت و تدوین نقشه توسعه خوشه جویشگر"
    assert first.duration_days == 90 and first.mechanism == "interview"
    assert program.tasks.get(number="1-1-1").title_fa == "بررسی مبنای نظری توسعه خوشه جویشگر"
    assert list(program.actors.values_list("name", flat=True)) == [
        "عامل توسعه خوشه", "طرح جویشگر بومی", "شورای راهبردی وزارت ارتباطات و فناوری اطلاعات"]
    assert pm.MatrixCell.objects.filter(task=first, role="R", actor__name="عامل توسعه خوشه").exists()
    assert phases[0].outputs.count() == 3
    assert program.end_date == phases[-1].end_date
    # the top-level tasks follow each other, so they are all on the critical path
    critical = {r["number"] for r in selectors.schedule(program) if r["critical"]}
    assert {"1", "2", "3", "4"} <= critical


def test_an_empty_program():
    program = program_from("empty")
    assert program.phases.count() == 0 and program.tasks.count() == 0


def test_template_json_and_xlsx_round_trip():
    template = pm.ProgramTemplate.objects.get(key="ministry-four-phases")
    again = templates_io.loads(templates_io.dumps(template))
    assert again["content"] == template.content
    from_xlsx = templates_io.from_xlsx(templates_io.to_xlsx(template))
    numbers = [n for n, *_ in templates_io.iter_tasks(from_xlsx["content"])]
    assert numbers == [n for n, *_ in templates_io.iter_tasks(template.content)]
    first = from_xlsx["content"]["phases"][0]["tasks"][0]
    assert first["title_fa"] == "مطالعات شناخت و تدوین نقشه توسعه خوشه جویشگر"
    assert first["roles"] == {"عامل توسعه خوشه": "R", "طرح جویشگر بومی": "A",
                              "شورای راهبردی وزارت ارتباطات و فناوری اطلاعات": "I"}
    assert from_xlsx["content"]["phases"][1]["tasks"][0]["depends_on"] == ["1"]


def test_import_refuses_a_bad_template_naming_the_task(admin_client):
    bad = {"key": "bad", "name_fa": "بد", "content": {"actors": [], "phases": [
        {"title_fa": "گام", "tasks": [{"title_fa": "الف", "depends_on": ["7"]}]}]}}
    upload = SimpleUploadedFile("bad.json", json.dumps(bad).encode())
    response = admin_client.post(reverse("programs:template_import"), {"file": upload})
    assert response.status_code == 400
    assert "7" in visible_text(page(response)) and not pm.ProgramTemplate.objects.filter(key="bad").exists()
    response = admin_client.post(reverse("programs:template_import"),
                                 {"file": SimpleUploadedFile("x.json", b"{not json")})
    assert response.status_code == 400 and "JSON" in visible_text(page(response))


def test_staff_edit_a_template_as_xlsx_and_import_it_back(admin_client):
    template = make_template()
    response = admin_client.get(reverse("programs:template_export", args=[template.pk, "xlsx"]))
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(response.content))
    wb["tasks"]["C2"] = "مطالعه میدانی"
    out = io.BytesIO()
    wb.save(out)
    response = admin_client.post(reverse("programs:template_import"),
                                 {"file": SimpleUploadedFile("t.xlsx", out.getvalue())})
    assert response.status_code == 302
    template.refresh_from_db()
    assert template.content["phases"][0]["tasks"][0]["title_fa"] == "مطالعه میدانی"


def test_create_from_template_page_in_persian(staff):
    template = pm.ProgramTemplate.objects.get(key="unido-six-steps")
    response = staff.post(reverse("programs:from_template"), {
        "template": template.pk, "cluster": staff.cluster.pk, "title_fa": "برنامه خوشه فرش", "start_date": "1404/01/01",
        "currency": "IRR"})
    program = pm.Program.objects.get(title_fa="برنامه خوشه فرش")
    assert response.status_code == 302 and response["Location"] == reverse("programs:gantt", args=[program.pk])
    assert program.start_date == START and program.phases.count() == 6
    # a cluster the CDA does not work for is not offered
    other = make_cluster()
    response = staff.post(reverse("programs:from_template"), {
        "template": template.pk, "cluster": other.pk, "title_fa": "x", "start_date": "1404/01/01", "currency": "IRR"})
    assert response.status_code == 400 and not pm.Program.objects.filter(cluster=other).exists()


# -- the task tree and its rules --------------------------------------------------------------------------
def test_numbers_follow_the_tree_and_renumber_after_changes():
    program = make_program()
    a = make_task(program=program)
    b = make_task(program=program)
    a1 = make_task(program=program, parent=a)
    a2 = make_task(program=program, parent=a)
    a21 = make_task(program=program, parent=a2)
    numbers = lambda: {t.pk: t.number for t in program.tasks.all()}  # noqa: E731
    assert numbers() == {a.pk: "1", b.pk: "2", a1.pk: "1-1", a2.pk: "1-2", a21.pk: "1-2-1"}
    a1.delete()
    assert numbers() == {a.pk: "1", b.pk: "2", a2.pk: "1-1", a21.pk: "1-1-1"}
    a2.parent = b
    a2.save()
    assert numbers()[a2.pk] == "2-1" and numbers()[a21.pk] == "2-1-1"


def test_a_child_outside_its_parents_dates_is_refused_naming_the_parent():
    parent = make_task(start_date=START, end_date=START + D(days=9), title_fa="مطالعات شناخت")
    child = pm.Task(program=parent.program, parent=parent, title_fa="زیرکار", start_date=START + D(days=5),
                    end_date=START + D(days=20))
    with pytest.raises(ValidationError) as exc:
        child.full_clean()
    message = exc.value.message_dict["end_date"][0]
    assert "مطالعات شناخت" in message and "۱۰ فروردین ۱۴۰۴" in message  # the parent's end, in Jalali
    child.start_date = START - D(days=1)
    child.end_date = START + D(days=2)
    with pytest.raises(ValidationError) as exc:
        child.full_clean()
    assert "start_date" in exc.value.message_dict


def test_a_budget_over_the_programs_is_refused_with_the_amounts():
    program = make_program(budget_planned=1000)
    make_task(program=program, budget_planned=700)
    task = pm.Task(program=program, title_fa="x", start_date=START, end_date=START, budget_planned=400)
    with pytest.raises(ValidationError) as exc:
        task.full_clean()
    message = exc.value.message_dict["budget_planned"][0]
    assert "۱,۱۰۰" in message and "۱,۰۰۰" in message and "۱۰۰" in message
    task.budget_planned = 300
    task.full_clean()  # exactly the budget: fine
    # the program's budget cannot drop below what its tasks plan
    program.budget_planned = 500
    with pytest.raises(ValidationError):
        program.full_clean()


def test_subtask_budgets_fit_in_their_parent():
    parent = make_task(budget_planned=100)
    make_task(program=parent.program, parent=parent, budget_planned=60)
    with pytest.raises(ValidationError) as exc:
        make_task(program=parent.program, parent=parent, budget_planned=50)
    assert "budget_planned" in exc.value.message_dict


def test_a_dependency_cycle_is_refused_naming_the_tasks():
    program = make_program()
    a = make_task(program=program, title_fa="الف")
    b = make_task(program=program, title_fa="ب", start_date=a.end_date + D(days=1), end_date=a.end_date + D(days=3))
    c = make_task(program=program, title_fa="پ", start_date=b.end_date + D(days=1), end_date=b.end_date + D(days=3))
    services.add_dependency(user=None, predecessor=a, successor=b)
    services.add_dependency(user=None, predecessor=b, successor=c)
    with pytest.raises(ValidationError) as exc:
        services.add_dependency(user=None, predecessor=c, successor=a)
    message = exc.value.message_dict["predecessor"][0]
    assert "۳ پ" in message and "۱ الف" in message and "۲ ب" in message
    assert pm.TaskDependency.objects.count() == 2


def test_adding_a_dependency_moves_a_successor_that_starts_too_early():
    program = make_program()
    a = make_task(program=program, start_date=START, end_date=START + D(days=9))
    b = make_task(program=program, start_date=START, end_date=START + D(days=4))
    _dep, report = services.add_dependency(user=None, predecessor=a, successor=b, lag_days=2)
    b.refresh_from_db()
    assert b.start_date == START + D(days=12) and b.duration_days == 5
    assert [m[0].pk for m in report.moved] == [b.pk]


# -- moving tasks -----------------------------------------------------------------------------------------
def test_moving_a_task_moves_its_dependants_and_reports_them():
    program = make_program()
    a = make_task(program=program, title_fa="الف", start_date=START, end_date=START + D(days=9))
    b = make_task(program=program, title_fa="ب", start_date=START + D(days=10), end_date=START + D(days=19))
    c = make_task(program=program, title_fa="پ", start_date=START + D(days=40), end_date=START + D(days=44))
    services.add_dependency(user=None, predecessor=a, successor=b)
    services.add_dependency(user=None, predecessor=a, successor=c)
    report = services.move_task(user=None, task=a, start_date=START + D(days=5))
    b.refresh_from_db()
    c.refresh_from_db()
    assert (b.start_date, b.end_date) == (START + D(days=15), START + D(days=24))
    assert c.start_date == START + D(days=40)  # had room
    assert {m[0].pk for m in report.moved} == {a.pk, b.pk}
    assert "ب" in report.message()


def test_a_refused_move_changes_nothing():
    parent = make_task(start_date=START, end_date=START + D(days=9))
    child = make_task(program=parent.program, parent=parent, start_date=START, end_date=START + D(days=9))
    with pytest.raises(ValidationError):
        services.move_task(user=None, task=parent, start_date=START, end_date=START + D(days=3))
    parent.refresh_from_db()
    child.refresh_from_db()
    assert parent.end_date == START + D(days=9) and child.end_date == START + D(days=9)


def test_gantt_drag_posts_to_the_move_service(staff):
    program = make_program(cluster=staff.cluster)
    a = make_task(program=program, start_date=START, end_date=START + D(days=9))
    b = make_task(program=program, start_date=START + D(days=10), end_date=START + D(days=12))
    services.add_dependency(user=None, predecessor=a, successor=b)
    response = staff.post(reverse("programs:gantt_move", args=[program.pk]),
                          {"task": a.pk, "start": "2025-04-01", "end": "2025-04-10"})
    assert response.status_code == 200, response.content
    data = response.json()
    assert {m["id"] for m in data["moved"]} == {a.pk, b.pk}
    b.refresh_from_db()
    assert b.start_date == dt.date(2025, 4, 11)
    # the CDA of another cluster may not move it
    other = make_user()
    make_role(user=other, kind=Role.Kind.CLUSTER_STAFF)
    staff.force_login(other)
    response = staff.post(reverse("programs:gantt_move", args=[program.pk]),
                          {"task": a.pk, "start": "2025-05-01", "end": "2025-05-10"})
    assert response.status_code == 403
    a.refresh_from_db()
    assert a.start_date == dt.date(2025, 4, 1)


def test_gantt_page_has_the_bars_the_links_and_the_critical_path(client):
    program = program_from("ministry-four-phases")
    response = client.get(reverse("programs:gantt", args=[program.pk]))
    assert response.status_code == 200
    content = page(response)
    data = json.loads(element_html(content, "gantt-data").split(">", 1)[1].rsplit("<", 1)[0])
    assert len(data) == program.tasks.count()
    by_name = {row["name"]: row for row in data}
    first = by_name["۱ مطالعات شناخت و تدوین نقشه توسعه خوشه جویشگر"]  # Persian digits in the Persian UI
    assert first["start"] == "2025-03-21" and first["end"] == "2025-06-18"  # 90 days
    second = next(r for r in data if r["name"].startswith("۲ "))
    assert second["dependencies"] == first["id"] and "kh-critical" in second["custom_class"]
    assert 'data-can-change="0"' in content  # anonymous visitors see the chart read-only


# -- phase gates ------------------------------------------------------------------------------------------
def test_a_phase_closes_only_when_outputs_are_delivered_and_approved(staff):
    program = program_from("unido-six-steps", cluster=staff.cluster)
    phase = program.phases.get(order=2)
    outputs = list(phase.outputs.all())
    url = reverse("programs:phase_action", args=[phase.pk, "close"])
    response = staff.post(url, follow=True)
    text = visible_text(page(response))
    assert outputs[0].title in text and outputs[1].title in text  # the undelivered outputs are named
    phase.refresh_from_db()
    assert phase.status != pm.Phase.Status.CLOSED
    # approving before delivery is refused too
    staff.post(reverse("programs:phase_action", args=[phase.pk, "approve"]))
    phase.refresh_from_db()
    assert phase.approved_at is None
    for output in outputs:
        upload = SimpleUploadedFile("report.pdf", b"%PDF-1.4 report", content_type="application/pdf")
        staff.post(reverse("programs:output_deliver", args=[output.pk]), {"document": upload})
    assert services.gate_problems(phase) == [services.gate_problems(phase)[-1]]  # only the approval is missing
    staff.post(url)
    phase.refresh_from_db()
    assert phase.status != pm.Phase.Status.CLOSED  # delivered but not approved
    staff.post(reverse("programs:phase_action", args=[phase.pk, "approve"]), {"note": "خوب"})
    phase.refresh_from_db()
    assert phase.approved_by == staff.user and phase.approved_at is not None
    staff.post(url)
    phase.refresh_from_db()
    assert phase.status == pm.Phase.Status.CLOSED


def test_gate_message_names_what_is_missing():
    program = program_from("unido-six-steps")
    phase = program.phases.get(order=1)
    with pytest.raises(ValidationError) as exc:
        services.close_phase(user=None, phase=phase)
    message = " ".join(exc.value.messages)
    assert phase.outputs.first().title in message and phase.title_fa in message


def test_delivered_documents_are_served_only_to_those_who_may_see_the_program(staff, client):
    program = program_from("unido-six-steps", cluster=staff.cluster)
    output = program.phases.get(order=1).outputs.first()
    upload = SimpleUploadedFile("study.pdf", b"%PDF-1.4 secret", content_type="application/pdf")
    services.deliver_output(user=staff.user, output=output, document=upload)
    url = reverse("programs:output_document", args=[output.pk])
    assert b"".join(staff.get(url).streaming_content) == b"%PDF-1.4 secret"
    program.cluster.visibility = "private"
    program.cluster.save()
    outsider = APIClient()
    assert outsider.get(url).status_code == 404
    output.refresh_from_db()
    assert outsider.get("/media/" + output.document.name).status_code == 404


# -- responsibility matrix --------------------------------------------------------------------------------
def test_matrix_grid_cycles_roles_and_allows_one_accountable(staff):
    program = make_program(cluster=staff.cluster)
    task = make_task(program=program)
    cda, council = make_actor(program=program, name="عامل"), make_actor(program=program, name="شورا")
    url = reverse("programs:matrix_cell", args=[program.pk])
    post = lambda actor: staff.post(url, {"task": task.pk, "actor": actor.pk, "role": "next"})  # noqa: E731
    assert ">R<" in post(cda).content.decode()
    assert ">A<" in post(cda).content.decode()
    assert ">R<" in post(council).content.decode()
    # council's next would be A, but the task has its accountable actor: C instead
    assert ">C<" in post(council).content.decode()
    assert dict(pm.MatrixCell.objects.filter(task=task).values_list("actor__name", "role")) == {"عامل": "A", "شورا": "C"}
    # an explicit second A is refused and says who is accountable
    response = staff.post(url, {"task": task.pk, "actor": council.pk, "role": "A"})
    assert "data-error" in response.content.decode() and "عامل" in response.content.decode()
    page_html = page(staff.get(reverse("programs:matrix", args=[program.pk])))
    assert f'<tr data-t="{task.pk}">' in page_html and "شورا" in page_html
    assert page_html.count(f'data-a="{council.pk}"') == 1 and ">C</button>" in page_html


def test_matrix_cannot_be_edited_by_others(client):
    program = make_program()
    task, actor = make_task(program=program), make_actor(program=program)
    client.force_login(make_user())
    response = client.post(reverse("programs:matrix_cell", args=[program.pk]),
                           {"task": task.pk, "actor": actor.pk, "role": "R"})
    assert response.status_code == 403 and not pm.MatrixCell.objects.exists()


# -- exports ----------------------------------------------------------------------------------------------
def _sheet(response):
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(response.content))
    return [[c for c in row] for row in wb.worksheets[0].iter_rows(values_only=True)]


def test_plan_export_has_numbers_jalali_and_gregorian_dates(client):
    program = program_from("ministry-four-phases")
    rows = _sheet(client.get(reverse("programs:plan_export", args=[program.pk])))
    assert rows[0][0] == "شماره" or rows[0][0] == "number"
    first = rows[1]
    assert first[0] == "1" and "مطالعات شناخت" in first[1]
    assert first[3] == "1404/01/01" and first[5].date() == START
    assert [r[0] for r in rows[1:4]] == ["1", "1-1", "1-1-1"]
    assert len(rows) == program.tasks.count() + 1


def test_matrix_export_as_in_the_source_document(client):
    program = program_from("ministry-four-phases")
    rows = _sheet(client.get(reverse("programs:matrix_export", args=[program.pk])))
    assert rows[0][2:] == ["عامل توسعه خوشه", "طرح جویشگر بومی", "شورای راهبردی وزارت ارتباطات و فناوری اطلاعات"]
    assert rows[1][0] == "1" and rows[1][2:] == ["R", "A", "I"]


# -- API actions ------------------------------------------------------------------------------------------
def test_api_from_template_move_schedule_and_matrix():
    role = make_role(kind=Role.Kind.CLUSTER_STAFF)
    api = APIClient()
    api.force_authenticate(role.user)
    template = pm.ProgramTemplate.objects.get(key="unido-six-steps")
    response = api.post("/api/programs/from-template/", {"template": template.pk, "cluster": role.cluster.pk,
                                                         "title_fa": "از API", "start_date": "2025-03-21"},
                        format="json")
    assert response.status_code == 201, response.content
    program = pm.Program.objects.get(pk=response.json()["id"])
    first = program.tasks.get(number="1")
    response = api.post(f"/api/programs/tasks/{first.pk}/move/", {"start": "2025-04-20"}, format="json")
    assert response.status_code == 200
    assert len(response.json()["moved"]) == 6  # the six steps are chained
    schedule = api.get(f"/api/programs/programs/{program.pk}/schedule/").json()
    assert len(schedule["critical"]) == 6
    actor = program.actors.first()
    second = program.tasks.get(number="2")
    response = api.post(f"/api/programs/programs/{program.pk}/matrix/", {"task": second.pk, "actor": actor.pk,
                                                                       "role": "i"}, format="json")
    assert response.json()["role"] == "I"
    response = api.post(f"/api/programs/tasks/{first.pk}/move/", {"start": "not a date"}, format="json")
    assert response.status_code == 400 and "start" in response.json()


def test_api_refuses_a_cycle_and_a_gate_close():
    program = program_from("unido-six-steps")
    api = APIClient()
    api.force_authenticate(make_user(superuser=True))
    one, two = program.tasks.get(number="1"), program.tasks.get(number="2")
    response = api.post("/api/programs/dependencies/", {"predecessor": two.pk, "successor": one.pk}, format="json")
    assert response.status_code == 400 and "predecessor" in response.json()
    phase = program.phases.get(order=1)
    response = api.post(f"/api/programs/phases/{phase.pk}/close/")
    assert response.status_code == 400 and "status" in response.json()


def test_program_page_links_the_plan_and_shows_gates(client):
    program = program_from("ministry-four-phases")
    content = page(client.get(program.get_absolute_url()))
    assert reverse("programs:gantt", args=[program.pk]) in content
    assert reverse("programs:matrix", args=[program.pk]) in content
    gates = visible_text(element_html(content, "program-gates"))
    assert "ایجاد نقشه (ارزش‌محور) توسعه خوشه" in gates and "۳ ماه" in gates


def test_a_dependency_added_in_the_form_moves_the_successor(admin_client):
    program = make_program()
    a = make_task(program=program, start_date=START, end_date=START + D(days=9))
    b = make_task(program=program, start_date=START + D(days=2), end_date=START + D(days=4))
    response = admin_client.post(reverse("programs:taskdependency_add"),
                                 {"predecessor": a.pk, "successor": b.pk, "lag_days": "0"})
    assert response.status_code == 302
    b.refresh_from_db()
    assert (b.start_date, b.end_date) == (START + D(days=10), START + D(days=12))
