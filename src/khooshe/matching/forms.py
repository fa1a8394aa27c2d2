from django import forms
from django.utils.translation import gettext_lazy as _

from khooshe.core.forms import BaseModelForm
from khooshe.core.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from khooshe.registry.access import access_for
from khooshe.registry.models import Organization

from . import models


def _limit_to_own_organizations(form, name):
    """An owner/solver/sender must be an organization the user acts for."""
    user = form.user
    if user is None or name not in form.fields:
        return
    acc = access_for(user)
    if not acc.is_admin:
        form.fields[name].queryset = Organization.objects.filter(pk__in=acc.editable_organization_ids())


class ChallengeForm(BaseModelForm):
    class Meta:
        model = models.Challenge
        fields = ["owner", "title", "background", "problem_statement", "constraints", "success_criteria",
                  "budget_min", "budget_max", "currency", "start_date", "end_date", "deadline", "ip_terms",
                  "confidentiality_terms", "sectors", "region", "visibility", "invited_organizations", "reviewers"]
        widgets = {"owner": AutocompleteSelect(), "sectors": AutocompleteSelectMultiple(),
                   "invited_organizations": AutocompleteSelectMultiple()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _limit_to_own_organizations(self, "owner")
        # Reviewers: people of the organizations the user acts for (and the current reviewers), never the
        # whole list of the platform's users.
        if self.user is not None and "reviewers" in self.fields and not access_for(self.user).is_admin:
            from django.contrib.auth import get_user_model
            from django.db.models import Q

            from khooshe.registry.models import Role

            orgs = access_for(self.user).editable_organization_ids()
            people = Role.objects.filter(organization__in=orgs).values("user_id")
            current = self.instance.reviewers.values("pk") if self.instance.pk else []
            self.fields["reviewers"].queryset = get_user_model().objects.filter(
                Q(pk__in=people) | Q(pk__in=current)).order_by("username")
        self.fields["reviewers"].help_text = _("People of your organization who score the proposals.")


class CriterionForm(BaseModelForm):
    class Meta:
        model = models.Criterion
        fields = ["challenge", "name", "weight"]


class ProposalForm(BaseModelForm):
    class Meta:
        model = models.Proposal
        fields = ["challenge", "solver", "summary", "approach", "price", "duration_days", "team", "attachment"]
        widgets = {"solver": AutocompleteSelect()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _limit_to_own_organizations(self, "solver")
        if "challenge" in self.fields and not self.instance.pk:
            self.fields["challenge"].queryset = self.fields["challenge"].queryset.filter(
                status=models.Challenge.Status.OPEN)


class ProfileForm(BaseModelForm):
    class Meta:
        model = models.Profile
        fields = ["kind", "owner", "title", "summary", "technology_description", "advantages", "stage",
                  "ip_status", "partnership_type", "sectors", "visibility", "active"]
        widgets = {"owner": AutocompleteSelect(), "sectors": AutocompleteSelectMultiple()}
        help_texts = {"owner": _("Hidden from others until you accept their expression of interest.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _limit_to_own_organizations(self, "owner")


class InterestForm(forms.Form):
    from_organization = forms.ModelChoiceField(queryset=Organization.objects.none(), label=_("on behalf of"))
    message = forms.CharField(label=_("message"), required=False, max_length=5000,
                              widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        acc = access_for(user)
        self.fields["from_organization"].queryset = Organization.objects.filter(
            pk__in=acc.editable_organization_ids())


# -- matchmaking days -------------------------------------------------------------------------------------
class SlotListField(forms.CharField):
    """Slot numbers typed as "1, 2, 5-7" (Persian or ASCII digits); empty means every slot."""

    def to_python(self, value):
        from khooshe.core.text import normalize

        text = normalize(super().to_python(value) or "").replace("،", ",")
        slots: list[int] = []
        for part in filter(None, (p.strip() for p in text.replace(" ", ",").split(","))):
            bounds = part.split("-")
            if len(bounds) > 2 or not all(b.strip().isdigit() for b in bounds):
                raise forms.ValidationError(_("“%(part)s” is not a slot number: write numbers such as 1, 2, 5-7."),
                                            params={"part": part}, code="invalid")
            first, last = int(bounds[0]), int(bounds[-1])
            if last < first or last - first > 1000:
                raise forms.ValidationError(_("“%(part)s” is not a valid range of slots."), params={"part": part},
                                            code="invalid")
            slots.extend(range(first, last + 1))
        return sorted(set(slots))

    def prepare_value(self, value):
        if isinstance(value, list):
            return ", ".join(str(v) for v in value)
        return value


class MatchmakingDayForm(BaseModelForm):
    conflict_relation_types = forms.MultipleChoiceField(
        label=_("related organizations do not meet"), required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("Organizations already linked by one of these relations are not proposed a meeting."))

    class Meta:
        model = models.MatchmakingDay
        fields = ["title", "description", "organiser", "date", "venue", "region", "start_time", "slot_minutes",
                  "slot_count", "tables", "max_meetings", "conflict_relation_types"]
        widgets = {"organiser": AutocompleteSelect(), "start_time": forms.TimeInput(attrs={"type": "time"},
                                                                                     format="%H:%M")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from khooshe.registry.models import RelationType

        self.fields["conflict_relation_types"].choices = RelationType.choices
        _limit_to_own_organizations(self, "organiser")


class ParticipantForm(BaseModelForm):
    available_slots = SlotListField(label=_("available slots"), required=False,
                                    help_text=_("Slot numbers (1 = the first), e.g. 1-4, 7; empty means the "
                                                "whole day."))

    class Meta:
        model = models.Participant
        fields = ["day", "organization", "role", "challenges", "interests", "available_slots", "max_meetings",
                  "conflicts"]
        widgets = {"organization": AutocompleteSelect(), "challenges": AutocompleteSelectMultiple(),
                   "conflicts": AutocompleteSelectMultiple()}

    def clean(self):
        data = super().clean()
        org, challenges = data.get("organization"), data.get("challenges")
        if org is not None and challenges:
            foreign = [c for c in challenges if c.owner_id != org.pk]
            if foreign:
                self.add_error("challenges", _("“%(title)s” is not a challenge of %(org)s.") % {
                    "title": foreign[0].title, "org": org})
        return data


class MeetingRequestForm(BaseModelForm):
    class Meta:
        model = models.MeetingRequest
        fields = ["requester", "recipient", "challenge", "priority", "message"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # the requester: a participation of an organization the user acts for (admins: any)
        if self.user is not None and "requester" in self.fields and not access_for(self.user).is_admin:
            self.fields["requester"].queryset = self.fields["requester"].queryset.filter(
                organization__in=access_for(self.user).editable_organization_ids())
        for name in ("requester", "recipient"):
            self.fields[name].queryset = self.fields[name].queryset.select_related("organization", "day")
            self.fields[name].label_from_instance = lambda p: f"{p.organization} ({p.day})"

    def clean(self):
        data = super().clean()
        requester = data.get("requester")
        if requester is not None:
            self.instance.day_id = requester.day_id
        return data


class MeetingForm(BaseModelForm):
    class Meta:
        model = models.Meeting
        fields = ["day", "slot", "table", "participant_a", "participant_b", "challenge", "status"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("participant_a", "participant_b"):
            self.fields[name].queryset = self.fields[name].queryset.select_related("organization", "day")
            self.fields[name].label_from_instance = lambda p: f"{p.organization} ({p.day})"
