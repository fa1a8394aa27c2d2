"""FilterSets of residents, shared by the list pages and the API."""

import django_filters
from django.utils.translation import gettext_lazy as _

from khooshe.core.filters import SearchFilterSet, ordering
from khooshe.registry.filters import IdFilter

from .models import HubPlan, JourneyStage, KpiSnapshot, Residency, StageMove


class ResidencyFilterSet(SearchFilterSet):
    site = IdFilter(field_name="site", label=_("site (id)"))
    organization = IdFilter(field_name="organization", label=_("organization (id)"))
    status = django_filters.ChoiceFilter(choices=Residency.Status.choices, label=_("status"))
    stage = IdFilter(field_name="stage", label=_("stage (id)"))
    sort = ordering("start_date", "end_date", "plan", "monthly_price", site="site__name")

    class Meta:
        model = Residency
        fields = ["site", "organization", "status", "stage"]

    def filter_search(self, queryset, name, value):
        return queryset.filter(plan__icontains=value)


class HubPlanFilterSet(SearchFilterSet):
    site = IdFilter(field_name="site", label=_("site (id)"))
    kind = django_filters.ChoiceFilter(choices=HubPlan._meta.get_field("kind").choices, label=_("kind"))
    sort = ordering("name", "monthly_price")

    class Meta:
        model = HubPlan
        fields = ["site", "kind"]

    def filter_search(self, queryset, name, value):
        return queryset.filter(name__icontains=value)


class JourneyStageFilterSet(SearchFilterSet):
    site = IdFilter(field_name="site", label=_("site (id)"))
    sort = ordering("order", "name")

    class Meta:
        model = JourneyStage
        fields = ["site"]

    def filter_search(self, queryset, name, value):
        return queryset.filter(name__icontains=value)


class StageMoveFilterSet(SearchFilterSet):
    residency = IdFilter(field_name="residency", label=_("residency (id)"))
    site = IdFilter(field_name="residency__site", label=_("site (id)"))
    sort = ordering("moved_on")

    class Meta:
        model = StageMove
        fields = ["residency", "site"]

    def filter_search(self, queryset, name, value):
        return queryset.filter(note__icontains=value)


class KpiSnapshotFilterSet(SearchFilterSet):
    residency = IdFilter(field_name="residency", label=_("residency (id)"))
    site = IdFilter(field_name="residency__site", label=_("site (id)"))
    sort = ordering("date", "headcount", "funds_raised")

    class Meta:
        model = KpiSnapshot
        fields = ["residency", "site"]

    def filter_search(self, queryset, name, value):
        return queryset.filter(residency__organization__name_fa__icontains=value)
