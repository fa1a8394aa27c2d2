"""Reads of the service catalogue: who may request a service, the staff queue, dashboard figures."""

from __future__ import annotations

import datetime as dt

from django.db.models import Avg, Count, Q

from khooshe.registry.access import access_for

from ..events.selectors import member_site_ids, resident_site_ids
from ..selectors import is_site_staff
from .models import Service, ServiceAudience, ServiceRequest


def is_service_staff(user, service: Service) -> bool:
    return is_site_staff(user, service.site)


def may_request(user, service: Service) -> bool:
    """Whether ``user`` may request ``service``: staff of its site always; otherwise residents of the
    site (``residents``), also members of linked hubs (``linked``, the rule of hubs.selectors.may_book),
    or every user acting for an organization (``members``). An inactive service takes no requests."""
    if not user.is_authenticated or not service.active:
        return False
    if is_service_staff(user, service):
        return True
    if service.audience == ServiceAudience.MEMBERS:
        return bool(access_for(user).organization_ids)
    if service.audience == ServiceAudience.LINKED:
        if service.site_id in resident_site_ids(user):
            return True
        from khooshe.hubs.network.selectors import guest_rights

        rights = guest_rights(user, service.site)
        if rights.governed:  # a member of a linked house requests under the house's link rule
            return rights.can_request_services
        return service.site_id in member_site_ids(user)
    return service.site_id in resident_site_ids(user)


def staff_queue(user):
    """The open requests of the sites ``user`` staffs (all for an admin), oldest first."""
    acc = access_for(user)
    qs = ServiceRequest.objects.filter(status__in=ServiceRequest.OPEN)
    if not acc.is_admin:
        qs = qs.filter(Q(service__site__operator__in=acc.hub_ids) | Q(assigned_to=user))
    return qs.select_related("service__site", "requested_by", "organization", "assigned_to",
                             "assigned_provider").order_by("created_at", "pk")


def visible_messages(user, request: ServiceRequest):
    """The messages of a request; internal notes only for the site's staff."""
    qs = request.messages.select_related("author")
    if not is_service_staff(user, request.service):
        qs = qs.filter(internal=False)
    return qs


def may_rate(user, request: ServiceRequest) -> bool:
    return (user.is_authenticated and request.requested_by_id == user.pk
            and request.status == ServiceRequest.Status.DONE and request.rating is None)


def service_figures(*, site_ids: list[int] | None, first: dt.date, last: dt.date) -> dict:
    """Figures of the service requests of ``site_ids`` (None: every site) created on a date in
    [``first``, ``last``] (both included, dates in Asia/Tehran):

    - ``requests``: how many were created;
    - ``by_status``: {status label (translated, e.g. "Done"): number of those requests}, every status
      listed, zeros included;
    - ``mean_rating``: the mean satisfaction rating (1–5) of those that were rated, a float, or None
      when none was rated;
    - ``by_service``: {service name: number of those requests}, services without requests left out.

    Example: two requests of "Legal advice", one done and rated 4, one submitted ->
    ``{"requests": 2, "by_status": {"Submitted": 1, ..., "Done": 1, ...}, "mean_rating": 4.0,
    "by_service": {"Legal advice": 2}}``.
    """
    import zoneinfo

    tz = zoneinfo.ZoneInfo("Asia/Tehran")
    since = dt.datetime.combine(first, dt.time(), tzinfo=tz)
    until = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tzinfo=tz)
    qs = ServiceRequest.objects.filter(created_at__gte=since, created_at__lt=until)
    if site_ids is not None:
        qs = qs.filter(service__site_id__in=site_ids)
    statuses = dict(qs.values_list("status").annotate(n=Count("pk")).order_by())
    by_status = {str(label): statuses.get(value, 0) for value, label in ServiceRequest.Status.choices}
    by_service: dict[str, int] = {}
    for name, n in qs.values_list("service__name").annotate(n=Count("pk")).order_by("-n", "service__name"):
        by_service[name] = by_service.get(name, 0) + n  # two sites may name a service alike
    mean = qs.filter(rating__isnull=False).aggregate(m=Avg("rating"))["m"]
    return {"requests": sum(statuses.values()), "by_status": by_status,
            "mean_rating": float(mean) if mean is not None else None, "by_service": by_service}

