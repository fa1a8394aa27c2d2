"""FilterSets of events and registrations, shared by the list pages and the API."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from khooshe.core.filters import SearchFilterSet, ordering
from khooshe.registry.filters import IdFilter

from .models import Event, EventAudience, EventRegistration


class EventFilterSet(SearchFilterSet):
    site = IdFilter(field_name="site", label=_("site (id)"))
    space = IdFilter(field_name="space", label=_("space (id)"))
    status = django_filters.ChoiceFilter(choices=Event.Status.choices, label=_("status"))
    audience = django_filters.ChoiceFilter(choices=EventAudience.choices, label=_("open to"))
    starts_from = django_filters.DateFilter(field_name="start", lookup_expr="date__gte", label=_("starts from"))
    starts_to = django_filters.DateFilter(field_name="start", lookup_expr="date__lte", label=_("starts until"))
    sort = ordering("title", "start", "capacity", "status", "created_at", site="site__name")

    class Meta:
        model = Event
        fields = ["site", "space", "status", "audience"]


class EventRegistrationFilterSet(SearchFilterSet):
    event = IdFilter(field_name="event", label=_("event (id)"))
    status = django_filters.ChoiceFilter(choices=EventRegistration.Status.choices, label=_("status"))
    checked_in = django_filters.BooleanFilter(field_name="checked_in_at", lookup_expr="isnull", exclude=True,
                                              label=_("checked in"))
    sort = ordering("name", "email", "status", "checked_in_at", "created_at", event="event__title")

    class Meta:
        model = EventRegistration
        fields = ["event", "status"]

    def filter_search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(name__icontains=value) | Q(email__icontains=value.lower())
                               | Q(code=value.upper()))
