"""The FilterSet of site selection studies, shared by the list page and the API."""

import django_filters
from django.utils.translation import gettext_lazy as _

from khooshe.core.filters import SearchFilterSet, ordering
from khooshe.registry.filters import IdFilter

from .models import RankingMethod, SitingStudy


class SitingStudyFilterSet(SearchFilterSet):
    owner = IdFilter(field_name="owner", label=_("owner organization (id)"))
    region = IdFilter(field_name="region", label=_("region (id)"))
    method = django_filters.ChoiceFilter(choices=RankingMethod.choices, label=_("ranking method"))
    sort = ordering("name", "created_at", owner="owner__name_key")

    class Meta:
        model = SitingStudy
        fields = ["owner", "region", "method", "published"]
