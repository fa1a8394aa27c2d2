"""The monitoring app's models in the generic UI and API (core.generic); the results framework, dashboard,
network, survey and report pages are in views.py."""

from django.utils.translation import gettext_lazy as _

from khooshe.core.generic import ModelConfig, RelatedList, register

from . import api, filters, forms, models

GROUP = _("Monitoring and evaluation")

register(ModelConfig(
    model=models.Result, filterset_class=filters.ResultFilterSet, form_class=forms.ResultForm,
    serializer_class=api.ResultSerializer, list_columns=["title_fa", "level", "program", "parent", "task"],
    select_related=["program", "parent", "task"],
    related_lists=[RelatedList(_("Indicators"), models.Indicator, "result", ["code", "name_fa", "unit"])],
    menu_group=GROUP,
))

register(ModelConfig(
    model=models.Indicator, filterset_class=filters.IndicatorFilterSet, form_class=forms.IndicatorForm,
    serializer_class=api.IndicatorSerializer,
    list_columns=["code", "name_fa", "program", "unit", "direction", "frequency", "method"],
    select_related=["program", "result", "responsible"],
    related_lists=[RelatedList(_("Periods"), models.Period, "indicator",
                               ["start_date", "end_date", "target", "actual", "status"])],
    detail_template="monitoring/indicator_extra.html",
    menu_group=GROUP,
))

register(ModelConfig(
    model=models.Period, filterset_class=filters.PeriodFilterSet, form_class=forms.PeriodForm,
    serializer_class=api.PeriodSerializer,
    list_columns=["indicator", "start_date", "end_date", "target", "actual", "status"],
    select_related=["indicator", "indicator__program"],
    detail_fields=["indicator", "start_date", "end_date", "target", "actual", "computed", "comment", "evidence",
                   "status", "entered_by", "entered_at", "approved_by", "approved_at", "created_at", "updated_at"],
    related_lists=[RelatedList(_("Disaggregated values"), models.Disaggregation, "period",
                               ["dimension", "category", "target", "actual"])],
    detail_template="monitoring/period_extra.html",
    menu_group=GROUP,
))

register(ModelConfig(
    model=models.Disaggregation, filterset_class=filters.DisaggregationFilterSet,
    form_class=forms.DisaggregationForm, serializer_class=api.DisaggregationSerializer,
    list_columns=["period", "dimension", "category", "target", "actual"],
    select_related=["period", "period__indicator"], menu_group=GROUP,
))

register(ModelConfig(
    model=models.Questionnaire, filterset_class=filters.QuestionnaireFilterSet, form_class=forms.QuestionnaireForm,
    serializer_class=api.QuestionnaireSerializer,
    list_columns=["title_fa", "cluster", "survey_date", "status"], select_related=["cluster", "program"],
    related_lists=[RelatedList(_("Questions"), models.Question, "questionnaire", ["position", "kind", "text_fa"])],
    detail_template="monitoring/questionnaire_extra.html",
    menu_group=GROUP,
))

register(ModelConfig(
    model=models.Question, filterset_class=filters.QuestionFilterSet, form_class=forms.QuestionForm,
    serializer_class=api.QuestionSerializer, list_columns=["text_fa", "questionnaire", "position", "kind", "required"],
    select_related=["questionnaire"], menu_group=GROUP,
))

register(ModelConfig(
    model=models.Invitation, filterset_class=filters.InvitationFilterSet, form_class=forms.InvitationForm,
    serializer_class=api.InvitationSerializer, slug="invitations",
    list_columns=["organization", "questionnaire", "status", "saved_at", "submitted_at"],
    select_related=["organization", "questionnaire"],
    detail_fields=["questionnaire", "organization", "respondent", "saved_at", "submitted_at", "created_at"],
    detail_template="monitoring/invitation_extra.html",
    menu_group=GROUP,
))

register(ModelConfig(
    model=models.SelfAssessment, filterset_class=filters.SelfAssessmentFilterSet,
    form_class=forms.SelfAssessmentForm, serializer_class=api.SelfAssessmentSerializer,
    list_columns=["cluster", "label", "assessed_on"], select_related=["cluster"],
    related_lists=[RelatedList(_("Items"), models.AssessmentItem, "assessment",
                               ["area_label", "indicator_fa", "weight", "score"], limit=100)],
    detail_template="monitoring/selfassessment_extra.html",
    menu_group=GROUP,
))

register(ModelConfig(
    model=models.AssessmentItem, filterset_class=filters.AssessmentItemFilterSet,
    form_class=forms.AssessmentItemForm, serializer_class=api.AssessmentItemSerializer,
    list_columns=["indicator_fa", "assessment", "area_label", "weight", "score"], select_related=["assessment"],
    menu_group=GROUP,
))
