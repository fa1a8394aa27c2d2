"""Forms of the network of hubs: networks, link rules and the dashboards' period picker."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from khooshe.core.forms import BaseModelForm
from khooshe.core.jalali import JalaliDateField
from khooshe.core.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from khooshe.hubs.models import Site, SpaceKind
from khooshe.registry.access import access_for
from khooshe.registry.models import HUB_KINDS, Organization

from .models import HubNetwork, LinkRule, validate_members_are_hubs


class HubNetworkForm(BaseModelForm):
    class Meta:
        model = HubNetwork
        fields = ["name", "coordinator", "members", "description"]
        widgets = {"coordinator": AutocompleteSelect(), "members": AutocompleteSelectMultiple()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = Organization.objects.filter(kind__in=HUB_KINDS)
        acc = access_for(self.user) if self.user is not None else None
        if acc is not None and not acc.is_admin:  # coordinate only for an organization you act for
            self.fields["coordinator"].queryset = Organization.objects.filter(
                pk__in=acc.organization_ids | acc.hub_ids)

    def clean_members(self):
        members = self.cleaned_data["members"]
        try:
            validate_members_are_hubs(members)
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["members"]) from None
        return members


class LinkRuleForm(BaseModelForm):
    space_kinds = forms.MultipleChoiceField(label=_("kinds of spaces guests may book"), choices=SpaceKind.choices,
                                            widget=forms.CheckboxSelectMultiple, required=False)

    class Meta:
        model = LinkRule
        fields = ["site", "network", "space_kinds", "price_factor", "can_attend_events", "can_request_services",
                  "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        acc = access_for(self.user) if self.user is not None else None
        if acc is not None and not acc.is_admin:  # staff set the rules of their own houses only
            self.fields["site"].queryset = Site.objects.filter(operator__in=acc.hub_ids)
            self.fields["network"].queryset = HubNetwork.objects.filter(members__in=acc.hub_ids).distinct()


class PeriodForm(forms.Form):
    """The dashboards' period: two dates, Jalali in the Persian interface."""

    first = JalaliDateField(label=_("from"), required=False)
    last = JalaliDateField(label=_("to"), required=False)

    def clean(self):
        data = super().clean()
        first, last = data.get("first"), data.get("last")
        if first and last and last < first:
            self.add_error("last", _("The end of the period must not be before its start."))
        if first and last and (last - first).days > 3 * 366:
            self.add_error("last", _("Choose a period of at most three years."))
        return data
