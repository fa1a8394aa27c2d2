"""Program pages beyond the generic ones: create from a template, the Gantt chart (and its drag), the
responsibility matrix grid, the phase gate, XLSX exports and template exchange.

Thin views: parse, check access, call one service or selector, render.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse, HttpResponseForbidden, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.html import escape
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from . import exports, forms, selectors, services, templates_io
from .models import Actor, Phase, PhaseOutput, Program, ProgramTemplate, Responsibility, Task

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _program(request, pk) -> Program:
    return get_object_or_404(Program.objects.visible_to(request.user).select_related("cluster"), pk=pk)


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _xlsx(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def program_from_template(request):
    if not Program.can_be_created_by(request.user):
        return HttpResponseForbidden(_("Only the staff of a cluster may create its programs."))
    form = forms.ProgramFromTemplateForm(request.POST or None, user=request.user,
                                         initial={"template": request.GET.get("template")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            program = services.create_program_from_template(
                user=request.user, template=data["template"], cluster=data["cluster"], title_fa=data["title_fa"],
                title_en=data["title_en"], start_date=data["start_date"], cda=data["cda"],
                lead_organization=data["lead_organization"], budget_planned=data["budget_planned"],
                currency=data["currency"])
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Created the program “%(program)s”.") % {"program": program})
            return redirect("programs:gantt", pk=program.pk)
    return render(request, "programs/from_template.html", {
        "form": form, "templates": ProgramTemplate.objects.all()}, status=400 if form.errors else 200)


# -- Gantt --------------------------------------------------------------------------------------------
@require_GET
def gantt(request, pk: int):
    program = _program(request, pk)
    data = selectors.gantt_data(program, get_language())
    return render(request, "programs/gantt.html", {
        "program": program, "gantt": data, "can_change": program.is_editable_by(request.user),
        "task_count": len(data["tasks"])})


@require_POST
def gantt_move(request, pk: int):
    """The chart's drag: ``task``, ``start`` and ``end`` (ISO); answers JSON with what moved."""
    program = _program(request, pk)
    form = forms.MoveForm(request.POST)
    task = Task.objects.filter(program=program, pk=request.POST.get("task") or 0).first() \
        if str(request.POST.get("task", "")).isdigit() else None
    if task is None:
        return JsonResponse({"error": _("Choose a task of this program.")}, status=400)
    if not form.is_valid():
        return JsonResponse({"error": _("Give the new dates as YYYY-MM-DD.")}, status=400)
    try:
        report = services.move_task(user=request.user, task=task, start_date=form.cleaned_data["start"],
                                    end_date=form.cleaned_data["end"])
    except PermissionDenied as exc:
        return JsonResponse({"error": str(exc)}, status=403)
    except ValidationError as exc:
        return JsonResponse({"error": _errors(exc)}, status=400)
    messages.success(request, report.message())
    return JsonResponse({**report.as_dict(), "message": report.message()})


# -- responsibility matrix ----------------------------------------------------------------------------
CYCLE = ["", "R", "A", "C", "I"]


def _role_titles() -> dict[str, str]:
    return {code: escape(str(label)) for code, label in Responsibility.choices}


def _cell_html(actor_id: int, role: str, editable: bool, error: str = "", titles: dict | None = None) -> str:
    """One cell of the grid; its row (``<tr data-t="task id">``) names the task."""
    titles = titles if titles is not None else _role_titles()
    title = f' title="{titles[role]}"' if role else ""
    if not editable:
        return f'<span class="kh-role kh-role-{role or "none"}"{title}>{role or "·"}</span>'
    err = f' data-error="{escape(error)}" aria-invalid="true"' if error else ""
    return (f'<button type="button" class="kh-role kh-role-{role or "none"}" data-a="{actor_id}"'
            f'{title}{err}>{role or "·"}</button>')


def matrix_table(rows, editable: bool) -> str:
    """The grid's body, built directly: 2,000 tasks x 10 actors are 20,000 cells (a template per cell
    would take most of the page's time)."""
    titles = _role_titles()
    cache: dict = {}
    parts = []
    for row in rows:
        cells = []
        for actor_id, role in row.cells:
            html = cache.get((actor_id, role))
            if html is None:
                html = cache[(actor_id, role)] = f"<td>{_cell_html(actor_id, role, editable, titles=titles)}</td>"
            cells.append(html)
        parts.append(f'<tr data-t="{row.task_id}"><th scope="row" class="num">{escape(row.number)}</th>'
                     f'<td class="kh-task depth-{min(row.depth, 5)}" dir="auto">{escape(row.title)}</td>'
                     f'{"".join(cells)}</tr>')
    return "".join(parts)


@require_GET
def matrix(request, pk: int):
    program = _program(request, pk)
    actors, rows = selectors.matrix(program, get_language())
    editable = program.is_editable_by(request.user)
    from django.utils.safestring import mark_safe

    return render(request, "programs/matrix.html", {
        "program": program, "actors": actors, "row_count": len(rows), "can_change": editable,
        "body": mark_safe(matrix_table(rows, editable)),
        "roles": Responsibility.choices})


