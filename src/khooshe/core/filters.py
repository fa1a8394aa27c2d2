"""The base FilterSet: one per model, shared by the list page and the API (django-filter)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from .text import query_terms


class SearchFilterSet(django_filters.FilterSet):
    """Adds ``q``: every term of the query (normalized like the stored text) must occur in
    ``search_text``, so "كرمان" finds "کرمان" and "می خواهم" finds "می‌خواهم"."""

    q = django_filters.CharFilter(method="filter_search", label=_("Search"))

    def filter_search(self, queryset, name, value):
        for term in query_terms(value):
            queryset = queryset.filter(search_text__contains=term)
        return queryset


def ordering(*fields: str, **labelled: str) -> django_filters.OrderingFilter:
    """A ``sort`` filter over the given fields (``?sort=-name_fa``), the sortable columns of the list."""
    return django_filters.OrderingFilter(fields=[(f, f) for f in fields] + list(labelled.items()), label=_("Sort"))
