"""One FilterSet per model, shared by the list pages and the API."""

import django_filters
from django.utils.translation import gettext_lazy as _

from khooshe.core.filters import SearchFilterSet, ordering
from khooshe.registry.filters import IdFilter

from . import models


class ProgramTemplateFilterSet(SearchFilterSet):
    sort = ordering("name_fa", "key", "updated_at")


    class Meta:
        model = models.ProgramTemplate
        fields = []


class ProgramFilterSet(SearchFilterSet):
    cluster = IdFilter(field_name="cluster", label=_("cluster (id)"))
    status = django_filters.MultipleChoiceFilter(choices=models.Program.Status.choices, label=_("status"))
    sort = ordering("title_fa", "start_date", "end_date", "status", "budget_planned", cluster="cluster__name_fa")

    class Meta:
        model = models.Program
        fields = ["cluster", "status"]


class _ProgramPartFilterSet(SearchFilterSet):
    program = IdFilter(field_name="program", label=_("program (id)"))



class PhaseFilterSet(_ProgramPartFilterSet):
    status = django_filters.MultipleChoiceFilter(choices=models.Phase.Status.choices, label=_("status"))
    sort = ordering("order", "title_fa", "start_date", "end_date", "status")

    class Meta:
        model = models.Phase
        fields = ["program", "status"]


class PhaseOutputFilterSet(SearchFilterSet):
    phase = IdFilter(field_name="phase", label=_("phase (id)"))
    sort = ordering("title", "delivered_at")


    class Meta:
        model = models.PhaseOutput
        fields = ["phase"]


class TaskFilterSet(_ProgramPartFilterSet):
    phase = IdFilter(field_name="phase", label=_("phase (id)"))
    parent = IdFilter(field_name="parent", label=_("parent task (id)"))
    status = django_filters.MultipleChoiceFilter(choices=models.Task.Status.choices, label=_("status"))
    mechanism = django_filters.MultipleChoiceFilter(choices=models.Mechanism.choices, label=_("mechanism"))
    sort = ordering("title_fa", "start_date", "end_date", "status", "percent_done", "budget_planned",
                    number="sort_key")

    class Meta:
        model = models.Task
        fields = ["program", "phase", "parent", "status", "mechanism"]


class TaskDependencyFilterSet(django_filters.FilterSet):
    program = IdFilter(field_name="successor__program", label=_("program (id)"))
    predecessor = IdFilter(field_name="predecessor", label=_("predecessor (id)"))
    successor = IdFilter(field_name="successor", label=_("successor (id)"))
    sort = ordering("lag_days", predecessor="predecessor__sort_key", successor="successor__sort_key")

    class Meta:
        model = models.TaskDependency
        fields = ["program", "predecessor", "successor"]


class ActorFilterSet(SearchFilterSet):
    program = IdFilter(field_name="program", label=_("program (id)"))
    sort = ordering("position", "name")


    class Meta:
        model = models.Actor
        fields = ["program"]


class MatrixCellFilterSet(django_filters.FilterSet):
    program = IdFilter(field_name="task__program", label=_("program (id)"))
    task = IdFilter(field_name="task", label=_("task (id)"))
    actor = IdFilter(field_name="actor", label=_("actor (id)"))
    role = django_filters.MultipleChoiceFilter(choices=models.Responsibility.choices, label=_("role"))
    sort = ordering("role", task="task__sort_key", actor="actor__position")

    class Meta:
        model = models.MatrixCell
        fields = ["program", "task", "actor", "role"]
