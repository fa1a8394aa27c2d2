"""Pages of the service catalogue beyond the generic ones (the catalogue /hubs/services/ and the requests
/hubs/service-requests/ are generic): requesting a service, the actions on a request (assign, status,
message, rating) and the staff queue. Thin: parse, check access, call one service, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from . import forms, selectors, services
from .models import Service, ServiceRequest


@login_required
def request_service(request, pk: int):
    service = get_object_or_404(Service.objects.select_related("site", "provider"), pk=pk)
    form = forms.ServiceRequestForm(request.POST or None, user=request.user)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                created = services.request_service(user=request.user, service=service,
                                                   description=form.cleaned_data["description"],
                                                   organization=form.cleaned_data["organization"])
            except services.ServiceError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, _("Your request for “%(service)s” is submitted.") % {"service": service})
                return HttpResponseRedirect(created.get_absolute_url())
        status = 400
    context = {"service": service, "form": form, "may_request": selectors.may_request(request.user, service)}
    return render(request, "hubs/catalogue/request.html", context, status=status)


def _action(form_class, action, success: str, fields: dict[str, str]):
    """A POST-only view: validate ``form_class``, call ``action`` with the form's values (``fields``: service
    argument -> form field), put the outcome in a message, go back to the request's page."""

    @login_required
    @require_POST
    def view(request, pk: int):
        obj = get_object_or_404(ServiceRequest.objects.visible_to(request.user).select_related("service__site"),
                                pk=pk)
        form = form_class(request.POST, request=obj)
        if not form.is_valid():
            for field, errors in form.errors.items():
                label = form.fields[field].label if field in form.fields else ""
                messages.error(request, f"{label}: {' '.join(errors)}" if label else " ".join(errors))
            return HttpResponseRedirect(obj.get_absolute_url())
        try:
            action(user=request.user, request=obj, **{arg: form.cleaned_data[name] for arg, name in fields.items()})
        except services.ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, success)
        return HttpResponseRedirect(obj.get_absolute_url())

    return view


assign = _action(forms.AssignForm, services.assign, _lazy("The request is assigned."),
                 {"to_user": "assigned_to", "provider": "provider"})
set_status = _action(forms.StatusForm, services.set_status, _lazy("The status is changed."),
                     {"status": "status", "note": "note"})
message = _action(forms.MessageForm, services.add_message, _lazy("Your message is added."),
                  {"text": "text", "internal": "internal"})
rate = _action(forms.RatingForm, services.rate, _lazy("Thank you for rating the service."),
               {"rating": "rating", "comment": "comment"})


@login_required
def queue(request):
    """The staff queue: open requests of the user's sites, oldest first, by status."""
    rows = list(selectors.staff_queue(request.user)[:500])
    groups = [(label, [r for r in rows if r.status == value]) for value, label in ServiceRequest.Status.choices
              if value in ServiceRequest.OPEN]
    return render(request, "hubs/catalogue/queue.html", {"groups": groups, "total": len(rows)})
