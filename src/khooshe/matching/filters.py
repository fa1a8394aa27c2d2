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


# -- matchmaking days -------------------------------------------------------------------------------------
class MatchmakingDayFilterSet(SearchFilterSet):
    status = django_filters.MultipleChoiceFilter(choices=models.MatchmakingDay.Status.choices, label=_("status"))
    organiser = IdFilter(field_name="organiser", label=_("organiser (id)"))
    region = RegionTreeFilter(field_name="region", queryset=Region.objects.all(), label=_("region"))
    sort = ordering("title", "date", "status", "tables", "slot_count", organiser="organiser__name_key")

    class Meta:
        model = models.MatchmakingDay
        fields = ["status", "organiser", "region"]


class ParticipantFilterSet(SearchFilterSet):
    day = IdFilter(field_name="day", label=_("matchmaking day (id)"))
    organization = IdFilter(field_name="organization", label=_("organization (id)"))
    role = django_filters.ChoiceFilter(choices=models.Participant.Role.choices, label=_("role"))
    sort = ordering("role", "max_meetings", "created_at", day="day__title", organization="organization__name_key")

    class Meta:
        model = models.Participant
        fields = ["day", "organization", "role"]


class MeetingRequestFilterSet(SearchFilterSet):
    day = IdFilter(field_name="day", label=_("matchmaking day (id)"))
    requester = IdFilter(field_name="requester", label=_("from (participant id)"))
    recipient = IdFilter(field_name="recipient", label=_("to (participant id)"))
    status = django_filters.MultipleChoiceFilter(choices=models.MeetingRequest.Status.choices, label=_("status"))
    sort = ordering("priority", "status", "created_at", requester="requester__organization__name_key",
                    recipient="recipient__organization__name_key")

    class Meta:
        model = models.MeetingRequest
        fields = ["day", "requester", "recipient", "status"]


class MeetingFilterSet(SearchFilterSet):
    day = IdFilter(field_name="day", label=_("matchmaking day (id)"))
    participant = IdFilter(method="filter_participant", label=_("participant (id)"))
    slot = IdFilter(field_name="slot", max_value=1000, label=_("slot"))
    status = django_filters.MultipleChoiceFilter(choices=models.Meeting.Status.choices, label=_("status"))
    sort = ordering("slot", "table", "score", "status", participant_a="participant_a__organization__name_key",
                    participant_b="participant_b__organization__name_key")

    class Meta:
        model = models.Meeting
        fields = ["day", "participant", "slot", "status"]

    def filter_participant(self, queryset, name, value):
        from django.db.models import Q

        return queryset.filter(Q(participant_a=value) | Q(participant_b=value))
