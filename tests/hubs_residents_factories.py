"""Record makers for the residents tests (plain functions, as tests/factories.py and hubs_factories.py)."""

from __future__ import annotations

import datetime as dt

from factories import make_org, make_role, make_user, seq
from hubs_factories import make_site, make_space

from khooshe.hubs import models as hm
from khooshe.hubs.residents import services
from khooshe.registry.models import Role


def make_staff(site: hm.Site, **kw):
    """A user on the staff of the site's hub (a fresh user object: access is cached per object)."""
    user = make_role(kind=Role.Kind.HUB_STAFF, organization=site.operator, user=make_user(**kw)).user
    return type(user).objects.get(pk=user.pk)


def make_member(org, **kw):
    user = make_role(kind=Role.Kind.MEMBER, organization=org, user=make_user(**kw)).user
    return type(user).objects.get(pk=user.pk)


def make_plan(site: hm.Site, **kw) -> hm.HubPlan:
    defaults = {"name": f"Plan {seq()}", "kind": "dedicated_desk", "monthly_price": 50_000_000,
                "monthly_credits": 4, "desks_included": 1}
    defaults.update(kw)
    return hm.HubPlan.objects.create(site=site, **defaults)


def make_residency(site: hm.Site | None = None, *, spaces=(), **kw) -> hm.Residency:
    site = site or make_site()
    defaults = {"organization": kw.pop("organization", None) or make_org(), "start_date": dt.date(2024, 3, 20)}
    defaults.update(kw)
    return services.save_residency(residency=hm.Residency(site=site, **defaults), spaces=list(spaces))


def make_desk(site: hm.Site, **kw) -> hm.Space:
    return make_space(site=site, kind=hm.SpaceKind.DEDICATED_DESK, name=f"Desk {seq()}", **kw)


def stage(site: hm.Site, key: str) -> hm.JourneyStage:
    return next(s for s in services.ensure_journey_stages(site=site) if s.key == key)


def kpi(headcount: int, funds: int = 0, **kw) -> dict:
    return {"headcount": headcount, "funds_raised": funds, **kw}


def make_plans(n: int = 3) -> list[hm.HubPlan]:
    site = make_site()
    return [make_plan(site, name=f"Plan-{seq()}", monthly_price=1000 * (i + 1)) for i in range(n)]


def make_stages(n: int = 3) -> list[hm.JourneyStage]:
    site = make_site()
    return [hm.JourneyStage.objects.create(site=site, order=10 + i, name=f"Stage-{seq()}") for i in range(n)]
