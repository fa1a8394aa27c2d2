"""One FilterSet per model, shared by the list pages and the API."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from khooshe.core.filters import ordering
from khooshe.core.text import normalize
from khooshe.registry.filters import IdFilter

from . import models


class TextFilterSet(django_filters.FilterSet):
    """``q``: every word must occur in one of ``search_fields`` (case-insensitive)."""

    search_fields: tuple[str, ...] = ()
    q = django_filters.CharFilter(method="filter_q", label=_("Search"), max_length=200)

    def filter_q(self, queryset, name, value):
        for word in normalize(value).split():
            condition = Q()
            for field in self.search_fields:
                condition |= Q(**{f"{field}__icontains": word})
            queryset = queryset.filter(condition)
        return queryset


class ResultFilterSet(TextFilterSet):
    search_fields = ("title_fa", "title_en")
    program = IdFilter(field_name="program", label=_("program (id)"))
    level = django_filters.MultipleChoiceFilter(choices=models.Level.choices, label=_("level"))
    sort = ordering("level", "position", "title_fa", program="program__title_fa")

    class Meta:
        model = models.Result
        fields = ["program", "level"]


class IndicatorFilterSet(TextFilterSet):
    search_fields = ("code", "name_fa", "name_en")
    program = IdFilter(field_name="program", label=_("program (id)"))
    result = IdFilter(field_name="result", label=_("result (id)"))
    method = django_filters.ChoiceFilter(choices=models.Indicator.Method.choices, label=_("method"))
    sort = ordering("code", "name_fa", "frequency", "method", program="program__title_fa")

    class Meta:
        model = models.Indicator
        fields = ["program", "result", "method"]


class PeriodFilterSet(TextFilterSet):
    search_fields = ("indicator__code", "indicator__name_fa", "comment")
    indicator = IdFilter(field_name="indicator", label=_("indicator (id)"))
    program = IdFilter(field_name="indicator__program", label=_("program (id)"))
    status = django_filters.MultipleChoiceFilter(choices=models.ApprovalStatus.choices, label=_("approval"))
    sort = ordering("start_date", "end_date", "target", "actual", "status", indicator="indicator__code")

    class Meta:
        model = models.Period
        fields = ["indicator", "program", "status"]


class DisaggregationFilterSet(TextFilterSet):
    search_fields = ("category",)
    period = IdFilter(field_name="period", label=_("period (id)"))
    dimension = django_filters.ChoiceFilter(choices=models.Dimension.choices, label=_("dimension"))
    sort = ordering("dimension", "category", "target", "actual")

    class Meta:
        model = models.Disaggregation
        fields = ["period", "dimension"]


class QuestionnaireFilterSet(TextFilterSet):
    search_fields = ("title_fa", "title_en")
    cluster = IdFilter(field_name="cluster", label=_("cluster (id)"))
    program = IdFilter(field_name="program", label=_("program (id)"))
    status = django_filters.MultipleChoiceFilter(choices=models.Questionnaire.Status.choices, label=_("status"))
    sort = ordering("title_fa", "survey_date", "status", cluster="cluster__name_fa")

    class Meta:
        model = models.Questionnaire
        fields = ["cluster", "program", "status"]


class QuestionFilterSet(TextFilterSet):
    search_fields = ("text_fa", "text_en")
    questionnaire = IdFilter(field_name="questionnaire", label=_("questionnaire (id)"))
    kind = django_filters.MultipleChoiceFilter(choices=models.QuestionKind.choices, label=_("kind"))
    sort = ordering("position", "kind", "text_fa")

    class Meta:
        model = models.Question
        fields = ["questionnaire", "kind"]


class InvitationFilterSet(TextFilterSet):
    search_fields = ("organization__name_fa", "organization__name_en", "respondent")
    questionnaire = IdFilter(field_name="questionnaire", label=_("questionnaire (id)"))
    organization = IdFilter(field_name="organization", label=_("organization (id)"))
    submitted = django_filters.BooleanFilter(field_name="submitted_at", lookup_expr="isnull", exclude=True,
                                             label=_("submitted"))
    sort = ordering("submitted_at", "saved_at", organization="organization__name_fa")

    class Meta:
        model = models.Invitation
        fields = ["questionnaire", "organization", "submitted"]


class SelfAssessmentFilterSet(TextFilterSet):
    search_fields = ("note", "cluster__name_fa")
    cluster = IdFilter(field_name="cluster", label=_("cluster (id)"))
    label = django_filters.ChoiceFilter(choices=models.SelfAssessment.Label.choices, label=_("label"))
    sort = ordering("assessed_on", "label", cluster="cluster__name_fa")

    class Meta:
        model = models.SelfAssessment
        fields = ["cluster", "label"]


class AssessmentItemFilterSet(TextFilterSet):
    search_fields = ("indicator_fa", "indicator_en", "evidence")
    assessment = IdFilter(field_name="assessment", label=_("self-assessment (id)"))
    area = django_filters.CharFilter(field_name="area", label=_("area"))
    sort = ordering("position", "area", "weight", "score")

    class Meta:
        model = models.AssessmentItem
        fields = ["assessment", "area"]
