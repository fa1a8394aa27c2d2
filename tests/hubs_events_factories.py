"""Record makers for the tests of events and the service catalogue (plain functions, as tests/factories.py)."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.utils import timezone
from factories import make_org, make_role, make_user, seq
from hubs_factories import make_hub, make_site, make_space

from khooshe.hubs import models as hm
from khooshe.registry.models import Role


def staff_of_site(site: hm.Site, **kw):
    """A user with the role "staff of a hub" for the site's operator."""
    user = make_user(**kw)
    make_role(user=user, kind=Role.Kind.HUB_STAFF, organization=site.operator)
    return user


def member_of(org, **kw):
    user = make_user(**kw)
    make_role(user=user, kind=Role.Kind.MEMBER, organization=org)
    return user


def resident_of(site: hm.Site, **kw):
    """A member of an organization with a current residency at ``site``."""
    org = make_org()
    hm.Residency.objects.create(site=site, organization=org, start_date=dt.date(2020, 1, 1))
    return member_of(org, **kw)


def local_start(days: int, hour: int) -> dt.datetime:
    """``hour`` o'clock in Tehran ``days`` from today there: an event that ends the same local day whatever
    the time the tests run (the event form has one date and two times)."""
    tz = zoneinfo.ZoneInfo("Asia/Tehran")
    return dt.datetime.combine(timezone.now().astimezone(tz).date() + dt.timedelta(days=days), dt.time(hour),
                               tzinfo=tz)


def make_event(**kw) -> hm.Event:
    """A published public event (without a space: no booking) a few days ahead, 10 seats."""
    n = seq()
    start = kw.pop("start", local_start(5 + n % 3, 9 + n % 5))
    defaults = {"title": f"رویداد {n}", "description": "گفت‌وگو درباره نوآوری", "start": start,
                "end": start + dt.timedelta(hours=2), "capacity": 10, "status": hm.Event.Status.PUBLISHED}
    defaults.update(kw)
    if "site" not in defaults:
        defaults["site"] = defaults["space"].site if defaults.get("space") else make_site()
    return hm.Event.objects.create(**defaults)


def make_events(n: int = 3) -> list[hm.Event]:
    site = make_site()
    return [make_event(site=site, title=f"Event-{seq()}-{i}", capacity=5 + 10 * i,
                       start=local_start(3 + i, 10)) for i in range(n)]


def make_service(**kw) -> hm.Service:
    n = seq()
    defaults = {"name": f"مشاوره حقوقی {n}", "kind": hm.ServiceKind.LEGAL, "description": "قراردادها",
                "price": 0, "audience": hm.ServiceAudience.RESIDENTS}
    defaults.update(kw)
    if "site" not in defaults:
        defaults["site"] = make_site()
    return hm.Service.objects.create(**defaults)


def make_services(n: int = 3) -> list[hm.Service]:
    site = make_site()
    kinds = [hm.ServiceKind.LEGAL, hm.ServiceKind.ACCOUNTING, hm.ServiceKind.IP]
    return [make_service(site=site, name=f"Service-{seq()}-{i}", kind=kinds[i % 3], price=1000 * i)
            for i in range(n)]


def make_service_requests(n: int = 3) -> list[hm.ServiceRequest]:
    service = make_service(audience=hm.ServiceAudience.MEMBERS)
    statuses = [hm.ServiceRequest.Status.SUBMITTED, hm.ServiceRequest.Status.ASSIGNED,
                hm.ServiceRequest.Status.DONE]
    return [hm.ServiceRequest.objects.create(service=service, requested_by=make_user(), organization=make_org(),
                                             description=f"Need-{seq()}-{i}", status=statuses[i % 3])
            for i in range(n)]


__all__ = ["make_hub", "make_space", "staff_of_site", "member_of", "resident_of", "make_event", "make_events",
           "make_service", "make_services", "make_service_requests"]
