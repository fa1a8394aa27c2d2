"""Pages of events beyond the generic ones (the list /hubs/events/ and each event's page are generic):
registration, the confirmation page with the check-in code, publishing and cancelling, the check-in
desk with the attendance list, and the iCal file of an event. Thin: parse, check access, call one
service, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import forms, selectors, services
from .models import Event, EventAudience, EventRegistration


def _visible_event(request, pk: int) -> Event:
    return get_object_or_404(Event.objects.visible_to(request.user).select_related("site", "space"), pk=pk)


def register(request, pk: int):
    """Register for an event: a signed-in member with one button, anyone else with a name and an email."""
    if not request.user.is_authenticated and Event.objects.filter(pk=pk, status=Event.Status.PUBLISHED).exclude(
            audience=EventAudience.PUBLIC).exists():
        return redirect_to_login(request.get_full_path())  # a members' event: sign in first
    event = _visible_event(request, pk)
    own = selectors.own_registration(request.user, event)
    if own is not None:
        return HttpResponseRedirect(reverse("hubs:event_registration", kwargs={"code": own.code}))
    public = not request.user.is_authenticated
    form = forms.PublicRegistrationForm(request.POST or None) if public else None
    status = 200
    if request.method == "POST" and (form is None or form.is_valid()):
        data = form.cleaned_data if form is not None else {}
        try:
            registration = services.register(event=event, user=request.user, name=data.get("name", ""),
                                             email=data.get("email", ""))
        except services.EventError as exc:
            if form is not None and exc.field in form.fields:
                form.add_error(exc.field, exc.message)
            else:
                messages.error(request, exc.message)
            status = 400
        else:
            if registration.status == EventRegistration.Status.CONFIRMED:
                messages.success(request, _("You are registered for “%(event)s”.") % {"event": event})
            else:
                messages.warning(request, _("“%(event)s” is full: you are on the waiting list.") % {"event": event})
            return HttpResponseRedirect(reverse("hubs:event_registration", kwargs={"code": registration.code}))
    elif request.method == "POST":
        status = 400
    context = {"event": event, "form": form, "open": selectors.registration_is_open(event),
               "may_attend": selectors.may_attend(request.user, event)}
    return render(request, "hubs/events/register.html", context, status=status)


def registration(request, code: str):
    """The confirmation page: the check-in code (the address itself is the secret), status, cancel."""
    reg = get_object_or_404(EventRegistration.objects.select_related("event__site"),
                            code=services.normalize_code(code))
    position = None
    if reg.status == EventRegistration.Status.WAITLISTED:
        position = selectors.waiting_list(reg.event).filter(pk__lt=reg.pk).count() + 1
    return render(request, "hubs/events/registration.html", {"registration": reg, "event": reg.event,
                                                             "position": position})


@require_POST
def registration_cancel(request, code: str):
    reg = get_object_or_404(EventRegistration, code=services.normalize_code(code))
    try:
        services.cancel_registration(user=request.user, registration=reg, code=reg.code)
    except services.EventError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Your registration is cancelled."))
    return HttpResponseRedirect(reverse("hubs:event_registration", kwargs={"code": reg.code}))


def _staff_event(request, pk: int) -> Event:
    event = _visible_event(request, pk)
    if not selectors.is_event_staff(request.user, event):
        raise PermissionDenied(_("Only the staff of %(site)s may do this.") % {"site": event.site})
    return event


@login_required
@require_POST
def publish(request, pk: int):
    event = _staff_event(request, pk)
    try:
        services.publish_event(user=request.user, event=event)
    except services.EventError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("“%(event)s” is published.") % {"event": event})
    return HttpResponseRedirect(event.get_absolute_url())


@login_required
@require_POST
def cancel(request, pk: int):
    event = _staff_event(request, pk)
    services.cancel_event(user=request.user, event=event)
    messages.success(request, _("“%(event)s” is cancelled.") % {"event": event})
    return HttpResponseRedirect(event.get_absolute_url())


@login_required
def check_in(request, pk: int):
    """The check-in desk: type or scan a code; below, the attendance list of the event."""
    event = _staff_event(request, pk)
    form = forms.CheckInForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            reg = services.check_in(user=request.user, event=event, code=form.cleaned_data["code"])
        except services.EventError as exc:
            form.add_error("code", exc.message)
            status = 400
        else:
            messages.success(request, _("%(name)s is checked in.") % {"name": reg.name})
            return HttpResponseRedirect(reverse("hubs:event_check_in", kwargs={"pk": event.pk}))
    elif request.method == "POST":
        status = 400
    registrations = event.registrations.exclude(status=EventRegistration.Status.CANCELLED).order_by(
        "status", "name", "pk")
    context = {"event": event, "form": form, "registrations": registrations, "counts": selectors.counts(event),
               "export": reverse("hubs:eventregistration_export") + f"?event={event.pk}&status=confirmed"}
    return render(request, "hubs/events/check_in.html", context, status=status)


def ical(request, pk: int):
    """The event as an iCal (RFC 5545) file, to add it to a calendar."""
    from icalendar import Calendar
    from icalendar import Event as ICalEvent

    event = _visible_event(request, pk)
    if event.status == Event.Status.DRAFT and not selectors.is_event_staff(request.user, event):
        raise Http404
    cal = Calendar()
    cal.add("prodid", "-//Khooshe//hubs events//FA")
    cal.add("version", "2.0")
    item = ICalEvent()
    item.add("uid", f"event-{event.pk}@khooshe")
    item.add("dtstamp", event.updated_at or timezone.now())
    item.add("dtstart", event.start)
    item.add("dtend", event.end)
    item.add("summary", event.title)
    item.add("location", f"{event.site.name} — {event.space.name}" if event.space else event.site.name)
    if event.description:
        item.add("description", event.description)
    item.add("status", "CANCELLED" if event.status == Event.Status.CANCELLED else "CONFIRMED")
    item.add("url", request.build_absolute_uri(event.get_absolute_url()))
    cal.add_component(item)
    response = HttpResponse(cal.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="event-{event.pk}.ics"'
    return response
