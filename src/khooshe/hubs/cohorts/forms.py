"""Forms of cohorts: the generic forms of the models (Jalali dates from core.forms.BaseModelForm) and the
application form built from a call's questions (its answers are validated by services.clean_answers)."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from khooshe.core.forms import BaseModelForm
from khooshe.core.widgets import AutocompleteSelect
from khooshe.registry.access import access_for

from . import models as cm
from .models import CallQuestion
from .services import answer_key


class UsernameField(forms.ModelChoiceField):
    """A user typed by username (there may be many users: no list of them)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", _("The user's username (or id)."))
        super().__init__(queryset=get_user_model().objects.filter(is_active=True), to_field_name="username",
                         widget=forms.TextInput(attrs={"dir": "ltr", "autocomplete": "off"}), **kwargs)
        self.error_messages["invalid_choice"] = _("No active user has this username; check the spelling.")

    def to_python(self, value):
        """A username, or a user's id (as the API and the generic tests send)."""
        if value not in self.empty_values:
            text = str(value).strip()
            user = self.queryset.filter(username=text).first()
            if user is None and text.isdigit():
                user = self.queryset.filter(pk=int(text)).first()
            if user is None:
                raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
            return user
        return None

    def prepare_value(self, value):
        if isinstance(value, int):
            return get_user_model().objects.filter(pk=value).values_list("username", flat=True).first() or value
        return super().prepare_value(value)


def _own_sites(form, name: str, lookup: str):
    """Limit a program/cohort/call choice to those of the sites the user is staff of."""
    if name not in form.fields or form.user is None:
        return
    acc = access_for(form.user)
    if not acc.is_admin:
        form.fields[name].queryset = form.fields[name].queryset.filter(**{f"{lookup}__in": acc.hub_ids})


class HubProgramForm(BaseModelForm):
    class Meta:
        model = cm.HubProgram
        fields = ["site", "name", "kind", "partner", "description", "benefits", "visibility"]
        widgets = {"partner": AutocompleteSelect()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _own_sites(self, "site", "operator")


class CohortForm(BaseModelForm):
    class Meta:
        model = cm.Cohort
        fields = ["program", "name", "start_date", "end_date", "capacity", "status"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _own_sites(self, "program", "site__operator")


class CohortCallForm(BaseModelForm):
    class Meta:
        model = cm.CohortCall
        fields = ["cohort", "title", "description", "opens_on", "closes_on"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _own_sites(self, "cohort", "program__site__operator")


class CallQuestionForm(BaseModelForm):
    class Meta:
        model = cm.CallQuestion
        fields = ["call", "order", "label", "help_text", "kind", "required", "choices"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _own_sites(self, "call", "cohort__program__site__operator")


class CallCriterionForm(BaseModelForm):
    class Meta:
        model = cm.CallCriterion
        fields = ["call", "name", "weight"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _own_sites(self, "call", "cohort__program__site__operator")


class CohortApplicationForm(BaseModelForm):
    """Staff's edit of an application (answers, status and decisions have their own pages)."""

    class Meta:
        model = cm.CohortApplication
        fields = ["team_name", "decision_note"]


class ApplicationReviewForm(BaseModelForm):
    """Staff assign a reviewer to an application (the model refuses a conflict of interest)."""

    reviewer = UsernameField(label=_("reviewer"))

    class Meta:
        model = cm.ApplicationReview
        fields = ["application", "reviewer"]
        widgets = {"application": AutocompleteSelect()}


class CohortMemberForm(BaseModelForm):
    class Meta:
        model = cm.CohortMember
        fields = ["cohort", "organization", "team_name", "joined_on"]
        widgets = {"organization": AutocompleteSelect()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _own_sites(self, "cohort", "program__site__operator")


TIME_INPUT = forms.TimeInput(attrs={"type": "time", "step": 300, "dir": "ltr"}, format="%H:%M")


class OfficeHourBlockForm(BaseModelForm):
    mentor = UsernameField(label=_("mentor"))

    class Meta:
        model = cm.OfficeHourBlock
        fields = ["cohort", "mentor", "mentor_person", "space", "date", "start_time", "end_time", "slot_minutes",
                  "topic"]
        widgets = {"mentor_person": AutocompleteSelect(), "space": AutocompleteSelect(),
                   "start_time": TIME_INPUT, "end_time": TIME_INPUT}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _own_sites(self, "cohort", "program__site__operator")


# -- the application form of a call ------------------------------------------------------------------------
def _field_for(question: CallQuestion) -> forms.Field:
    """A form field shown for a question. Server-side validation is services.clean_answers (also used by
    the API), so the fields are all optional here and only shape the input."""
    common = {"label": question.label, "required": False, "help_text": question.help_text}
    kind = question.kind
    if kind == CallQuestion.Kind.LONG_TEXT:
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 5, "dir": "auto"}), **common)
    if kind == CallQuestion.Kind.NUMBER:
        return forms.CharField(widget=forms.TextInput(attrs={"inputmode": "decimal", "dir": "ltr"}), **common)
    if kind == CallQuestion.Kind.CHOICE:
        return forms.ChoiceField(choices=[("", "—"), *[(c, c) for c in question.choice_list]], **common)
    if kind == CallQuestion.Kind.YES_NO:
        return forms.ChoiceField(choices=[("", "—"), ("yes", _("Yes")), ("no", _("No"))], **common)
    if kind == CallQuestion.Kind.LINK:
        return forms.CharField(widget=forms.TextInput(attrs={"dir": "ltr", "placeholder": "https://"}), **common)
    return forms.CharField(widget=forms.TextInput(attrs={"dir": "auto"}), **common)


class ApplicationForm(forms.Form):
    """Who applies (an organization of the user, or a new team) and one field per question of the call."""

    organization = forms.ModelChoiceField(queryset=None, required=False, label=_("apply for"),
                                          empty_label=_("a new team (not yet an organization)"))
    team_name = forms.CharField(label=_("new team's name"), required=False, max_length=200,
                                widget=forms.TextInput(attrs={"dir": "auto"}))

    def __init__(self, *args, questions, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        self.fields["organization"].queryset = organizations
        for question in questions:
            self.fields[answer_key(question)] = _field_for(question)
            if question.required:
                self.fields[answer_key(question)].label_suffix = " *"

    def answers(self) -> dict:
        return {answer_key(q): self.data.get(answer_key(q), "") for q in self.questions}
