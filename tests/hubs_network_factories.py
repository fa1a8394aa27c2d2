"""Record makers for the tests of the network of hubs and the dashboards (plain functions)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from factories import make_org, make_role, make_user, seq
from hubs_factories import make_hub, make_site

from khooshe.hubs import models as hm
from khooshe.hubs.network.models import HubNetwork, LinkRule
from khooshe.registry.models import OrganizationKind, Role


def english(user):
    """``user`` with English as the saved interface language (it wins over the cookie)."""
    user.language = "en"
    user.save(update_fields=["language"])
    return user


def make_house(**kw):
    return make_org(kind=OrganizationKind.CREATIVE_HOUSE, **kw)


def make_network(members=(), **kw) -> HubNetwork:
    defaults = {"name": f"شبکه خانه‌های خلاق {seq()}", "description": "پیوند خانه‌های خلاق کشور"}
    defaults.update(kw)
    if "coordinator" not in defaults:
        defaults["coordinator"] = make_org(kind=OrganizationKind.GOVERNMENT)
    network = HubNetwork.objects.create(**defaults)
    network.members.set(members)
    return network


def make_networks(n: int = 3) -> list[HubNetwork]:
    return [make_network(members=[make_house()], name=f"Network {chr(65 + i)} {seq()}") for i in range(n)]


def make_rule(site, network=None, kinds=(hm.SpaceKind.MEETING_ROOM,), factor="1.00", **kw) -> LinkRule:
    return LinkRule.objects.create(site=site, network=network, space_kinds=list(kinds),
                                   price_factor=Decimal(factor), **kw)


def make_rules(n: int = 3) -> list[LinkRule]:
    return [make_rule(make_site(operator=make_hub()), factor=f"0.{5 + i}0") for i in range(n)]


def staff_of(hub, **kw):
    """A user on the staff of ``hub``."""
    return make_role(kind=Role.Kind.HUB_STAFF, organization=hub, **kw).user


def resident_member(site, on: dt.date | None = None):
    """A user who is a member of a startup resident at ``site``."""
    startup = make_org()
    hm.Residency.objects.create(site=site, organization=startup, start_date=on or dt.date(2020, 1, 1))
    user = make_user()
    make_role(user=user, kind=Role.Kind.MEMBER, organization=startup)
    return user


def linked_pair():
    """Two houses with a site each, both members of one network coordinated by a third organization."""
    hub_a, hub_b = make_house(), make_house()
    site_a, site_b = make_site(operator=hub_a), make_site(operator=hub_b)
    network = make_network(members=[hub_a, hub_b])
    return network, site_a, site_b
