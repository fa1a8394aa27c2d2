"""Reads of the network of hubs: what a guest from a linked house may do at a site (``guest_rights``, the
one place the other areas ask), who coordinates which network, the member houses and the spaces open to
guests."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from khooshe.hubs.models import Audience, Residency, Site, Space
from khooshe.registry.access import access_for
from khooshe.registry.models import Organization, Role

from .models import HubNetwork, LinkRule

ONE = Decimal("1")


@dataclass(frozen=True)
class GuestRights:
    """What ``user`` may do at ``site`` as a member of a linked house.

    ``governed`` says whether a link rule of the site covers the user: without one the areas keep their
    own behaviour (``selectors.may_book``: "members of linked hubs" may book the spaces open to them at
    the normal price). ``is_guest`` says whether the user is a member of a house linked to the site
    (through the site's linked hubs or a network the site's operator belongs to).
    """

    is_guest: bool = False
    governed: bool = False
    can_book_kinds: frozenset[str] = field(default_factory=frozenset)
    can_attend_events: bool = False
    can_request_services: bool = False
    price_factor: Decimal = ONE


NO_RIGHTS = GuestRights()


def user_hub_ids(user, on: dt.date | None = None) -> set[int]:
    """The hub organizations ``user`` belongs to as a guest: hubs they work for or are a member of, and
    the operators of the sites where one of their organizations is resident on ``on``."""
    acc = access_for(user)
    own = set(acc.organization_ids) | set(acc.hub_ids)
    if not user.is_authenticated or acc.is_admin:
        return own
    on = on or timezone.localdate()
    if acc.organization_ids:
        own |= set(Residency.objects.filter(organization__in=acc.organization_ids, start_date__lte=on)
                   .filter(Q(end_date__isnull=True) | Q(end_date__gte=on))
                   .values_list("site__operator_id", flat=True))
    return own


def guest_rights(user, site: Site, on: dt.date | None = None) -> GuestRights:
    """The rights of ``user`` at ``site`` as a member of a linked house, under the site's link rules.

    A rule without a network covers the site's linked hubs; a rule with a network covers the network's
    member hubs. When several rules cover the user, the most generous wins (every kind of space of any
    rule, the lowest price factor). Staff and residents of the site itself are not guests there.
    """
    if not user.is_authenticated or access_for(user).is_admin:
        return NO_RIGHTS
    houses = user_hub_ids(user, on) - {site.operator_id}
    if not houses:
        return NO_RIGHTS
    linked = set(site.linked_hubs.values_list("pk", flat=True))
    covering = [rule for rule in LinkRule.objects.filter(site=site).filter(
                    Q(network__isnull=True) | Q(network__members__in=houses)).distinct()
                # a rule without a network covers the linked hubs; the query kept the networks of the user
                if rule.network_id is not None or houses & linked]
    if not covering:
        return GuestRights(is_guest=bool(houses & linked))
    return GuestRights(
        is_guest=True, governed=True,
        can_book_kinds=frozenset(k for rule in covering for k in rule.space_kinds or []),
        can_attend_events=any(r.can_attend_events for r in covering),
        can_request_services=any(r.can_request_services for r in covering),
        price_factor=min(r.price_factor for r in covering))


def _is_resident_or_staff(user, site: Site, on: dt.date | None = None) -> bool:
    from khooshe.hubs.selectors import is_site_staff, resident_organization_ids

    if is_site_staff(user, site):
        return True
    own = set(access_for(user).organization_ids)
    return bool(own and own & resident_organization_ids([site.pk], on or timezone.localdate()))


def guest_may_book(user, space: Space, on: dt.date | None = None) -> bool | None:
    """For a space open to members of linked hubs: True/False when a link rule decides, None when no
    rule covers the user (``may_book`` then keeps its own rule)."""
    rights = guest_rights(user, space.site, on)
    if not rights.governed:
        return None
    return space.kind in rights.can_book_kinds


def booking_price_factor(user, space: Space, on: dt.date | None = None) -> Decimal:
    """The factor applied to a booking's price and credits: the link rule's factor when ``user`` books a
    kind of space the rule opens to guests and is neither staff nor resident of the site; else 1."""
    if not user.is_authenticated or space.bookable_by == Audience.STAFF:
        return ONE
    if not LinkRule.objects.filter(site_id=space.site_id).exists():  # the common case: one cheap query
        return ONE
    if _is_resident_or_staff(user, space.site, on):
        return ONE
    rights = guest_rights(user, space.site, on)
    if rights.governed and space.kind in rights.can_book_kinds:
        return rights.price_factor
    return ONE


def booking_refusal(user, space: Space, on: dt.date | None = None) -> str | None:
    """Why a member of a linked house may not book ``space`` (a message naming the kind, the house and
    what to do), or None when the link rules have nothing to say."""
    if space.bookable_by != Audience.LINKED or not user.is_authenticated:
        return None
    rights = guest_rights(user, space.site, on)
    if rights.governed:
        from khooshe.hubs.models import SpaceKind

        labels = dict(SpaceKind.choices)
        allowed = "، ".join(str(labels.get(k, k)) for k in sorted(rights.can_book_kinds)) or _("none")
        return _("Under the rules of %(site)s, members of linked houses may book these kinds of spaces: "
                 "%(kinds)s; “%(space)s” is a %(kind)s. Choose another space or ask the house's staff.") % {
            "site": space.site, "kinds": allowed, "space": space, "kind": space.get_kind_display()}
    if not rights.is_guest:
        return _("“%(space)s” is open to the residents of %(site)s and members of houses linked to it; none "
                 "of your organizations is. Ask the house's staff to link your house or to make you a "
                 "resident.") % {"space": space, "site": space.site}
    return None


# -- networks -------------------------------------------------------------------------------------------
def coordinated_networks(user):
    return HubNetwork.objects.coordinated_by(user)


def can_see_site_dashboard(user, site: Site) -> bool:
    """Staff of the site's hub, admins, and coordinators of a network the hub belongs to."""
    if not user.is_authenticated:
        return False
    acc = access_for(user)
    if acc.is_admin or site.operator_id in acc.hub_ids:
        return True
    return coordinated_networks(user).filter(members=site.operator_id).exists()


