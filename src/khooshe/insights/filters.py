"""The dataset list's filters, shared by the list page and the API."""

import django_filters
from django.utils.translation import gettext_lazy as _

from khooshe.core.filters import SearchFilterSet, ordering
from khooshe.registry.filters import visible_clusters
from khooshe.registry.models import Visibility

from . import models


class DatasetFilterSet(SearchFilterSet):
    source = django_filters.ChoiceFilter(choices=models.Dataset.Source.choices, label=_("source"))
    visibility = django_filters.ChoiceFilter(choices=Visibility.choices, label=_("visibility"))
    cluster = django_filters.ModelChoiceFilter(queryset=visible_clusters, label=_("cluster"))
    sort = ordering("name", "source", "row_count", "created_at")

    class Meta:
        model = models.Dataset
        fields = ["q", "source", "visibility", "cluster"]