@require_POST
def matrix_cell(request, pk: int):
    """htmx: set a cell to ``role`` (or the next in R → A → C → I → empty when ``role`` is "next");
    answers the cell's new HTML (an error keeps the old role and says why in ``HX-Trigger``)."""
    program = _program(request, pk)
    task = get_object_or_404(Task, program=program, pk=request.POST.get("task") or 0) \
        if str(request.POST.get("task", "")).isdigit() else None
    actor = get_object_or_404(Actor, program=program, pk=request.POST.get("actor") or 0) \
        if str(request.POST.get("actor", "")).isdigit() else None
    if task is None or actor is None:
        raise Http404
    role = request.POST.get("role", "")
    current = task.matrix_cells.filter(actor=actor).values_list("role", flat=True).first() or ""
    if role == "next":
        role = CYCLE[(CYCLE.index(current) + 1) % len(CYCLE)]
    try:
        cell = services.set_matrix_cell(user=request.user, task=task, actor=actor, role=role)
    except PermissionDenied as exc:
        return HttpResponse(escape(str(exc)), status=403)
    except ValidationError as exc:
        if role == "A" and request.POST.get("role") == "next":  # the task has its A already: skip to C
            try:
                cell = services.set_matrix_cell(user=request.user, task=task, actor=actor, role="C")
            except ValidationError as exc2:
                return HttpResponse(_cell_html(actor.pk, current, True, _errors(exc2)))
        else:
            return HttpResponse(_cell_html(actor.pk, current, True, _errors(exc)))
    return HttpResponse(_cell_html(actor.pk, cell.role if cell else "", True))


# -- exports --------------------------------------------------------------------------------------------
@require_GET
def plan_export(request, pk: int):
    program = _program(request, pk)
    return _xlsx(exports.plan_xlsx(program, get_language()), f"program-{program.pk}-plan.xlsx")


@require_GET
def matrix_export(request, pk: int):
    program = _program(request, pk)
    return _xlsx(exports.matrix_xlsx(program, get_language()), f"program-{program.pk}-matrix.xlsx")


# -- phase gate -----------------------------------------------------------------------------------------
@require_POST
def output_deliver(request, pk: int):
    output = get_object_or_404(PhaseOutput.objects.visible_to(request.user).select_related("phase__program"), pk=pk)
    form = forms.DeliverForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Attach the document that delivers “%(output)s”.") % {"output": output.title})
    else:
        try:
            services.deliver_output(user=request.user, output=output, document=form.cleaned_data["document"])
        except PermissionDenied as exc:
            messages.error(request, str(exc))
        except ValidationError as exc:
            messages.error(request, _errors(exc))
        else:
            messages.success(request, _("Delivered “%(output)s”.") % {"output": output.title})
    return redirect(output.phase.get_absolute_url())


@require_GET
def output_document(request, pk: int):
    """The delivered document, only to those who may see the program (never through /media/)."""
    output = get_object_or_404(PhaseOutput.objects.visible_to(request.user), pk=pk)
    if not output.document:
        raise Http404
    try:
        handle = output.document.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=output.document.name.rsplit("/", 1)[-1])


@require_POST
def phase_action(request, pk: int, action: str):
    phase = get_object_or_404(Phase.objects.visible_to(request.user).select_related("program"), pk=pk)
    try:
        if action == "approve":
            form = forms.ApproveForm(request.POST)
            form.is_valid()
            services.approve_phase(user=request.user, phase=phase, note=form.cleaned_data.get("note", ""))
            messages.success(request, _("Approved the outputs of “%(phase)s”.") % {"phase": phase})
        elif action == "close":
            services.close_phase(user=request.user, phase=phase)
            messages.success(request, _("Closed the phase “%(phase)s”.") % {"phase": phase})
        else:
            raise Http404
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    return redirect(phase.get_absolute_url())


# -- templates ------------------------------------------------------------------------------------------
@require_GET
def template_export(request, pk: int, fmt: str):
    template = get_object_or_404(ProgramTemplate, pk=pk)
    if fmt == "xlsx":
        return _xlsx(templates_io.to_xlsx(template), f"{template.key}.xlsx")
    response = HttpResponse(templates_io.dumps(template), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{template.key}.json"'
    return response


@login_required
def template_import(request):
    if not ProgramTemplate.can_be_created_by(request.user):
        return HttpResponseForbidden(_("Only platform staff may change program templates."))
    form = forms.TemplateImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            template, created = services.import_template_file(user=request.user, name=upload.name,
                                                              data=upload.read())
        except ValidationError as exc:
            form.add_error("file", _errors(exc))
        else:
            messages.success(request, (_("Imported the new template “%(name)s”.") if created else
                                       _("Updated the template “%(name)s”.")) % {"name": template})
            return redirect(template.get_absolute_url())
    return render(request, "programs/template_import.html", {"form": form}, status=400 if form.errors else 200)
