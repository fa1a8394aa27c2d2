"""Forms of the monitoring app: the generic edit forms and the public survey answer form."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from khooshe.core.forms import BaseModelForm
from khooshe.core.widgets import AutocompleteSelect

from . import models


class ResultForm(BaseModelForm):
    class Meta:
        model = models.Result
        fields = ["program", "parent", "level", "title_fa", "title_en", "description", "task", "position"]


class IndicatorForm(BaseModelForm):
    disaggregations = forms.MultipleChoiceField(choices=models.Dimension.choices, required=False,
                                                widget=forms.CheckboxSelectMultiple, label=_("disaggregated by"))

    class Meta:
        model = models.Indicator
        fields = ["program", "result", "code", "name_fa", "name_en", "definition", "unit", "direction",
                  "baseline_value", "baseline_date", "frequency", "data_source", "means_of_verification",
                  "responsible", "disaggregations", "method", "numerator", "denominator", "factor"]
        widgets = {"responsible": AutocompleteSelect()}


class PeriodForm(BaseModelForm):
    class Meta:
        model = models.Period
        fields = ["indicator", "start_date", "end_date", "target", "comment"]


class DisaggregationForm(BaseModelForm):
    class Meta:
        model = models.Disaggregation
        fields = ["period", "dimension", "category", "target", "actual"]


class QuestionnaireForm(BaseModelForm):
    class Meta:
        model = models.Questionnaire
        fields = ["cluster", "program", "title_fa", "title_en", "introduction_fa", "introduction_en",
                  "survey_date", "closes_on", "status"]


class QuestionForm(BaseModelForm):
    class Meta:
        model = models.Question
        fields = ["questionnaire", "position", "kind", "text_fa", "text_en", "help_fa", "help_en", "choices",
                  "scale_min", "scale_max", "required", "relation_type"]


class InvitationForm(BaseModelForm):
    class Meta:
        model = models.Invitation
        fields = ["questionnaire", "organization"]
        widgets = {"organization": AutocompleteSelect()}

    def clean(self):
        data = super().clean()
        q, org = data.get("questionnaire"), data.get("organization")
        if q and org and models.Invitation.objects.filter(questionnaire=q, organization=org).exclude(
                pk=self.instance.pk).exists():
            self.add_error("organization", _("%(organization)s is already invited to this questionnaire; an "
                                             "organization answers once.") % {"organization": org})
        return data


class SelfAssessmentForm(BaseModelForm):
    class Meta:
        model = models.SelfAssessment
        fields = ["cluster", "label", "assessed_on", "note"]


class AssessmentItemForm(BaseModelForm):
    class Meta:
        model = models.AssessmentItem
        fields = ["assessment", "area", "position", "indicator_fa", "indicator_en", "weight", "score", "evidence"]


def parse_answers(questionnaire, data, member_ids) -> dict[str, object]:
    """Answers from the public form's POST data, keyed by question id (validated by services.save_answers).

    Field names: ``q<id>`` (one value), ``q<id>`` repeated (multiple choice), and for a network question
    ``q<id>_m<organization id>`` = trust 1-5 (empty: no tie).
    """
    answers: dict[str, object] = {}
    for question in questionnaire.questions.all():
        key = f"q{question.pk}"
        if question.kind == models.QuestionKind.MULTIPLE:
            answers[str(question.pk)] = data.getlist(key)
        elif question.kind == models.QuestionKind.NETWORK:
            ties = []
            for org_id in member_ids:
                raw = (data.get(f"{key}_m{org_id}") or "").strip()
                if raw:
                    try:
                        trust = int(raw)
                    except ValueError:
                        trust = raw
                    ties.append({"organization": org_id, "trust": trust})
            answers[str(question.pk)] = ties
        else:
            answers[str(question.pk)] = (data.get(key) or "").strip()
    return answers
