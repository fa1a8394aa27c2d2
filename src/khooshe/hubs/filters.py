"""One FilterSet per model, shared by the list pages and the API."""

import django_filters
from django.utils.translation import gettext_lazy as _

from khooshe.core.filters import SearchFilterSet, ordering
from khooshe.core.text import query_terms
from khooshe.registry.filters import IdFilter

from . import models


class SiteFilterSet(SearchFilterSet):
    operator = IdFilter(field_name="operator", label=_("operator (id)"))
    region = IdFilter(field_name="region", label=_("region (id)"))
    sort = ordering("name", "area_m2", "created_at", operator="operator__name_key")

    class Meta:
        model = models.Site
        fields = ["operator", "region"]


class OpeningHoursFilterSet(SearchFilterSet):
    site = IdFilter(field_name="site", label=_("site (id)"))
    weekday = django_filters.ChoiceFilter(choices=models.Weekday.choices, label=_("weekday"))
    sort = ordering("weekday", "opens", "closes", site="site__name")

    class Meta:
        model = models.OpeningHours
        fields = ["site", "weekday"]

    def filter_search(self, queryset, name, value):
        for term in query_terms(value):
            queryset = queryset.filter(site__search_text__contains=term)
        return queryset


class ClosedDayFilterSet(SearchFilterSet):
    site = IdFilter(field_name="site", label=_("site (id)"))
    kind = django_filters.ChoiceFilter(choices=models.ClosedDay.Kind.choices, label=_("kind"))
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte", label=_("from date"))
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte", label=_("to date"))
    sort = ordering("date", "name", "kind")

    class Meta:
        model = models.ClosedDay
        fields = ["site", "kind"]

    def filter_search(self, queryset, name, value):
        return queryset.filter(name__icontains=value)


class SpaceFilterSet(SearchFilterSet):
    site = IdFilter(field_name="site", label=_("site (id)"))
    parent = IdFilter(field_name="parent", label=_("inside (id)"))
    kind = django_filters.MultipleChoiceFilter(choices=models.SpaceKind.choices, label=_("kind"))
    bookable = django_filters.BooleanFilter(label=_("bookable"))
    sort = ordering("name", "kind", "capacity", "price_per_hour", "created_at", site="site__name")

    class Meta:
        model = models.Space
        fields = ["site", "parent", "kind", "bookable"]


class BookingFilterSet(SearchFilterSet):
    space = IdFilter(field_name="space", label=_("space (id)"))
    site = IdFilter(field_name="space__site", label=_("site (id)"))
    status = django_filters.MultipleChoiceFilter(choices=models.Booking.Status.choices, label=_("status"))
    start_from = django_filters.DateFilter(field_name="start", lookup_expr="date__gte", label=_("from date"))
    start_to = django_filters.DateFilter(field_name="start", lookup_expr="date__lte", label=_("to date"))
    sort = ordering("start", "end", "status", "title", "created_at", space="space__name")

    class Meta:
        model = models.Booking
        fields = ["space", "site", "status"]

    def filter_search(self, queryset, name, value):
        return queryset.filter(title__icontains=value)
