"""Forms of site selection: the study (generic pages), a candidate, a point of interest, the weights."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from khooshe.core.forms import BaseModelForm
from khooshe.core.widgets import AutocompleteSelect
from khooshe.registry.access import access_for
from khooshe.registry.models import Organization

from .models import CandidateSite, PointOfInterest, SitingCriterion, SitingStudy


class SitingStudyForm(BaseModelForm):
    class Meta:
        model = SitingStudy
        fields = ["name", "region", "owner", "description", "method", "published"]
        widgets = {"owner": AutocompleteSelect(), "region": AutocompleteSelect()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.user is not None and not access_for(self.user).is_admin:
            acc = access_for(self.user)
            self.fields["owner"].queryset = Organization.objects.filter(pk__in=acc.organization_ids | acc.hub_ids)


class CriterionForm(forms.ModelForm):
    class Meta:
        model = SitingCriterion
        fields = ["key", "name", "direction", "unit", "weight", "from_points"]
        widgets = {"name": forms.TextInput(attrs={"dir": "auto"})}

    def __init__(self, *args, study=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.study = study

    def clean_key(self):
        key = self.cleaned_data["key"]
        others = SitingCriterion.objects.filter(study=self.study, key=key).exclude(pk=self.instance.pk)
        if self.study is not None and others.exists():
            raise forms.ValidationError(_("The key “%(key)s” is already used by another criterion of this study; "
                                          "choose another.") % {"key": key})
        return key


class CandidateForm(forms.ModelForm):
    class Meta:
        model = CandidateSite
        fields = ["name", "latitude", "longitude", "address", "description"]
        widgets = {"name": forms.TextInput(attrs={"dir": "auto"}), "address": forms.Textarea(attrs={"rows": 2, "dir": "auto"}),
                   "description": forms.Textarea(attrs={"rows": 2, "dir": "auto"})}


class PointForm(forms.ModelForm):
    class Meta:
        model = PointOfInterest
        fields = ["criterion", "name", "latitude", "longitude"]
        widgets = {"name": forms.TextInput(attrs={"dir": "auto"})}

    def __init__(self, *args, study=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["criterion"].queryset = SitingCriterion.objects.filter(study=study, from_points=True)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("CSV or XLSX file"))
