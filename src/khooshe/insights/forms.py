"""Forms of the insights pages: upload, column mapping, registry dataset, run parameters, new cluster."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from khooshe.core.filters import FastSelect
from khooshe.core.forms import BaseModelForm
from khooshe.registry.models import Cluster, Region, Visibility

from . import ingest
from .models import Dataset
from .services import REGION_LEVELS


class DatasetForm(BaseModelForm):
    """Editing a dataset: its description and who sees it (the data itself is replaced by a new upload)."""

    class Meta:
        model = Dataset
        fields = ["name", "description", "visibility", "cluster", "region"]


class _DatasetFields(forms.Form):
    name = forms.CharField(label=_("name"), max_length=200)
    description = forms.CharField(label=_("description"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}))
    visibility = forms.ChoiceField(label=_("visibility"), choices=Visibility.choices, initial=Visibility.PRIVATE,
                                   help_text=_("Private: only you, the staff of its cluster and the admins see "
                                               "it. Public: everyone sees it and its results."))
    cluster = forms.ModelChoiceField(label=_("cluster"), queryset=Cluster.objects.none(), required=False,
                                     widget=FastSelect,
                                     help_text=_("Optional: the cluster these statistics are about."))
    region = forms.ModelChoiceField(label=_("region"), queryset=Region.objects.none(), required=False,
                                    widget=FastSelect,
                                    help_text=_("Optional: the country or province the statistics cover."))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs["dir"] = "auto"
        self.fields["cluster"].queryset = Cluster.objects.visible_to(user)
        self.fields["region"].queryset = Region.objects.filter(
            kind__in=[Region.Kind.COUNTRY, Region.Kind.PROVINCE]).defer("boundary")

    def dataset_fields(self) -> dict:
        data = self.cleaned_data
        return {"name": data["name"], "description": data.get("description", ""),
                "visibility": data["visibility"], "cluster": data.get("cluster"), "region": data.get("region")}


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("file"),
        help_text=_("CSV (UTF-8), XLSX (its first sheet) or Parquet, with a header row of column names and one "
                    "row per record: a region, an industry and a number such as employment."))


ROLE_LABELS = {
    "region": (_("region column"), _("The region (province, county...) of each row: a code or a name.")),
    "industry": (_("industry column"), _("The industry of each row, e.g. an ISIC code such as 10 or 2610.")),
    "value": (_("value column"), _("The number to analyse, usually employment (people employed).")),
    "year": (_("year column"), _("Optional: the year of each row, for growth over time.")),
    "establishment": (_("establishment column"),
                      _("Optional: an id of the firm or workplace, to count establishments.")),
    "wage": (_("wage column"), _("Optional: wages paid.")),
}


class MappingForm(_DatasetFields):
    """Which column of the uploaded file holds the region, the industry, the value...; the choices are
    the file's own columns."""

    token = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, columns: list[str], guesses: dict[str, str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "—")] + [(c, c) for c in columns]
        for role in ingest.ROLES:
            label, help_text = ROLE_LABELS[role]
            self.fields[f"{role}_col"] = forms.ChoiceField(
                label=label, help_text=help_text, choices=choices, required=role in ingest.REQUIRED_ROLES,
                initial=(guesses or {}).get(role, ""))
        # What each column holds comes first: it is what this step is about.
        self.order_fields([f"{role}_col" for role in ingest.ROLES])

    def mapping(self) -> dict[str, str]:
        return {role: self.cleaned_data.get(f"{role}_col") or "" for role in ingest.ROLES}

    def clean(self):
        data = super().clean()
        seen: dict[str, str] = {}
        for role in ingest.ROLES:
            column = data.get(f"{role}_col")
            if not column:
                continue
            if column in seen:
                self.add_error(f"{role}_col", _("This column is already chosen for the %(role)s.") % {
                    "role": ROLE_LABELS[seen[column]][0]})
            seen[column] = role
        return data


class RegistryDatasetForm(_DatasetFields):
    region_level = forms.ChoiceField(
        label=_("regions"), choices=list(zip(REGION_LEVELS, [_("Automatic"), _("Provinces"), _("Counties")],
                                             strict=True)),
        initial="auto",
        help_text=_("Automatic: provinces, or the counties when every organization is in the same province."))


class RunParametersForm(forms.Form):
    """Thresholds of the analysis, named as ``khooshe.analytics.pipeline.PipelineOptions`` names them (the
    defaults are those of the references)."""

    year = forms.IntegerField(
        label=_("year to analyse"), required=False, min_value=1000, max_value=3000,
        help_text=_("Empty: the latest year of the data. Growth is measured from the first year to this one."))
    eco_specialisation_threshold = forms.FloatField(
        label=_("specialisation star: location quotient at least"), initial=2.0, min_value=0.0, max_value=100.0)
    eco_size_quantile = forms.FloatField(
        label=_("size star: employment above this share of regions"), initial=0.9, min_value=0.5, max_value=0.99,
        help_text=_("0.9 = the region is in the top 10% of regions by employment in the industry."))
    eco_focus_quantile = forms.FloatField(
        label=_("focus star: industry share above this share of regions"), initial=0.9, min_value=0.5,
        max_value=0.99)
    candidate_min_stars = forms.IntegerField(
        label=_("candidate cluster: at least this many stars"), initial=2, min_value=0, max_value=3,
        help_text=_("A region and industry with a strong-cluster flag is a candidate in any case."))
    presence_threshold = forms.FloatField(
        label=_("presence threshold (RCA)"), initial=1.0, min_value=0.0, max_value=100.0,
        help_text=_("A region has an industry when its comparative advantage reaches this value (1 = the "
                    "national average)."))
    diversification_top = forms.IntegerField(
        label=_("diversification: industries per region"), initial=10, min_value=1, max_value=100)

    def parameters(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if value is not None}

    @classmethod
    def defaults(cls) -> dict:
        return {name: field.initial for name, field in cls.base_fields.items() if field.initial is not None}


class CreateClusterForm(forms.Form):
    name_fa = forms.CharField(label=_("Persian name"), max_length=300,
                              widget=forms.TextInput(attrs={"dir": "auto"}))
    name_en = forms.CharField(label=_("English name"), max_length=300, required=False,
                              widget=forms.TextInput(attrs={"dir": "auto"}))
    visibility = forms.ChoiceField(label=_("visibility"), choices=Visibility.choices, initial=Visibility.PRIVATE,
                                   help_text=_("Private until you have checked it; make it public by editing "
                                               "the cluster."))
