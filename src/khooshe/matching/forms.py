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
