from django import forms
from django.utils.translation import gettext_lazy as _

from khooshe.core.forms import BaseModelForm
from khooshe.core.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from khooshe.registry.access import access_for
from khooshe.registry.models import Organization

from . import models
from .services import WEIGHTS, cycle_problem


def _limit_to_own_organizations(form, name):
    user = form.user
    if user is None or name not in form.fields:
        return
    acc = access_for(user)
    if not acc.is_admin:
        form.fields[name].queryset = Organization.objects.filter(pk__in=acc.editable_organization_ids())


class MissionForm(BaseModelForm):
    class Meta:
        model = models.Mission
        fields = ["title", "description", "owner", "region", "capacity_period", "visibility"]
        widgets = {"owner": AutocompleteSelect(), "region": AutocompleteSelect()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _limit_to_own_organizations(self, "owner")


class StageForm(BaseModelForm):
    class Meta:
        model = models.Stage
        fields = ["mission", "name", "position", "predecessors", "sectors", "capability_tags", "licences",
                  "capacity_unit", "min_quality", "max_share", "min_lot", "organization_kind"]
        widgets = {"mission": AutocompleteSelect(), "predecessors": AutocompleteSelectMultiple(),
                   "sectors": AutocompleteSelectMultiple()}

    def clean(self):
        data = super().clean()
        mission, preds = data.get("mission"), data.get("predecessors")
        if mission is not None and preds:
            problem = cycle_problem(mission=mission, stage=self.instance if self.instance.pk else None,
                                    predecessors=list(preds))
            if problem:
                self.add_error("predecessors", problem)
        return data


class LicenceForm(BaseModelForm):
    class Meta:
        model = models.Licence
        fields = ["organization", "kind", "number", "valid_from", "valid_until"]
        widgets = {"organization": AutocompleteSelect()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _limit_to_own_organizations(self, "organization")


class MemberCapacityForm(BaseModelForm):
    class Meta:
        model = models.MemberCapacity
        fields = ["organization", "stage", "capacity", "unit_cost", "lead_time_days", "quality"]
        widgets = {"organization": AutocompleteSelect(), "stage": AutocompleteSelect()}


class DemandForm(BaseModelForm):
    class Meta:
        model = models.Demand
        fields = ["mission", "units", "label"]
        widgets = {"mission": AutocompleteSelect()}


class CompositionForm(BaseModelForm):
    class Meta:
        model = models.Composition
        fields = ["note"]


class ChainTemplateForm(BaseModelForm):
    class Meta:
        model = models.ChainTemplate
        fields = ["key", "name_fa", "name_en", "stages"]


class ComposeForm(forms.Form):
    """The composer's demand, objective weights and constraints."""

    units = forms.IntegerField(label=_("demand (units per period)"), min_value=1)
    cost = forms.FloatField(label=_("weight: cost"), min_value=0, initial=1.0)
    distance = forms.FloatField(label=_("weight: distance between consecutive stages"), min_value=0, initial=0.0)
    quality = forms.FloatField(label=_("weight: quality"), min_value=0, initial=0.0)
    trust = forms.FloatField(label=_("weight: trust between members"), min_value=0, initial=0.0,
                             help_text=_("From the registry's relations; slow on large chains."))
    members = forms.FloatField(label=_("weight: fewer members"), min_value=0, initial=0.0)
    spread = forms.FloatField(label=_("weight: work for small firms"), min_value=0, initial=0.0)
    transport_rate = forms.FloatField(label=_("transport cost per unit and km"), min_value=0, initial=0.0)
    max_members = forms.IntegerField(label=_("maximum consortium size"), min_value=1, required=False)
    alternatives = forms.IntegerField(label=_("consortia to propose"), min_value=1, max_value=10, initial=1)
    time_limit = forms.FloatField(label=_("time limit (seconds)"), min_value=1, max_value=300, initial=20)

    def weights(self) -> dict:
        return {k: self.cleaned_data[k] for k in (*WEIGHTS, "transport_rate")}


class WhatIfForm(forms.Form):
    organization = forms.IntegerField(label=_("member to remove (id)"), min_value=1)


class GapActionForm(forms.Form):
    stage = forms.IntegerField(min_value=1)
    kind = forms.ChoiceField(choices=[(k, k) for k in ("no_capacity", "low_capacity", "single_supplier",
                                                        "too_few_suppliers", "expiring_licence")])
    units = forms.IntegerField(min_value=1)
    program = forms.IntegerField(min_value=1, required=False)


class TemplateApplyForm(forms.Form):
    template = forms.ModelChoiceField(queryset=models.ChainTemplate.objects.all(), label=_("chain template"))


class TemplateImportForm(forms.Form):
    file = forms.FileField(label=_("template (JSON)"))
