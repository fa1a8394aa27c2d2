"""The programs app's models in the generic UI and API (core.generic); the Gantt chart, matrix grid,
phase gate and template exchange are in views.py."""

from django.utils.translation import gettext_lazy as _

from khooshe.core.generic import ModelConfig, RelatedList, register

from . import api, filters, forms, models, services

GROUP = _("Cluster development programs")

register(ModelConfig(
    model=models.Program,
    filterset_class=filters.ProgramFilterSet,
    form_class=forms.ProgramForm,
    serializer_class=api.ProgramSerializer,
    list_columns=["title_fa", "cluster", "cda", "status", "start_date", "end_date", "budget_planned"],
    select_related=["cluster", "cda"],
    detail_fields=["cluster", "title_fa", "title_en", "description", "cda", "lead_organization", "start_date",
                   "end_date", "budget_planned", "budget_spent", "currency", "status", "template", "created_at",
                   "updated_at"],
    related_lists=[RelatedList(_("Phases"), models.Phase, "program", ["order", "title_fa", "start_date", "end_date",
                                                                       "status"])],
    detail_template="programs/program_extra.html",
    menu_group=GROUP,
))

register(ModelConfig(
    model=models.Phase,
    filterset_class=filters.PhaseFilterSet,
    form_class=forms.PhaseForm,
    serializer_class=api.PhaseSerializer,
    list_columns=["order", "title_fa", "program", "start_date", "end_date", "duration_text", "status"],
    select_related=["program"],
    detail_fields=["program", "order", "title_fa", "title_en", "start_date", "end_date", "duration_text",
                   "expected_outputs", "main_actors", "status", "approved_by", "approved_at", "approval_note",
                   "closed_at"],
    detail_template="programs/phase_extra.html",
    menu_group=GROUP,
))

register(ModelConfig(
    model=models.PhaseOutput,
    filterset_class=filters.PhaseOutputFilterSet,
    form_class=forms.PhaseOutputForm,
    serializer_class=api.PhaseOutputSerializer,
    slug="phaseoutputs",
    list_columns=["title", "phase", "delivered_at"],
    select_related=["phase"],
    detail_fields=["phase", "title", "delivered_at", "delivered_by"],
    detail_template="programs/output_extra.html",
    menu_group=GROUP,
))

register(ModelConfig(
    model=models.Task,
    filterset_class=filters.TaskFilterSet,
    form_class=forms.TaskForm,
    serializer_class=api.TaskSerializer,
    list_columns=["number", "title_fa", "program", "start_date", "end_date", "budget_planned", "status",
                  "percent_done"],
    export_columns=["number", "title_fa", "title_en", "program", "phase", "start_date", "end_date", "duration",
                    "budget_planned", "budget_spent", "mechanism", "mechanism_detail", "responsible",
                    "stakeholders_text", "expected_output", "success_indicators", "status", "percent_done"],
    select_related=["program", "phase", "parent", "responsible_organization", "responsible_person"],
    detail_fields=["program", "phase", "parent", "number", "title_fa", "title_en", "start_date", "end_date",
                   "duration", "budget_planned", "budget_spent", "mechanism", "mechanism_detail",
                   "responsible_organization", "responsible_person", "responsible_text", "stakeholder_organizations",
                   "stakeholders_text", "expected_output", "success_indicators", "status", "percent_done",
                   "created_at", "updated_at"],
    related_lists=[RelatedList(_("Subtasks"), models.Task, "parent", ["number", "title_fa", "start_date",
                                                                       "end_date", "status"])],
    save_service=services.save_task_from_form,
    menu_group=GROUP,
))

register(ModelConfig(
    model=models.TaskDependency,
    filterset_class=filters.TaskDependencyFilterSet,
    form_class=forms.TaskDependencyForm,
    serializer_class=api.TaskDependencySerializer,
    slug="dependencies",
    list_columns=["predecessor", "successor", "lag_days"],
    select_related=["predecessor", "successor"],
    save_service=services.save_dependency_from_form,
    menu_group=GROUP,
))

register(ModelConfig(
    model=models.Actor,
    filterset_class=filters.ActorFilterSet,
    form_class=forms.ActorForm,
    serializer_class=api.ActorSerializer,
    list_columns=["name", "program", "organization", "person", "position"],
    select_related=["program", "organization", "person"],
    menu_group=GROUP,
))

register(ModelConfig(
    model=models.MatrixCell,
    filterset_class=filters.MatrixCellFilterSet,
    form_class=forms.MatrixCellForm,
    serializer_class=api.MatrixCellSerializer,
    list_columns=["task", "actor", "role"],
    select_related=["task", "actor"],
    menu_group=GROUP,
))

register(ModelConfig(
    model=models.ProgramTemplate,
    filterset_class=filters.ProgramTemplateFilterSet,
    form_class=forms.ProgramTemplateForm,
    serializer_class=api.ProgramTemplateSerializer,
    list_columns=["name_fa", "key", "phase_count", "task_count", "updated_at"],
    detail_fields=["key", "name_fa", "name_en", "description", "source", "phase_count", "task_count",
                   "created_at", "updated_at"],
    detail_template="programs/template_extra.html",
    menu_group=GROUP,
))
