"""Forms of the service catalogue: the service, a request, assignment, status, messages, rating."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from khooshe.core.forms import BaseModelForm
from khooshe.core.widgets import AutocompleteSelect
from khooshe.registry.access import access_for
from khooshe.registry.models import Organization

from ..forms import _sites_of_user
from .models import Service, ServiceRequest


class ServiceForm(BaseModelForm):
    class Meta:
        model = Service
        fields = ["site", "name", "kind", "provider", "description", "price", "audience", "active"]
        widgets = {"provider": AutocompleteSelect()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _sites_of_user(self)


class ServiceRequestForm(forms.Form):
    organization = forms.ModelChoiceField(label=_("for organization"), queryset=Organization.objects.none(),
                                          required=False)
    description = forms.CharField(label=_("what is needed"), widget=forms.Textarea(attrs={"rows": 4, "dir": "auto"}))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        own = access_for(user).editable_organization_ids() if user is not None else ()
        self.fields["organization"].queryset = Organization.objects.filter(pk__in=own)


class RequestActionForm(forms.Form):
    """A form acting on one service request (``request``)."""

    def __init__(self, *args, request: ServiceRequest, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request


class AssignForm(RequestActionForm):
    assigned_to = forms.ModelChoiceField(label=_("staff member"), queryset=None, required=False)
    provider = forms.ModelChoiceField(label=_("provider organization"), queryset=Organization.objects.all(),
                                      required=False, widget=AutocompleteSelect(model=Organization))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assigned_to"].queryset = self.request.site_staff_users()


class StatusForm(RequestActionForm):
    status = forms.ChoiceField(label=_("new status"), choices=ServiceRequest.Status.choices)
    note = forms.CharField(label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"}))


class MessageForm(RequestActionForm):
    text = forms.CharField(label=_("message"), widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}))
    internal = forms.BooleanField(label=_("internal note (staff only)"), required=False)


class RatingForm(RequestActionForm):
    rating = forms.TypedChoiceField(label=_("satisfaction"), coerce=int, widget=forms.RadioSelect,
                                    choices=[(n, str(n)) for n in range(1, 6)])
    comment = forms.CharField(label=_("comment"), required=False,
                              widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"}))


class ServiceRequestEditForm(BaseModelForm):
    """Staff correct the description of a request; status and assignment change through the actions."""

    class Meta:
        model = ServiceRequest
        fields = ["description"]
