"""Blocks of the program and phase detail pages."""

from django import template

from khooshe.programs import services
from khooshe.programs.models import Task

register = template.Library()


@register.simple_tag
def program_summary(program, user):
    phases = list(program.phases.prefetch_related("outputs"))
    for phase in phases:
        phase.gate = services.gate_problems(phase) if phase.status != phase.Status.CLOSED else []
    tasks = Task.objects.filter(program=program)
    return {
        "phases": phases,
        "task_count": tasks.count(),
        "done_count": tasks.filter(status=Task.Status.DONE).count(),
        "budget_spent": program.budget_spent(),
        "can_change": program.is_editable_by(user),
    }


@register.simple_tag
def phase_gate(phase, user):
    return {
        "outputs": list(phase.outputs.all()),
        "problems": services.gate_problems(phase) if phase.status != phase.Status.CLOSED else [],
        "can_change": phase.is_editable_by(user),
        "closed": phase.status == phase.Status.CLOSED,
    }


@register.simple_tag
def template_phases(template):
    """(title, planned duration) of each phase of a template's content, in the interface's language."""
    from khooshe.core.jalali import is_persian

    first, second = ("title_fa", "title_en") if is_persian() else ("title_en", "title_fa")
    return [(p.get(first) or p.get(second) or "", p.get("duration_text", ""))
            for p in (template.content or {}).get("phases") or [] if isinstance(p, dict)]
