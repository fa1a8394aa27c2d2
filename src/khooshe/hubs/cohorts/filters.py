"""One FilterSet per model of cohorts, shared by the list pages and the API."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from khooshe.core.filters import SearchFilterSet, ordering
from khooshe.core.text import query_terms
from khooshe.registry.filters import IdFilter

from . import models as cm


class _TextSearch(SearchFilterSet):
    """Searches one text column (``search_field``) for every term of ``q``."""

    search_field = "name"

    def filter_search(self, queryset, name, value):
        for term in query_terms(value):
            queryset = queryset.filter(**{f"{self.search_field}__icontains": term})
        return queryset


class HubProgramFilterSet(SearchFilterSet):
    site = IdFilter(field_name="site", label=_("site (id)"))
    partner = IdFilter(field_name="partner", label=_("partner (id)"))
    kind = django_filters.MultipleChoiceFilter(choices=cm.HubProgram.Kind.choices, label=_("kind"))
    sort = ordering("name", "kind", "visibility", "created_at", site="site__name")

    class Meta:
        model = cm.HubProgram
        fields = ["site", "partner", "kind", "visibility"]


class CohortFilterSet(_TextSearch):
    program = IdFilter(field_name="program", label=_("program (id)"))
    status = django_filters.MultipleChoiceFilter(choices=cm.Cohort.Status.choices, label=_("status"))
    sort = ordering("name", "start_date", "end_date", "capacity", "status", program="program__name")

    class Meta:
        model = cm.Cohort
        fields = ["program", "status"]


class CohortCallFilterSet(_TextSearch):
    search_field = "title"
    cohort = IdFilter(field_name="cohort", label=_("cohort (id)"))
    program = IdFilter(field_name="cohort__program", label=_("program (id)"))
    sort = ordering("title", "opens_on", "closes_on", cohort="cohort__name")

    class Meta:
        model = cm.CohortCall
        fields = ["cohort", "program"]


class CallQuestionFilterSet(_TextSearch):
    search_field = "label"
    call = IdFilter(field_name="call", label=_("call (id)"))
    kind = django_filters.MultipleChoiceFilter(choices=cm.CallQuestion.Kind.choices, label=_("kind"))
    sort = ordering("order", "label", "kind", "required", call="call__title")

    class Meta:
        model = cm.CallQuestion
        fields = ["call", "kind", "required"]


class CallCriterionFilterSet(_TextSearch):
    call = IdFilter(field_name="call", label=_("call (id)"))
    sort = ordering("name", "weight", call="call__title")

    class Meta:
        model = cm.CallCriterion
        fields = ["call"]


class _TeamSearch(SearchFilterSet):
    """Searches the team's name or its organization's names (applications, members)."""

    def filter_search(self, queryset, name, value):
        for term in query_terms(value):
            queryset = queryset.filter(Q(team_name__icontains=term) | Q(organization__search_text__contains=term))
        return queryset


class CohortApplicationFilterSet(_TeamSearch):
    call = IdFilter(field_name="call", label=_("call (id)"))
    organization = IdFilter(field_name="organization", label=_("organization (id)"))
    status = django_filters.MultipleChoiceFilter(choices=cm.CohortApplication.Status.choices, label=_("status"))
    sort = ordering("status", "team_name", "submitted_at", "created_at", call="call__title",
                    organization="organization__name_key")

    class Meta:
        model = cm.CohortApplication
        fields = ["call", "organization", "status"]


class ApplicationReviewFilterSet(_TextSearch):
    search_field = "comment"
    application = IdFilter(field_name="application", label=_("application (id)"))
    call = IdFilter(field_name="application__call", label=_("call (id)"))
    reviewer = IdFilter(field_name="reviewer", label=_("reviewer (id)"))
    sort = ordering("scored_at", "created_at", reviewer="reviewer__username")

    class Meta:
        model = cm.ApplicationReview
        fields = ["application", "call", "reviewer"]


class CohortMemberFilterSet(_TeamSearch):
    cohort = IdFilter(field_name="cohort", label=_("cohort (id)"))
    organization = IdFilter(field_name="organization", label=_("organization (id)"))
    sort = ordering("team_name", "joined_on", cohort="cohort__name", organization="organization__name_key")

    class Meta:
        model = cm.CohortMember
        fields = ["cohort", "organization"]


class OfficeHourBlockFilterSet(_TextSearch):
    search_field = "topic"
    cohort = IdFilter(field_name="cohort", label=_("cohort (id)"))
    mentor = IdFilter(field_name="mentor", label=_("mentor (id)"))
    space = IdFilter(field_name="space", label=_("space (id)"))
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte", label=_("from date"))
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte", label=_("to date"))
    sort = ordering("date", "start_time", "topic", "slot_minutes", space="space__name")

    class Meta:
        model = cm.OfficeHourBlock
        fields = ["cohort", "mentor", "space"]
