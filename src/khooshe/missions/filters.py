"""One FilterSet per model, shared by the list pages and the API."""

import django_filters
from django.utils.translation import gettext_lazy as _

from khooshe.core.filters import SearchFilterSet, ordering
from khooshe.registry.filters import IdFilter, RegionTreeFilter
from khooshe.registry.models import Region, Visibility

from . import models


class MissionFilterSet(SearchFilterSet):
    owner = IdFilter(field_name="owner", label=_("owner organization (id)"))
    region = RegionTreeFilter(field_name="region", queryset=Region.objects.all(), label=_("region"))
    visibility = django_filters.ChoiceFilter(choices=Visibility.choices, label=_("visibility"))
    sort = ordering("title", "created_at", owner="owner__name_key")

    class Meta:
        model = models.Mission
        fields = ["owner", "region", "visibility"]


class StageFilterSet(SearchFilterSet):
    mission = IdFilter(field_name="mission", label=_("mission (id)"))
    sort = ordering("name", "position", "min_quality", "max_share", "min_lot", mission="mission__title")

    class Meta:
        model = models.Stage
        fields = ["mission"]


class LicenceFilterSet(SearchFilterSet):
    organization = IdFilter(field_name="organization", label=_("organization (id)"))
    kind = django_filters.CharFilter(field_name="kind", lookup_expr="iexact", label=_("kind"))
    valid_until_before = django_filters.DateFilter(field_name="valid_until", lookup_expr="lte",
                                                   label=_("valid until (on or before)"))
    sort = ordering("kind", "number", "valid_from", "valid_until", organization="organization__name_key")

    class Meta:
        model = models.Licence
        fields = ["organization", "kind"]


class MemberCapacityFilterSet(SearchFilterSet):
    organization = IdFilter(field_name="organization", label=_("organization (id)"))
    stage = IdFilter(field_name="stage", label=_("stage (id)"))
    mission = IdFilter(field_name="stage__mission", label=_("mission (id)"))
    sort = ordering("capacity", "unit_cost", "lead_time_days", "quality", organization="organization__name_key",
                    stage="stage__name")

    class Meta:
        model = models.MemberCapacity
        fields = ["organization", "stage", "mission"]


class DemandFilterSet(SearchFilterSet):
    mission = IdFilter(field_name="mission", label=_("mission (id)"))
    sort = ordering("units", "label", "created_at", mission="mission__title")

    class Meta:
        model = models.Demand
        fields = ["mission"]


class CompositionFilterSet(SearchFilterSet):
    mission = IdFilter(field_name="mission", label=_("mission (id)"))
    status = django_filters.MultipleChoiceFilter(choices=models.Composition.Status.choices, label=_("status"))
    sort = ordering("status", "units", "served", "total_cost", "gap", "solve_seconds", "created_at",
                    mission="mission__title")

    class Meta:
        model = models.Composition
        fields = ["mission", "status"]


class ChainTemplateFilterSet(SearchFilterSet):
    sort = ordering("key", "name_fa", "name_en")

    class Meta:
        model = models.ChainTemplate
        fields = []
