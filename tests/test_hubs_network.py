"""The network of hubs: link rules decide what members of linked houses may book (and at which price),
staff manage only their own hub, the network page lists the member houses and the spaces open to guests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation
from factories import make_org, make_region, make_role, make_user
from hubs_factories import at, make_space, open_day
from hubs_network_factories import english, linked_pair, make_house, make_rule, resident_member, staff_of

from khooshe.hubs import models as hm
from khooshe.hubs import selectors, services
from khooshe.hubs.network import selectors as net
from khooshe.hubs.network.models import LinkRule
from khooshe.registry.models import Role

pytestmark = pytest.mark.django_db

KIND = hm.SpaceKind


@pytest.fixture
def houses():
    """Site A has a rule for the network: guests may book meeting rooms at half price."""
    network, site_a, site_b = linked_pair()
    room = make_space(site=site_a, kind=KIND.MEETING_ROOM, bookable_by=hm.Audience.LINKED, price_per_hour=1000,
                      credits_per_hour=Decimal("2.00"))
    studio = make_space(site=site_a, kind=KIND.STUDIO, bookable_by=hm.Audience.LINKED, price_per_hour=3000)
    rule = make_rule(site_a, network, kinds=[KIND.MEETING_ROOM], factor="0.50", can_attend_events=True,
                     can_request_services=False)
    guest = english(resident_member(site_b))  # a startup resident at house B
    return {"network": network, "a": site_a, "b": site_b, "room": room, "studio": studio, "rule": rule,
            "guest": guest}


def book(user, space, hour=10):
    day = open_day(space.site)
    return services.create_booking(user=user, space=space, start=at(day, hour), end=at(day, hour + 1))


# -- link rules -----------------------------------------------------------------------------------------
def test_a_guest_books_an_allowed_kind_at_the_rules_price(houses):
    booking = book(houses["guest"], houses["room"])
    assert booking.price == 500 and booking.credits == Decimal("1.00")  # 1 hour, factor 0.5


def test_a_guest_is_refused_another_kind_with_the_allowed_kinds_named(houses):
    assert not selectors.may_book(houses["guest"], houses["studio"])
    with translation.override("en"), pytest.raises(services.BookingError) as err:
        book(houses["guest"], houses["studio"])
    assert err.value.field == "space"
    assert "Under the rules of" in err.value.message and "Meeting room" in err.value.message
    assert not hm.Booking.objects.filter(space=houses["studio"]).exists()


def test_without_a_link_the_booking_is_refused_with_a_clear_message(houses):
    outsider = english(resident_member(make_space(site=make_space().site).site))  # a house outside the network
    with translation.override("en"), pytest.raises(services.BookingError) as err:
        book(outsider, houses["room"])
    assert "none of your organizations is" in err.value.message
    assert not net.guest_rights(outsider, houses["a"]).is_guest


def test_guest_rights_say_what_the_rule_allows(houses):
    rights = net.guest_rights(houses["guest"], houses["a"])
    assert rights.governed and rights.is_guest
    assert rights.can_book_kinds == {KIND.MEETING_ROOM}
    assert rights.price_factor == Decimal("0.50")
    assert rights.can_attend_events and not rights.can_request_services
    # at its own house the user is no guest
    assert not net.guest_rights(houses["guest"], houses["b"]).governed


def test_hub_staff_of_a_member_house_are_guests_too(houses):
    staff_b = staff_of(houses["b"].operator)
    assert book(staff_b, houses["room"]).price == 500


def test_residents_and_staff_of_the_house_pay_the_full_price(houses):
    resident = resident_member(houses["a"])
    assert book(resident, houses["room"], hour=11).price == 1000
    assert book(staff_of(houses["a"].operator), houses["room"], hour=13).price == 1000


def test_without_a_rule_linked_hubs_keep_the_old_behaviour():
    network, site_a, site_b = linked_pair()
    site_a.linked_hubs.add(site_b.operator)
    studio = make_space(site=site_a, kind=KIND.STUDIO, bookable_by=hm.Audience.LINKED, price_per_hour=3000)
    guest = resident_member(site_b)
    assert net.guest_rights(guest, site_a).is_guest and not net.guest_rights(guest, site_a).governed
    assert book(guest, studio).price == 3000
    # network membership alone opens nothing: a third member house is not linked to site A
    third = make_house()
    network.members.add(third)
    with pytest.raises(services.BookingError):
        book(staff_of(third), studio, hour=12)


def test_a_rule_for_the_linked_hubs_covers_them_only():
    network, site_a, site_b = linked_pair()
    site_a.linked_hubs.add(site_b.operator)
    desk = make_space(site=site_a, kind=KIND.HOT_DESK, bookable_by=hm.Audience.LINKED, price_per_hour=100)
    make_rule(site_a, None, kinds=[KIND.HOT_DESK], factor="0.80")
    assert book(resident_member(site_b), desk).price == 80
    assert not selectors.may_book(staff_of(make_house()), desk)


def test_public_spaces_stay_open_to_everyone_at_the_normal_price(houses):
    hall = make_space(site=houses["a"], kind=KIND.EVENT_SPACE, bookable_by=hm.Audience.PUBLIC, price_per_hour=700)
    assert book(houses["guest"], hall).price == 700
    assert book(make_user(), hall, hour=12).price == 700


def test_a_rule_needs_the_house_in_the_network(houses):
    from django.core.exceptions import ValidationError

    from khooshe.hubs.network.models import HubNetwork

    other = HubNetwork.objects.create(name="x", coordinator=make_org())
    with translation.override("en"), pytest.raises(ValidationError) as err:
        LinkRule(site=houses["a"], network=other, space_kinds=[KIND.STUDIO]).full_clean()
    assert "not a member" in str(err.value.message_dict["network"])
    with translation.override("en"), pytest.raises(ValidationError) as err:
        LinkRule(site=houses["b"], space_kinds=["castle"]).full_clean()
    assert "castle" in str(err.value.message_dict["space_kinds"])


# -- staff isolation ----------------------------------------------------------------------------------------
def test_staff_edit_the_rules_of_their_own_house_only(client, houses):
    staff_b = staff_of(houses["b"].operator)
    client.force_login(staff_b)
    rule = houses["rule"]
    response = client.post(reverse("hubs:linkrule_edit", args=[rule.pk]),
                           {"site": rule.site_id, "network": rule.network_id, "space_kinds": [KIND.STUDIO],
                            "price_factor": "0.10"})
    assert response.status_code in (403, 404)
    rule.refresh_from_db()
    assert rule.price_factor == Decimal("0.50") and rule.space_kinds == [KIND.MEETING_ROOM]
    # nor create one for house A through the API, while their own house works
    api = client.post("/api/hubs/link-rules/", {"site": houses["a"].pk, "network": houses["network"].pk,
                                                 "space_kinds": [KIND.STUDIO]}, content_type="application/json")
    assert api.status_code in (400, 403)
    own = client.post("/api/hubs/link-rules/", {"site": houses["b"].pk, "network": houses["network"].pk,
                                                 "space_kinds": [KIND.STUDIO], "price_factor": "0.75"},
                      content_type="application/json")
    assert own.status_code == 201, own.content
    assert LinkRule.objects.filter(site=houses["a"]).count() == 1
    assert LinkRule.objects.get(site=houses["b"]).price_factor == Decimal("0.75")


def test_the_rule_form_offers_only_the_staffs_own_sites(client, houses):
    client.force_login(staff_of(houses["b"].operator))
    page = client.get(reverse("hubs:linkrule_add")).content.decode()
    select = page[page.index('name="site"'):]
    select = select[:select.index("</select>")]
    assert f'value="{houses["b"].pk}"' in select and f'value="{houses["a"].pk}"' not in select


def test_a_network_is_changed_by_its_coordinator_only(client, houses):
    network = houses["network"]
    client.force_login(staff_of(houses["a"].operator))
    response = client.post(reverse("hubs:hubnetwork_edit", args=[network.pk]),
                           {"name": "Hijacked", "coordinator": network.coordinator_id})
    assert response.status_code in (403, 404)
    network.refresh_from_db()
    assert network.name != "Hijacked"
    coordinator = make_user()
    make_role(user=coordinator, kind=Role.Kind.MEMBER, organization=network.coordinator)
    client.force_login(coordinator)
    response = client.post(reverse("hubs:hubnetwork_edit", args=[network.pk]),
                           {"name": "شبکه ملی خانه‌های خلاق", "coordinator": network.coordinator_id,
                            "members": [houses["a"].operator_id, houses["b"].operator_id]})
    assert response.status_code == 302
    network.refresh_from_db()
    assert network.name == "شبکه ملی خانه‌های خلاق"


def test_members_of_a_network_must_be_hubs(client, houses):
    coordinator = english(make_user())
    make_role(user=coordinator, kind=Role.Kind.MEMBER, organization=houses["network"].coordinator)
    client.force_login(coordinator)
    startup = make_org()
    response = client.post(reverse("hubs:hubnetwork_edit", args=[houses["network"].pk]),
                           {"name": "x", "coordinator": houses["network"].coordinator_id, "members": [startup.pk]})
    assert response.status_code == 400  # the form again, with the error at the members field
    assert houses["network"].members.count() == 2 and houses["network"].name != "x"
    api = client.patch(f"/api/hubs/hub-networks/{houses['network'].pk}/", {"members": [startup.pk]},
                       content_type="application/json")
    assert api.status_code == 400 and "is not a hub" in str(api.json()["members"])
    assert not houses["network"].members.filter(pk=startup.pk).exists()


# -- network page ----------------------------------------------------------------------------------------------
def test_the_network_page_lists_houses_with_staff_spaces_and_residents(client, houses):
    staff_of(houses["a"].operator)
    staff_of(houses["a"].operator)
    resident_member(houses["a"])
    rows = {h.organization.pk: h for h in net.network_houses(houses["network"])}
    a = rows[houses["a"].operator_id]
    assert (a.staff, a.spaces, a.residents) == (2, 2, 1)
    assert rows[houses["b"].operator_id].residents == 1  # the guest's startup
    response = client.get(reverse("hubs:network_page", args=[houses["network"].pk]))
    assert response.status_code == 200
    content = response.content.decode()
    assert f'data-house="{houses["a"].operator_id}"' in content and "data-khooshe-map" in content


def test_the_directory_lists_the_spaces_guests_may_book(client, houses):
    public = make_space(site=houses["b"], kind=KIND.LAB, bookable_by=hm.Audience.PUBLIC, price_per_hour=900)
    make_space(site=houses["b"], kind=KIND.STUDIO, bookable_by=hm.Audience.RESIDENTS)
    rows = {r.space.pk: r for r in net.guest_directory(houses["network"])}
    assert set(rows) == {houses["room"].pk, public.pk}  # not the studio (kind not in the rule), not residents'
    assert rows[houses["room"].pk].guest_price == 500
    content = client.get(reverse("hubs:network_page", args=[houses["network"].pk]) + "?kind=lab").content.decode()
    assert f'data-space="{public.pk}"' in content and f'data-space="{houses["room"].pk}"' not in content


def test_the_map_has_one_point_per_located_house(client, houses):
    region = make_region()
    houses["a"].operator.region = region
    houses["a"].operator.save()
    data = client.get(reverse("hubs:network_map", args=[houses["network"].pk])).json()
    assert data["meta"]["total"] == 2
    ids = {f["id"] for f in data["features"]}
    assert houses["a"].operator_id in ids
    point = next(f for f in data["features"] if f["id"] == houses["a"].operator_id)
    assert point["properties"]["approx"] and point["geometry"]["coordinates"] == [region.longitude, region.latitude]


def test_guest_price_uses_the_day_of_the_booking(houses):
    """A residency that ended makes the user a guest again (no stale cache of rights)."""
    site_a = houses["a"]
    former = resident_member(site_a, on=dt.date(2020, 1, 1))
    hm.Residency.objects.filter(site=site_a).update(end_date=dt.date(2021, 1, 1))
    assert not net.guest_rights(former, site_a).is_guest  # no longer resident, and not a member house either


# -- the same rule for events and services --------------------------------------------------------------
def test_a_guest_attends_members_events_and_requests_services_as_the_rule_says(houses):
    from khooshe.hubs.catalogue.models import Service, ServiceAudience
    from khooshe.hubs.catalogue.selectors import may_request
    from khooshe.hubs.events.models import Event, EventAudience
    from khooshe.hubs.events.selectors import may_attend

    day = open_day(houses["a"])
    event = Event.objects.create(site=houses["a"], title="Members' evening", start=at(day, 17), end=at(day, 19),
                                 capacity=20, audience=EventAudience.MEMBERS, status=Event.Status.PUBLISHED)
    service = Service.objects.create(site=houses["a"], name="IP clinic", audience=ServiceAudience.LINKED)
    guest = houses["guest"]
    assert may_attend(guest, event)  # the rule lets guests attend members' events ...
    assert not may_request(guest, service)  # ... but not request services
    houses["rule"].can_attend_events, houses["rule"].can_request_services = False, True
    houses["rule"].save()
    assert not may_attend(guest, event) and may_request(guest, service)
    resident = resident_member(houses["a"])  # the house's own residents are no guests
    assert may_attend(resident, event) and may_request(resident, service)
