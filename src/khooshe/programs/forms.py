"""Forms of the programs app: the generic model forms (Jalali dates, dir="auto") and a few action forms."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from khooshe.core.forms import BaseModelForm
from khooshe.core.jalali import JalaliDateField
from khooshe.core.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from khooshe.registry.access import access_for
from khooshe.registry.models import Cluster, Organization, Person

from . import models


def _limit_clusters(field, user) -> None:
    """A program is created in a cluster the user works for (admins: any)."""
    if user is None:
        return
    acc = access_for(user)
    if not acc.is_admin:
        field.queryset = Cluster.objects.filter(pk__in=acc.cluster_ids)


def _limit_to_programs(form, name: str = "program") -> None:
    """The program of a phase, task or actor: one the user may edit (admins: any)."""
    user = form.user
    if user is None or name not in form.fields:
        return
    acc = access_for(user)
    if not acc.is_admin:
        form.fields[name].queryset = models.Program.objects.filter(cluster__in=acc.cluster_ids)


class ProgramForm(BaseModelForm):
    class Meta:
        model = models.Program
        fields = ["cluster", "title_fa", "title_en", "description", "cda", "lead_organization", "start_date",
                  "end_date", "budget_planned", "currency", "status"]
        widgets = {"cda": AutocompleteSelect(), "lead_organization": AutocompleteSelect()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _limit_clusters(self.fields["cluster"], self.user)


class ProgramFromTemplateForm(forms.Form):
    """Create a program from a template (the template's phases start on the program's start date)."""

    template = forms.ModelChoiceField(models.ProgramTemplate.objects.all(), label=_("template"),
                                      required=False, empty_label=_("(empty program)"))
    cluster = forms.ModelChoiceField(Cluster.objects.all(), label=_("cluster"))
    title_fa = forms.CharField(label=_("Persian title"), max_length=300,
                               widget=forms.TextInput(attrs={"dir": "auto"}))
    title_en = forms.CharField(label=_("English title"), max_length=300, required=False,
                               widget=forms.TextInput(attrs={"dir": "auto"}))
    start_date = JalaliDateField(label=_("start date"))
    cda = forms.ModelChoiceField(Person.objects.all(), label=_("cluster development agent"), required=False,
                                 widget=AutocompleteSelect())
    lead_organization = forms.ModelChoiceField(Organization.objects.all(), label=_("lead organization"),
                                               required=False, widget=AutocompleteSelect())
    budget_planned = forms.DecimalField(label=_("planned budget"), required=False, min_value=0, decimal_places=0,
                                        max_digits=18)
    currency = forms.CharField(label=_("currency"), max_length=3, initial="IRR")

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        _limit_clusters(self.fields["cluster"], user)
        if user is not None:
            for name in ("cda", "lead_organization"):
                self.fields[name].queryset = self.fields[name].queryset.visible_to(user)


class ProgramTemplateForm(BaseModelForm):
    content = forms.JSONField(label=_("content"), required=False, widget=forms.Textarea(attrs={"rows": 20, "dir": "ltr"}),
                              help_text=_("Phases, tasks and actors of the template (JSON, see docs/programs.md)."))

    class Meta:
        model = models.ProgramTemplate
        fields = ["key", "name_fa", "name_en", "description", "source", "content"]

    def clean_content(self):
        return self.cleaned_data.get("content") or {"actors": [], "phases": []}


class TemplateImportForm(forms.Form):
    file = forms.FileField(label=_("template file (.json or .xlsx)"))


class PhaseForm(BaseModelForm):
    class Meta:
        model = models.Phase
        fields = ["program", "order", "title_fa", "title_en", "start_date", "end_date", "duration_text",
                  "expected_outputs", "main_actors"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _limit_to_programs(self)


class PhaseOutputForm(BaseModelForm):
    class Meta:
        model = models.PhaseOutput
        fields = ["phase", "title", "document"]


class TaskForm(BaseModelForm):
    class Meta:
        model = models.Task
        fields = ["program", "phase", "parent", "position", "title_fa", "title_en", "start_date", "end_date",
                  "budget_planned", "budget_spent", "mechanism", "mechanism_detail", "responsible_organization",
                  "responsible_person", "responsible_text", "stakeholder_organizations", "stakeholders_text",
                  "expected_output", "success_indicators", "status", "percent_done"]
        widgets = {"parent": AutocompleteSelect(), "responsible_organization": AutocompleteSelect(),
                   "responsible_person": AutocompleteSelect(), "stakeholder_organizations": AutocompleteSelectMultiple()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["position"].required = False
        _limit_to_programs(self)

    def clean_position(self):
        value = self.cleaned_data.get("position")
        return self.instance.position if value is None else value


class TaskDependencyForm(BaseModelForm):
    class Meta:
        model = models.TaskDependency
        fields = ["predecessor", "successor", "lag_days"]
        widgets = {"predecessor": AutocompleteSelect(), "successor": AutocompleteSelect()}


class ActorForm(BaseModelForm):
    class Meta:
        model = models.Actor
        fields = ["program", "position", "name", "organization", "person"]
        widgets = {"organization": AutocompleteSelect(), "person": AutocompleteSelect()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _limit_to_programs(self)


class MatrixCellForm(BaseModelForm):
    class Meta:
        model = models.MatrixCell
        fields = ["task", "actor", "role"]
        widgets = {"task": AutocompleteSelect(), "actor": AutocompleteSelect()}


class MoveForm(forms.Form):
    """The Gantt chart's drag: new ISO dates of the task (the chart speaks Gregorian)."""

    start = forms.DateField(input_formats=["%Y-%m-%d"])
    end = forms.DateField(input_formats=["%Y-%m-%d"], required=False)


class ApproveForm(forms.Form):
    note = forms.CharField(label=_("approval note"), required=False, widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"}))


class DeliverForm(forms.Form):
    document = forms.FileField(label=_("document"))
