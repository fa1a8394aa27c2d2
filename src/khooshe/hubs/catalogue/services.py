"""Writes of the service catalogue: requests, assignment, the status workflow, messages and the rating.
Every write is keyword-only and runs in one transaction.

Workflow: submitted → assigned → in progress → done, or declined from any open status. Staff of the
service's site (and admins) move a request; the requester and staff write messages; staff also write
internal notes; the requester rates a done request once (1–5 and a comment).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from khooshe.registry.access import access_for

from ..services import BookingError
from . import selectors
from .models import Service, ServiceRequest, ServiceRequestMessage

Status = ServiceRequest.Status

# the statuses a request may move to from each status (staff moves; "assigned" through ``assign``)
NEXT = {
    Status.SUBMITTED: {Status.ASSIGNED, Status.IN_PROGRESS, Status.DECLINED},
    Status.ASSIGNED: {Status.IN_PROGRESS, Status.DONE, Status.DECLINED},
    Status.IN_PROGRESS: {Status.DONE, Status.DECLINED},
    Status.DONE: set(),
    Status.DECLINED: set(),
}


class ServiceError(BookingError):
    """A refusal the user can fix; ``field`` names the input at fault."""


def _require_staff(user, service: Service) -> None:
    if not selectors.is_service_staff(user, service):
        raise PermissionDenied(_("Only the staff of %(site)s may handle requests for “%(service)s”.")
                               % {"site": service.site, "service": service})


@transaction.atomic
def request_service(*, user, service: Service, description: str, organization=None) -> ServiceRequest:
    """A member requests ``service`` (for one of their organizations, optionally)."""
    service = Service.objects.select_related("site").get(pk=service.pk)
    if not service.active:
        raise ServiceError(_("“%(service)s” is not offered at the moment.") % {"service": service}, "service")
    if not selectors.may_request(user, service):
        raise ServiceError(_("“%(service)s” may be requested by %(who)s; you are not among them.")
                           % {"service": service, "who": service.get_audience_display()}, "service")
    if not (description or "").strip():
        raise ServiceError(_("Describe what you need."), "description")
    if organization is not None and organization.pk not in access_for(user).editable_organization_ids() \
            and not selectors.is_service_staff(user, service):
        raise ServiceError(_("You may request only for an organization you belong to."), "organization")
    return ServiceRequest.objects.create(service=service, requested_by=user, organization=organization,
                                         description=description.strip())


def _locked(request: ServiceRequest) -> ServiceRequest:
    return ServiceRequest.objects.select_for_update().select_related("service__site").get(pk=request.pk)


@transaction.atomic
def assign(*, user, request: ServiceRequest, to_user=None, provider=None) -> ServiceRequest:
    """Assign an open request to a staff user and/or a provider organization (status "assigned")."""
    request = _locked(request)
    _require_staff(user, request.service)
    if to_user is None and provider is None:
        raise ServiceError(_("Choose a staff member or a provider to assign the request to."), "assigned_to")
    if request.status not in ServiceRequest.OPEN:
        raise ServiceError(_("This request is %(status)s; it can no longer be assigned.")
                           % {"status": request.get_status_display()}, "status")
    if to_user is not None and not access_for(to_user).is_admin and \
            request.service.site.operator_id not in access_for(to_user).hub_ids:
        raise ServiceError(_("%(user)s is not staff of %(site)s; assign a staff member or a provider.")
                           % {"user": to_user, "site": request.service.site}, "assigned_to")
    request.assigned_to = to_user
    request.assigned_provider = provider
    if request.status == Status.SUBMITTED:
        request.status = Status.ASSIGNED
    request.save(update_fields=["assigned_to", "assigned_provider", "status", "updated_at"])
    return request


@transaction.atomic
def set_status(*, user, request: ServiceRequest, status: str, note: str = "",
               now: dt.datetime | None = None) -> ServiceRequest:
    """Move a request along the workflow (``NEXT``); an optional note is added as a message."""
    request = _locked(request)
    _require_staff(user, request.service)
    if status not in Status.values:
        raise ServiceError(_("Unknown status “%(value)s”.") % {"value": status}, "status")
    if status not in NEXT[request.status]:
        raise ServiceError(_("A request that is %(old)s cannot become %(new)s.")
                           % {"old": request.get_status_display(), "new": Status(status).label}, "status")
    request.status = status
    if status in (Status.DONE, Status.DECLINED):
        request.closed_at = now or timezone.now()
    request.save(update_fields=["status", "closed_at", "updated_at"])
    if note.strip():
        ServiceRequestMessage.objects.create(request=request, author=user, text=note.strip())
    return request


@transaction.atomic
def add_message(*, user, request: ServiceRequest, text: str, internal: bool = False) -> ServiceRequestMessage:
    """A message by the requester or staff (staff may mark it internal: hidden from the requester)."""
    request = ServiceRequest.objects.select_related("service__site").get(pk=request.pk)
    staff = selectors.is_service_staff(user, request.service)
    if not staff and not ServiceRequest.objects.visible_to(user).filter(pk=request.pk).exists():
        raise PermissionDenied(_("You may not write on this request."))
    if not (text or "").strip():
        raise ServiceError(_("Write a message first."), "text")
    return ServiceRequestMessage.objects.create(request=request, author=user, text=text.strip(),
                                                internal=internal and staff)


@transaction.atomic
def rate(*, user, request: ServiceRequest, rating: int, comment: str = "",
         now: dt.datetime | None = None) -> ServiceRequest:
    """The requester rates a done request once, 1 to 5."""
    request = _locked(request)
    if request.requested_by_id != user.pk:
        raise PermissionDenied(_("Only the person who requested the service may rate it."))
    if request.status != Status.DONE:
        raise ServiceError(_("A request can be rated once it is done; this one is %(status)s.")
                           % {"status": request.get_status_display()}, "rating")
    if request.rating is not None:
        raise ServiceError(_("You have already rated this request (%(n)s of 5).") % {"n": request.rating},
                           "rating")
    try:
        rating = int(rating)
    except (TypeError, ValueError):
        rating = 0
    if not 1 <= rating <= 5:
        raise ServiceError(_("Give a rating from 1 to 5."), "rating")
    request.rating = rating
    request.rating_comment = (comment or "").strip()
    request.rated_at = now or timezone.now()
    request.save(update_fields=["rating", "rating_comment", "rated_at", "updated_at"])
    return request

