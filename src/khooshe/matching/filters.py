"""One FilterSet per model, shared by the list pages and the API. Profiles have no owner filter and no
owner sort: a profile's owner is anonymous."""

import django_filters
from django.utils.translation import gettext_lazy as _

from khooshe.core.filters import SearchFilterSet, ordering
from khooshe.registry.filters import IdFilter, RegionTreeFilter, SectorTreeFilter, _sector_choices
from khooshe.registry.models import Region

from . import models


class ChallengeFilterSet(SearchFilterSet):
    status = django_filters.MultipleChoiceFilter(choices=models.Challenge.Status.choices, label=_("status"))
    visibility = django_filters.ChoiceFilter(choices=models.Challenge.Visibility.choices, label=_("visibility"))
    sector = SectorTreeFilter(field_name="sectors", queryset=_sector_choices, label=_("sector"))
    region = RegionTreeFilter(field_name="region", queryset=Region.objects.all(), label=_("region"))
    owner = IdFilter(field_name="owner", label=_("owner organization (id)"))
    sort = ordering("title", "status", "deadline", "budget_max", "created_at", owner="owner__name_key")

    class Meta:
        model = models.Challenge
        fields = ["status", "visibility", "sector", "region", "owner"]


class CriterionFilterSet(SearchFilterSet):
    challenge = IdFilter(field_name="challenge", label=_("challenge (id)"))
    sort = ordering("name", "weight", challenge="challenge__title")

    class Meta:
        model = models.Criterion
        fields = ["challenge"]


class ProposalFilterSet(SearchFilterSet):
    challenge = IdFilter(field_name="challenge", label=_("challenge (id)"))
    solver = IdFilter(field_name="solver", label=_("solver organization (id)"))
    status = django_filters.MultipleChoiceFilter(choices=models.Proposal.Status.choices, label=_("status"))
    sort = ordering("status", "price", "duration_days", "created_at", challenge="challenge__title",
                    solver="solver__name_key")

    class Meta:
        model = models.Proposal
        fields = ["challenge", "solver", "status"]


class ProfileFilterSet(SearchFilterSet):
    kind = django_filters.ChoiceFilter(choices=models.Profile.Kind.choices, label=_("kind"))
    stage = django_filters.ChoiceFilter(choices=models.Profile.Stage.choices, label=_("stage of development"))
    ip_status = django_filters.ChoiceFilter(choices=models.Profile.IPStatus.choices, label=_("IP status"))
    partnership_type = django_filters.ChoiceFilter(choices=models.Profile.Partnership.choices,
                                                   label=_("partnership sought"))
    sector = SectorTreeFilter(field_name="sectors", queryset=_sector_choices, label=_("sector"))
    sort = ordering("title", "kind", "stage", "partnership_type", "created_at")

    class Meta:
        model = models.Profile
        fields = ["kind", "stage", "ip_status", "partnership_type", "sector"]