def dashboard_sites(user):
    """The sites whose dashboards ``user`` sees (for the site picker)."""
    acc = access_for(user)
    if acc.is_admin:
        return Site.objects.all()
    members = Organization.objects.filter(hub_networks__in=coordinated_networks(user)).values("pk")
    return Site.objects.filter(Q(operator__in=acc.hub_ids) | Q(operator__in=members)).distinct()


def network_sites(network: HubNetwork):
    return Site.objects.filter(operator__in=network.members.values("pk")).select_related("operator", "region")


@dataclass
class House:
    organization: Organization
    sites: list
    staff: int = 0
    spaces: int = 0
    bookable_spaces: int = 0
    residents: int = 0


def network_houses(network: HubNetwork, on: dt.date | None = None) -> list[House]:
    """The member houses with their sites, number of staff (users with a hub-staff role), spaces and
    current residents (organizations with a residency on ``on``): four queries whatever the size."""
    on = on or timezone.localdate()
    members = list(network.members.select_related("region").order_by("name_key", "pk"))
    houses = {org.pk: House(org, []) for org in members}
    for site in network_sites(network).order_by("name", "pk"):
        houses[site.operator_id].sites.append(site)
    for org_id, n in (Role.objects.filter(kind=Role.Kind.HUB_STAFF, organization__in=houses)
                      .values_list("organization").annotate(n=Count("user", distinct=True))):
        houses[org_id].staff = n
    for org_id, n, bookable in (Space.objects.filter(site__operator__in=houses).values_list("site__operator")
                                .annotate(n=Count("pk"), b=Count("pk", filter=Q(bookable=True)))):
        houses[org_id].spaces, houses[org_id].bookable_spaces = n, bookable
    for org_id, n in (Residency.objects.filter(site__operator__in=houses, start_date__lte=on)
                      .filter(Q(end_date__isnull=True) | Q(end_date__gte=on))
                      .values_list("site__operator").annotate(n=Count("organization", distinct=True))):
        houses[org_id].residents = n
    return list(houses.values())


@dataclass
class GuestSpace:
    space: Space
    price_factor: Decimal
    rule: LinkRule | None

    @property
    def guest_price(self) -> int:
        return int((self.space.price_per_hour * self.price_factor).to_integral_value())


def guest_directory(network: HubNetwork, kind: str = "") -> list[GuestSpace]:
    """The spaces of member houses that members of the other houses may book: those open to every
    signed-in user, and those open to linked hubs whose kind the house's rule for this network allows
    (with the rule's price factor). Network membership alone opens nothing: each house decides."""
    rules = {r.site_id: r for r in LinkRule.objects.filter(network=network)}
    spaces = (Space.objects.filter(site__in=network_sites(network), bookable=True,
                                   bookable_by__in=[Audience.LINKED, Audience.PUBLIC])
              .select_related("site", "site__operator").order_by("site__name", "path"))
    if kind:
        spaces = spaces.filter(kind=kind)
    rows = []
    for space in spaces:
        rule = rules.get(space.site_id)
        allowed = rule is not None and space.kind in (rule.space_kinds or [])
        if space.bookable_by == Audience.LINKED and not allowed:
            continue
        rows.append(GuestSpace(space, rule.price_factor if allowed else ONE, rule if allowed else None))
    return rows
