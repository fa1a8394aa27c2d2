"""FilterSets of the service catalogue, shared by the list pages and the API."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from khooshe.core.filters import SearchFilterSet, ordering
from khooshe.registry.filters import IdFilter

from .models import Service, ServiceAudience, ServiceKind, ServiceRequest


class ServiceFilterSet(SearchFilterSet):
    site = IdFilter(field_name="site", label=_("site (id)"))
    provider = IdFilter(field_name="provider", label=_("provided by (id)"))
    kind = django_filters.MultipleChoiceFilter(choices=ServiceKind.choices, label=_("kind"))
    audience = django_filters.ChoiceFilter(choices=ServiceAudience.choices, label=_("who may request"))
    active = django_filters.BooleanFilter(label=_("offered now"))
    free = django_filters.BooleanFilter(method="filter_free", label=_("free"))
    sort = ordering("name", "kind", "price", "created_at", site="site__name")

    class Meta:
        model = Service
        fields = ["site", "provider", "kind", "audience", "active"]

    def filter_free(self, queryset, name, value):
        return queryset.filter(price=0) if value else queryset.exclude(price=0)


class ServiceRequestFilterSet(SearchFilterSet):
    service = IdFilter(field_name="service", label=_("service (id)"))
    site = IdFilter(field_name="service__site", label=_("site (id)"))
    status = django_filters.MultipleChoiceFilter(choices=ServiceRequest.Status.choices, label=_("status"))
    assigned_to = IdFilter(field_name="assigned_to", label=_("assigned to (user id)"))
    rating = django_filters.NumberFilter(label=_("rating"))
    sort = ordering("status", "rating", "created_at", "closed_at", service="service__name")

    class Meta:
        model = ServiceRequest
        fields = ["service", "status", "assigned_to", "rating"]

    def filter_search(self, queryset, name, value):
        return queryset.filter(Q(description__icontains=value) | Q(service__name__icontains=value))
