"""Forms of residents: contracts and plans (generic pages), the gate of a stage move, a KPI snapshot."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from khooshe.core.forms import BaseModelForm
from khooshe.core.jalali import JalaliDateField
from khooshe.core.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from khooshe.hubs.forms import _sites_of_user

from .models import HubPlan, JourneyStage, KpiSnapshot, Residency


class ResidencyForm(BaseModelForm):
    class Meta:
        model = Residency
        fields = ["site", "organization", "hub_plan", "spaces", "plan", "start_date", "end_date", "monthly_price",
                  "monthly_credits", "deposit", "status"]
        widgets = {"organization": AutocompleteSelect(), "spaces": AutocompleteSelectMultiple()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _sites_of_user(self)
        # Left empty: no deposit, an active contract (graduation and exit are set by stage moves).
        self.fields["deposit"].required = self.fields["status"].required = False

    def clean_deposit(self):
        return self.cleaned_data.get("deposit") or 0

    def clean_status(self):
        return self.cleaned_data.get("status") or Residency.Status.ACTIVE


class HubPlanForm(BaseModelForm):
    class Meta:
        model = HubPlan
        fields = ["site", "name", "kind", "monthly_price", "monthly_credits", "desks_included",
                  "refuse_without_credits"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _sites_of_user(self)


class JourneyStageForm(BaseModelForm):
    class Meta:
        model = JourneyStage
        fields = ["site", "order", "key", "name", "entry_criteria", "required_evidence", "outcome"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _sites_of_user(self)


class NumberField(forms.IntegerField):
    """A whole number typed in Persian or Latin digits, with or without thousands separators (a number
    input would refuse Persian digits in some browsers)."""

    widget = forms.TextInput(attrs={"inputmode": "numeric", "dir": "ltr"})

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().translate(SEPARATORS)
        return super().to_python(value)


SEPARATORS = str.maketrans("", "", ",٬، _")


class KpiForm(forms.Form):
    """The figures of a KPI snapshot (also the snapshot taken at a stage move)."""

    date = JalaliDateField(label=_("date"))
    headcount = NumberField(label=_("headcount"), min_value=0)
    revenue_band = forms.ChoiceField(label=_("revenue band"), choices=KpiSnapshot.RevenueBand.choices)
    funds_raised = NumberField(label=_("funds raised to date (rials)"), min_value=0, initial=0,
                               help_text=_("Cumulative: everything raised so far."))
    customers = NumberField(label=_("customers"), min_value=0, initial=0)
    patents = NumberField(label=_("patents"), min_value=0, initial=0)


class StageMoveForm(KpiForm):
    """The gate: the next stage, its entry criteria ticked, evidence, and the KPI snapshot at the move."""

    to_stage = forms.ModelChoiceField(label=_("move to"), queryset=JourneyStage.objects.none())
    checklist = forms.MultipleChoiceField(label=_("entry criteria met"), required=False,
                                          widget=forms.CheckboxSelectMultiple)
    evidence_file = forms.FileField(label=_("evidence file"), required=False)
    evidence_link = forms.URLField(label=_("evidence link"), required=False)
    note = forms.CharField(label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    skip_reason = forms.CharField(label=_("reason for skipping stages"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 2}),
                                  help_text=_("Needed when the move is not to the next stage (an exit needs none)."))

    field_order = ["to_stage", "checklist", "evidence_file", "evidence_link", "note", "skip_reason", "date"]

    def __init__(self, *args, residency: Residency, stages: list[JourneyStage], next_stage=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_stage"].queryset = JourneyStage.objects.filter(site=residency.site)
        self.fields["to_stage"].initial = next_stage.pk if next_stage else None
        self.fields["date"].label = _("date of the decision")
        criteria = []
        for stage in stages:
            criteria += [(c, f"{stage.name}: {c}") for c in stage.criteria]
        self.fields["checklist"].choices = criteria
