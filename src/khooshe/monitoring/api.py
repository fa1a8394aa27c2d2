"""Serializers of the monitoring API (the viewsets are generic: core.api)."""

from __future__ import annotations

from khooshe.core.api import BaseModelSerializer

from . import models

TIMESTAMPS = ["created_at", "updated_at"]


class ResultSerializer(BaseModelSerializer):
    class Meta:
        model = models.Result
        fields = ["id", "program", "parent", "level", "title_fa", "title_en", "description", "task", "position",
                  *TIMESTAMPS]


class IndicatorSerializer(BaseModelSerializer):
    class Meta:
        model = models.Indicator
        fields = ["id", "program", "result", "code", "name_fa", "name_en", "definition", "unit", "direction",
                  "baseline_value", "baseline_date", "frequency", "data_source", "means_of_verification",
                  "responsible", "disaggregations", "method", "numerator", "denominator", "factor", *TIMESTAMPS]


class PeriodSerializer(BaseModelSerializer):
    class Meta:
        model = models.Period
        fields = ["id", "indicator", "start_date", "end_date", "target", "actual", "computed", "comment",
                  "status", "entered_by", "entered_at", "approved_by", "approved_at", *TIMESTAMPS]
        read_only_fields = ["actual", "computed", "status", "entered_by", "entered_at", "approved_by",
                            "approved_at"]


class DisaggregationSerializer(BaseModelSerializer):
    class Meta:
        model = models.Disaggregation
        fields = ["id", "period", "dimension", "category", "target", "actual", *TIMESTAMPS]


class QuestionnaireSerializer(BaseModelSerializer):
    class Meta:
        model = models.Questionnaire
        fields = ["id", "cluster", "program", "title_fa", "title_en", "introduction_fa", "introduction_en",
                  "survey_date", "closes_on", "status", "template_key", *TIMESTAMPS]
        read_only_fields = ["template_key"]


class QuestionSerializer(BaseModelSerializer):
    class Meta:
        model = models.Question
        fields = ["id", "questionnaire", "position", "kind", "text_fa", "text_en", "help_fa", "help_en", "choices",
                  "scale_min", "scale_max", "required", "relation_type", *TIMESTAMPS]


class InvitationSerializer(BaseModelSerializer):
    class Meta:
        model = models.Invitation
        fields = ["id", "questionnaire", "organization", "saved_at", "submitted_at", "respondent", *TIMESTAMPS]
        read_only_fields = ["saved_at", "submitted_at", "respondent"]


class SelfAssessmentSerializer(BaseModelSerializer):
    class Meta:
        model = models.SelfAssessment
        fields = ["id", "cluster", "label", "assessed_on", "note", *TIMESTAMPS]


class AssessmentItemSerializer(BaseModelSerializer):
    class Meta:
        model = models.AssessmentItem
        fields = ["id", "assessment", "area", "position", "indicator_fa", "indicator_en", "weight", "score",
                  "evidence", *TIMESTAMPS]
